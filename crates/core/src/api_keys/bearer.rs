//! The rules API keys and M2M tokens share: both are bearer credentials of Clerk's machine
//! authentication, with custom claims, a lifetime in seconds and a revocation reason, bounded
//! alike so that the two objects answer alike.

use serde_json::Value;

use crate::error::{CoreError, CoreResult};
use crate::text;

/// The custom claims' JSON, at most: claims travel in every verification answer (and every
/// M2M JWT), so they are kept small.
const CLAIMS_MAX_BYTES: usize = 4096;
/// A revocation reason's characters, at most.
const REASON_MAX: usize = 1024;
/// The longest lifetime, ten years: far enough for any real credential, near enough that the
/// arithmetic never overflows (a machine's default token lifetime has the same bound).
pub const LIFETIME_MAX_SECONDS: i64 = 10 * 365 * 24 * 3600;

/// Custom `claims`: a JSON object of at most 4096 bytes; none, or `null`, is `None`.
pub fn claims(c: Option<Value>) -> CoreResult<Option<Value>> {
    match c {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Object(_)) => {
            if v.to_string().len() > CLAIMS_MAX_BYTES {
                return Err(CoreError::value(
                    "claims",
                    "must be at most 4096 bytes of JSON",
                ));
            }
            Ok(Some(v))
        }
        Some(_) => Err(CoreError::value("claims", "must be a JSON object")),
    }
}

/// `seconds_until_expiration`: more than zero, at most ten years.
pub fn lifetime_seconds(s: i64) -> CoreResult<i64> {
    if s <= 0 {
        return Err(CoreError::value(
            "seconds_until_expiration",
            "must be greater than zero",
        ));
    }
    if s > LIFETIME_MAX_SECONDS {
        return Err(CoreError::value(
            "seconds_until_expiration",
            "must be at most ten years",
        ));
    }
    Ok(s)
}

/// A revocation's reason as kept: at most 1024 characters; an empty one is none.
pub fn revocation_reason(reason: Option<String>) -> CoreResult<Option<String>> {
    if let Some(r) = &reason {
        text::at_most("revocation_reason", r, REASON_MAX)?;
    }
    Ok(reason.filter(|r| !r.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claims_are_a_bounded_object() {
        assert_eq!(claims(None), Ok(None));
        assert_eq!(claims(Some(Value::Null)), Ok(None));
        assert_eq!(claims(Some(json!({"a": 1}))), Ok(Some(json!({"a": 1}))));
        assert!(claims(Some(json!([1]))).is_err());
        assert!(claims(Some(json!({"a": "x".repeat(4096)}))).is_err());
    }

    #[test]
    fn lifetimes_and_reasons_are_bounded() {
        assert!(lifetime_seconds(0).is_err());
        assert_eq!(lifetime_seconds(60), Ok(60));
        assert!(lifetime_seconds(LIFETIME_MAX_SECONDS + 1).is_err());
        assert_eq!(revocation_reason(Some(String::new())), Ok(None));
        assert!(revocation_reason(Some("x".repeat(1025))).is_err());
    }
}
