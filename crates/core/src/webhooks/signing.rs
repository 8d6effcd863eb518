//! Svix's signature scheme, which Clerk's webhooks use: HMAC-SHA256 over `{id}.{timestamp}.{body}`
//! with the base64-decoded part of a `whsec_…` secret, sent as `svix-signature: v1,<base64>`.
//! Several signatures are space separated (during a secret rotation both are sent); a receiver
//! accepts a message when any `v1` signature matches.

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use subtle::ConstantTimeEq;

use crate::error::{CoreError, CoreResult};

const PREFIX: &str = "whsec_";
/// Svix issues 24-byte keys (32 base64 characters).
const KEY_BYTES: usize = 24;

/// A signing secret. Kept as the key bytes; written and read as `whsec_<base64>`. Its `Debug`
/// never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn generate() -> Self {
        let mut key = vec![0u8; KEY_BYTES];
        rand::rng().fill_bytes(&mut key);
        Self(key)
    }

    /// Parses `whsec_<base64>` (the prefix is optional, as in the svix libraries).
    pub fn parse(s: &str) -> CoreResult<Self> {
        let b64 = s.strip_prefix(PREFIX).unwrap_or(s);
        let key = STANDARD
            .decode(b64)
            .map_err(|_| CoreError::format("secret", "must be whsec_ followed by base64"))?;
        if key.is_empty() {
            return Err(CoreError::format("secret", "must not be empty"));
        }
        Ok(Self(key))
    }

    /// The `whsec_…` form: shown to the operator once, on creation and on rotation.
    pub fn expose(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(&self.0))
    }

    /// `v1,<base64 HMAC-SHA256 of "{msg_id}.{timestamp}.{body}">`.
    pub fn sign(&self, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.0);
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(msg_id.as_bytes());
        ctx.update(b".");
        ctx.update(timestamp_secs.to_string().as_bytes());
        ctx.update(b".");
        ctx.update(body);
        format!("v1,{}", STANDARD.encode(ctx.sign().as_ref()))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.expose())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Secret::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The `svix-signature` header value: one signature per secret, space separated.
pub fn signature_header<'a>(
    secrets: impl IntoIterator<Item = &'a Secret>,
    msg_id: &str,
    timestamp_secs: i64,
    body: &[u8],
) -> String {
    secrets
        .into_iter()
        .map(|s| s.sign(msg_id, timestamp_secs, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Why a delivery does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    TimestampInvalid,
    TimestampTooOld,
    TimestampTooNew,
    NoMatchingSignature,
}

/// Svix's tolerance for the `svix-timestamp` header, in seconds.
pub const TOLERANCE_SECS: i64 = 300;

/// Verifies a delivery the way the svix libraries do (any `v1` match within ±5 minutes of
/// `now_secs`). Usher only signs; this is for receivers written in Rust and for tests.
pub fn verify(
    secret: &Secret,
    msg_id: &str,
    timestamp: &str,
    body: &[u8],
    signature_header: &str,
    now_secs: i64,
) -> Result<(), VerifyError> {
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| VerifyError::TimestampInvalid)?;
    if now_secs - ts > TOLERANCE_SECS {
        return Err(VerifyError::TimestampTooOld);
    }
    if ts > now_secs + TOLERANCE_SECS {
        return Err(VerifyError::TimestampTooNew);
    }
    let expected = secret.sign(msg_id, ts, body);
    let expected = expected.as_bytes();
    let any = signature_header
        .split(' ')
        .filter(|s| s.starts_with("v1,"))
        .fold(false, |found, sig| {
            found | bool::from(sig.as_bytes().ct_eq(expected))
        });
    if any {
        Ok(())
    } else {
        Err(VerifyError::NoMatchingSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The vector from the svix libraries, reproduced byte for byte by npm svix, the Rust `svix` and
    // `standardwebhooks` crates and node:crypto.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1_614_265_330;
    const BODY: &str = r#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn reproduces_the_svix_test_vector() {
        let secret = Secret::parse(SECRET).unwrap();
        assert_eq!(secret.sign(MSG_ID, TS, BODY.as_bytes()), SIGNATURE);
        assert_eq!(secret.expose(), SECRET);
        // The prefix is optional.
        let bare = Secret::parse(SECRET.trim_start_matches("whsec_")).unwrap();
        assert_eq!(bare, secret);
    }

    #[test]
    fn verify_accepts_any_matching_v1_signature_within_five_minutes() {
        let secret = Secret::parse(SECRET).unwrap();
        let other = Secret::generate();
        let both = signature_header([&other, &secret], MSG_ID, TS, BODY.as_bytes());
        assert_eq!(both.split(' ').count(), 2);
        let ts = TS.to_string();
        assert_eq!(
            verify(&secret, MSG_ID, &ts, BODY.as_bytes(), &both, TS),
            Ok(())
        );
        assert_eq!(
            verify(&other, MSG_ID, &ts, BODY.as_bytes(), &both, TS + 299),
            Ok(())
        );
        assert_eq!(
            verify(&secret, MSG_ID, &ts, BODY.as_bytes(), &both, TS + 301),
            Err(VerifyError::TimestampTooOld)
        );
        assert_eq!(
            verify(&secret, MSG_ID, &ts, BODY.as_bytes(), &both, TS - 301),
            Err(VerifyError::TimestampTooNew)
        );
        assert_eq!(
            verify(&secret, MSG_ID, &ts, b"{\"test\":2432232314}", &both, TS),
            Err(VerifyError::NoMatchingSignature)
        );
        // Non-v1 entries are ignored, and url-safe base64 is not the same signature.
        let sig = secret.sign(MSG_ID, TS, BODY.as_bytes());
        let v2 = sig.replacen("v1,", "v2,", 1);
        assert!(verify(&secret, MSG_ID, &ts, BODY.as_bytes(), &v2, TS).is_err());
        assert_eq!(
            verify(&secret, MSG_ID, "abc", BODY.as_bytes(), &sig, TS),
            Err(VerifyError::TimestampInvalid)
        );
    }

    #[test]
    fn garbage_headers_never_verify_and_never_panic() {
        use rand::Rng;
        let secret = Secret::parse(SECRET).unwrap();
        let mut rng = rand::rng();
        let alphabet = b"v1, =+/.-0123456789abcdefxyzABC\xff\x00";
        for _ in 0..2000 {
            let mut junk = |n: usize| -> String {
                let len = rng.random_range(0..n);
                (0..len)
                    .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
                    .collect()
            };
            let (ts, sig) = (junk(14), junk(120));
            assert!(verify(&secret, MSG_ID, &ts, BODY.as_bytes(), &sig, TS).is_err());
            let _ = Secret::parse(&junk(60));
        }
    }

    #[test]
    fn secrets_are_24_random_bytes_and_never_debug_printed() {
        let a = Secret::generate();
        let b = Secret::generate();
        assert_ne!(a, b);
        assert!(a.expose().starts_with("whsec_") && a.expose().len() == 6 + 32);
        assert_eq!(format!("{a:?}"), "Secret(<redacted>)");
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Secret>(&json).unwrap(), a);
        assert!(Secret::parse("whsec_!!").is_err() && Secret::parse("whsec_").is_err());
    }
}
