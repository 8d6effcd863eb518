//! A JWT template as stored, and the Backend API's rules for saving one.

use serde_json::{Map, Value};

use super::shortcodes::{Piece, parse_pieces};
use super::signing::{CustomKey, SealedKey};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::JwtTemplateId;
use crate::text;

pub const DEFAULT_LIFETIME_SECS: i64 = 60;
pub const MIN_LIFETIME_SECS: i64 = 30;
pub const MAX_LIFETIME_SECS: i64 = 315_360_000;
pub const DEFAULT_CLOCK_SKEW_SECS: i64 = 5;
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;
/// The claims every token gets from Usher; a template cannot set them.
pub const RESERVED_CLAIMS: [&str; 8] = ["azp", "exp", "iat", "iss", "jti", "nbf", "sid", "sub"];
/// A template's claims as JSON text: far above any token a header or cookie carries, so only a
/// mistake or an abuse reaches it.
pub const MAX_CLAIMS_BYTES: usize = 32 * 1024;
pub const MAX_NAME_CHARS: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningAlgorithm {
    Rs256,
    Rs384,
    Rs512,
    Hs256,
    Hs384,
    Hs512,
}

impl SigningAlgorithm {
    pub const ALL: [Self; 6] = [
        Self::Rs256,
        Self::Rs384,
        Self::Rs512,
        Self::Hs256,
        Self::Hs384,
        Self::Hs512,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Rs384 => "RS384",
            Self::Rs512 => "RS512",
            Self::Hs256 => "HS256",
            Self::Hs384 => "HS384",
            Self::Hs512 => "HS512",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn is_hmac(self) -> bool {
        matches!(self, Self::Hs256 | Self::Hs384 | Self::Hs512)
    }
}

/// A stored template. `signing` is none when the instance's key signs (RS256, in JWKS).
#[derive(Debug, Clone, PartialEq)]
pub struct JwtTemplate {
    pub id: JwtTemplateId,
    /// Optimistic-concurrency counter: an update succeeds only against the version it read.
    pub version: i64,
    pub name: String,
    pub claims: Map<String, Value>,
    pub lifetime: i64,
    pub allowed_clock_skew: i64,
    pub signing: Option<CustomSigning>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// The template's own key: its algorithm, and the key sealed under the instance's template key.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomSigning {
    pub algorithm: SigningAlgorithm,
    pub sealed_key: SealedKey,
}

impl JwtTemplate {
    pub fn signing_algorithm(&self) -> SigningAlgorithm {
        self.signing
            .as_ref()
            .map_or(SigningAlgorithm::Rs256, |s| s.algorithm)
    }
}

/// What the Backend API's create and update send.
#[derive(Debug, Clone, Default)]
pub struct TemplateInput {
    pub name: String,
    pub claims: Value,
    pub lifetime: Option<i64>,
    pub allowed_clock_skew: Option<i64>,
    pub custom_signing_key: Option<bool>,
    pub signing_algorithm: Option<String>,
    pub signing_key: Option<String>,
}

/// What a save decided about the signing key: keep the stored one (an update that says nothing
/// about it), the instance's, or a new key to seal.
#[derive(Debug)]
pub enum SigningChoice {
    Keep,
    Instance,
    Custom(Box<CustomKey>),
}

#[derive(Debug)]
pub struct ValidTemplate {
    pub name: String,
    pub claims: Map<String, Value>,
    pub lifetime: i64,
    pub allowed_clock_skew: i64,
    pub signing: SigningChoice,
}

fn check_strings(value: &Value) -> CoreResult<()> {
    match value {
        Value::String(s) => parse_pieces(s).map(|_| ()),
        Value::Array(items) => items.iter().try_for_each(check_strings),
        Value::Object(map) => map.values().try_for_each(check_strings),
        _ => Ok(()),
    }
}

pub fn validate_claims(claims: &Value) -> CoreResult<Map<String, Value>> {
    if claims.is_null() {
        return Err(CoreError::missing("claims"));
    }
    let Value::Object(map) = claims else {
        return Err(CoreError::format("claims", "must be a JSON object"));
    };
    if serde_json::to_vec(claims).map_or(usize::MAX, |v| v.len()) > MAX_CLAIMS_BYTES {
        return Err(CoreError::value(
            "claims",
            format!("must be at most {MAX_CLAIMS_BYTES} bytes of JSON"),
        ));
    }
    if let Some(reserved) = map.keys().find(|k| RESERVED_CLAIMS.contains(&k.as_str())) {
        return Err(CoreError::value(
            "claims",
            format!("cannot set the reserved claim '{reserved}'"),
        ));
    }
    check_strings(claims)?;
    Ok(map.clone())
}

fn in_range(param: &str, value: i64, min: i64, max: i64) -> CoreResult<i64> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(CoreError::value(
            param,
            format!("must be between {min} and {max}"),
        ))
    }
}

/// `existing`: the template an update changes (its lifetime and skew stay when not sent).
pub fn validate(input: TemplateInput, existing: Option<&JwtTemplate>) -> CoreResult<ValidTemplate> {
    let name = input.name.trim().to_owned();
    if name.is_empty() {
        return Err(CoreError::missing("name"));
    }
    text::at_most("name", &name, MAX_NAME_CHARS)?;
    let claims = validate_claims(&input.claims)?;
    let lifetime = match input.lifetime {
        Some(l) => in_range("lifetime", l, MIN_LIFETIME_SECS, MAX_LIFETIME_SECS)?,
        None => existing.map_or(DEFAULT_LIFETIME_SECS, |t| t.lifetime),
    };
    let allowed_clock_skew = match input.allowed_clock_skew {
        Some(s) => in_range("allowed_clock_skew", s, 0, MAX_CLOCK_SKEW_SECS)?,
        None => existing.map_or(DEFAULT_CLOCK_SKEW_SECS, |t| t.allowed_clock_skew),
    };
    let signing = match input.custom_signing_key {
        None if existing.is_some() => SigningChoice::Keep,
        None | Some(false) => SigningChoice::Instance,
        Some(true) => {
            let raw_alg = input
                .signing_algorithm
                .as_deref()
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .ok_or_else(|| CoreError::missing("signing_algorithm"))?;
            let algorithm = SigningAlgorithm::parse(raw_alg).ok_or_else(|| {
                CoreError::value(
                    "signing_algorithm",
                    "must be one of RS256, RS384, RS512, HS256, HS384, HS512",
                )
            })?;
            let key = input
                .signing_key
                .filter(|k| !k.trim().is_empty())
                .ok_or_else(|| CoreError::missing("signing_key"))?;
            SigningChoice::Custom(Box::new(CustomKey::parse(algorithm, &key)?))
        }
    };
    Ok(ValidTemplate {
        name,
        claims,
        lifetime,
        allowed_clock_skew,
        signing,
    })
}

/// The pieces of every string in the claims, parsed once per render.
pub(crate) fn pieces_of(s: &str) -> Vec<Piece> {
    // Saved templates were checked; text that no longer parses renders as written.
    parse_pieces(s).unwrap_or_else(|_| vec![Piece::Text(s.to_owned())])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(claims: Value) -> TemplateInput {
        TemplateInput {
            name: "supabase".into(),
            claims,
            ..Default::default()
        }
    }

    #[test]
    fn defaults_are_clerks() {
        let v = validate(input(json!({"aud": "authenticated"})), None).unwrap();
        assert_eq!((v.lifetime, v.allowed_clock_skew), (60, 5));
        assert!(matches!(v.signing, SigningChoice::Instance));
    }

    #[test]
    fn bad_input_is_refused_with_its_param() {
        let param = |e: CoreError| match e {
            CoreError::ParamFormatInvalid { param, .. }
            | CoreError::ParamValueInvalid { param, .. }
            | CoreError::ParamMissing { param } => param,
            other => panic!("{other:?}"),
        };
        let cases: Vec<(TemplateInput, &str)> = vec![
            (input(json!([1])), "claims"),
            (input(json!("x")), "claims"),
            (input(json!({"sub": "x"})), "claims"),
            (input(json!({"a": {"b": ["{{foo.bar}}"]}})), "claims"),
            (
                TemplateInput {
                    lifetime: Some(29),
                    ..input(json!({}))
                },
                "lifetime",
            ),
            (
                TemplateInput {
                    allowed_clock_skew: Some(301),
                    ..input(json!({}))
                },
                "allowed_clock_skew",
            ),
            (
                TemplateInput {
                    custom_signing_key: Some(true),
                    signing_algorithm: Some("ES256".into()),
                    signing_key: Some("k".into()),
                    ..input(json!({}))
                },
                "signing_algorithm",
            ),
            (
                TemplateInput {
                    custom_signing_key: Some(true),
                    signing_algorithm: Some("HS256".into()),
                    ..input(json!({}))
                },
                "signing_key",
            ),
            (
                TemplateInput {
                    custom_signing_key: Some(true),
                    signing_algorithm: Some("RS256".into()),
                    signing_key: Some(
                        "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----".into(),
                    ),
                    ..input(json!({}))
                },
                "signing_key",
            ),
            (
                TemplateInput {
                    name: "  ".into(),
                    ..input(json!({}))
                },
                "name",
            ),
        ];
        for (case, expected) in cases {
            let err = validate(case, None).unwrap_err();
            assert_eq!(param(err), expected);
        }
    }
}
