//! JWT decoding without any verification: three base64url parts, a JSON header and a JSON object
//! payload. Nothing here trusts the token; it only shapes it for the checks in `verifier`.

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::{Reason, VerifyError};

/// base64url as Clerk's decoder reads it: padding optional, non-canonical trailing bits allowed.
pub(crate) const B64URL_LOOSE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Longest token looked at. Session tokens are well under 2 KiB; Clerk's own limit for custom
/// claims is 1.2 KB. Anything this long is refused before decoding.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// The JOSE header fields this crate reads. Unknown fields are ignored.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Header {
    #[serde(default)]
    pub alg: Option<Value>,
    #[serde(default)]
    pub kid: Option<Value>,
    #[serde(default)]
    pub typ: Option<Value>,
    #[serde(default)]
    pub cat: Option<Value>,
}

impl Header {
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_ref().and_then(Value::as_str)
    }
    /// `None` when absent; `Some(None)` when present but not a string.
    pub fn typ(&self) -> Option<Option<&str>> {
        self.typ.as_ref().map(Value::as_str)
    }
}

/// A decoded, unverified JWT.
#[derive(Debug)]
pub(crate) struct Decoded<'t> {
    pub header: Header,
    /// The payload's JSON text (an object; not parsed yet).
    pub payload: String,
    /// `header.payload`, the bytes the signature covers.
    pub signing_input: &'t str,
    pub signature: Vec<u8>,
}

fn invalid(message: &'static str) -> VerifyError {
    VerifyError::new(Reason::TokenInvalid, message)
}

/// Whether the token looks like a compact JWT (three non-empty base64url parts), the test Clerk
/// uses to tell JWTs from opaque machine tokens.
pub(crate) fn is_jwt_format(token: &str) -> bool {
    let mut parts = 0;
    for part in token.split('.') {
        parts += 1;
        if part.is_empty()
            || !part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return false;
        }
    }
    parts == 3
}

/// Splits and decodes a JWT. The header must be a JSON object and so must the payload.
pub(crate) fn decode(token: &str) -> Result<Decoded<'_>, VerifyError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(invalid("Invalid JWT form. The token is too long."));
    }
    let mut it = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (it.next(), it.next(), it.next(), it.next()) else {
        return Err(invalid(
            "Invalid JWT form. A JWT consists of three parts separated by dots.",
        ));
    };
    let undecodable =
        || invalid("Invalid JWT form. The header, payload, or signature could not be decoded.");
    let header_bytes = B64URL_LOOSE.decode(h).map_err(|_| undecodable())?;
    let payload_bytes = B64URL_LOOSE.decode(p).map_err(|_| undecodable())?;
    let signature = B64URL_LOOSE.decode(s).map_err(|_| undecodable())?;
    let header: Header = serde_json::from_slice(&header_bytes).map_err(|_| undecodable())?;
    let payload = String::from_utf8(payload_bytes).map_err(|_| undecodable())?;
    if !payload.trim_start().starts_with('{') {
        return Err(undecodable());
    }
    // `h.p` is a prefix of the token; both lengths are known, so this cannot fail.
    let signing_input = token.get(..h.len() + 1 + p.len()).unwrap_or_default();
    Ok(Decoded {
        header,
        payload,
        signing_input,
        signature,
    })
}

/// Decodes the payload only, for the cookie heuristics that must look at `iat`/`iss` before
/// any verification (as Clerk's do). Never use the result for an authorization decision.
pub(crate) fn peek_payload(token: &str) -> Option<Map<String, Value>> {
    decode(token)
        .ok()
        .and_then(|d| serde_json::from_str(&d.payload).ok())
}

/// The registered and Clerk claims, borrowed from the payload text and typed lazily: each is
/// the raw JSON of the value, so a wrong type is detected where it matters (e.g. `exp` must be
/// a number) instead of failing the whole parse. Unknown claims are skipped.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawClaims<'a> {
    #[serde(borrow, default, deserialize_with = "present")]
    pub sub: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub exp: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub nbf: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub iat: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub azp: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub iss: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub aud: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub sid: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub sts: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub act: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub fva: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub v: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub o: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub fea: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub pla: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub org_id: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub org_role: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub org_slug: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    pub org_permissions: Option<&'a RawValue>,
}

/// The `o` claim of v2 tokens.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RawOrg<'a> {
    #[serde(borrow, default)]
    pub id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub rol: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub slg: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub per: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub fpm: Option<&'a RawValue>,
}

/// A present claim is `Some`, even when its value is `null` (JavaScript's `typeof null` is not
/// `undefined`: `"nbf": null` is a malformed claim, not a missing one).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&'de RawValue as Deserialize<'de>>::deserialize(d).map(Some)
}

/// A raw claim as a string, if it is one.
pub(crate) fn raw_str(v: Option<&RawValue>) -> Option<String> {
    let v = v?.get();
    let inner = v.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        // No escapes: the text between the quotes is the string.
        return Some(inner.to_owned());
    }
    serde_json::from_str(v).ok()
}

/// A raw claim as a number, if it is one.
pub(crate) fn raw_f64(v: &RawValue) -> Option<f64> {
    let s = v.get();
    if s.starts_with(['"', '{', '[', 'n', 't', 'f']) {
        return None;
    }
    // A JSON number is also a valid Rust float literal.
    s.parse().ok()
}

pub(crate) fn raw_json(v: Option<&RawValue>) -> Option<Value> {
    serde_json::from_str(v?.get()).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn shapes() {
        assert!(decode("").is_err());
        assert!(decode("a.b").is_err());
        assert!(decode("a.b.c.d").is_err());
        assert!(
            decode("e30.e30.").is_ok(),
            "empty signature decodes (and fails later)"
        );
        assert!(decode("e30.W10.AA").is_err(), "payload must be an object");
        assert!(
            decode("e30=.e30.AA").is_ok(),
            "padding tolerated like Clerk's loose decoder"
        );
        assert!(is_jwt_format("a.b.c"));
        assert!(!is_jwt_format("a.b."));
        assert!(!is_jwt_format("ak_123"));
        assert!(!is_jwt_format("a.b.c.d"));
        assert!(!is_jwt_format("a+.b.c"));
    }
}
