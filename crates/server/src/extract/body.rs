//! JSON request bodies. Clerk's JS SDK sends `Content-Type: application/json` even on body-less
//! POSTs, so an empty body is an empty object. Bodies are bounded; every field is read with a
//! typed accessor that names the parameter at fault, and unknown fields are refused.

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use serde_json::{Map, Value};
use usher_core::CoreError;
use usher_core::users::model::Metadata;

use crate::error::ApiError;

pub const BODY_LIMIT: usize = 1024 * 1024;

pub struct JsonBody(Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::to_bytes(req.into_body(), BODY_LIMIT)
            .await
            .map_err(|_| ApiError::body_too_large(BODY_LIMIT))?;
        Self::parse(&bytes)
    }
}

impl JsonBody {
    pub fn parse(bytes: &[u8]) -> Result<Self, ApiError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(Map::new()));
        }
        // serde_json refuses nesting deeper than 128 levels, so deep JSON is an error, not a stack overflow.
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => {
                crate::extract::text::check_json_fields(&map)?;
                Ok(Self(map))
            }
            Ok(_) => Err(ApiError::body_invalid(
                "The request body must be a JSON object.",
            )),
            Err(e) => Err(ApiError::body_invalid(format!(
                "The request body is not valid JSON: {e}."
            ))),
        }
    }

    pub fn empty() -> Self {
        Self(Map::new())
    }

    /// Refuses any field not in `allowed`, naming the first one.
    pub fn only(&self, allowed: &[&str]) -> Result<(), CoreError> {
        match self.0.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(CoreError::ParamUnknown {
                param: k.chars().take(100).collect(),
            }),
            None => Ok(()),
        }
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    pub fn string(&self, key: &str) -> Result<Option<String>, CoreError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(CoreError::format(key, "must be a string")),
        }
    }

    /// `None` when absent, `Some(None)` when explicitly null (clear the field).
    pub fn nullable_string(&self, key: &str) -> Result<Option<Option<String>>, CoreError> {
        match self.0.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) if s.is_empty() => Ok(Some(None)),
            Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
            Some(_) => Err(CoreError::format(key, "must be a string or null")),
        }
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, CoreError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(CoreError::format(key, "must be a boolean")),
        }
    }

    pub fn flag(&self, key: &str) -> Result<bool, CoreError> {
        Ok(self.bool(key)?.unwrap_or(false))
    }

    pub fn i64(&self, key: &str) -> Result<Option<i64>, CoreError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| CoreError::format(key, "must be an integer")),
            Some(_) => Err(CoreError::format(key, "must be an integer")),
        }
    }

    pub fn nullable_i64(&self, key: &str) -> Result<Option<Option<i64>>, CoreError> {
        match self.0.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(_) => Ok(Some(self.i64(key)?)),
        }
    }

    /// A string or an array of strings, as Clerk accepts for `email_address` and `phone_number`.
    pub fn string_list(&self, key: &str) -> Result<Vec<String>, CoreError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| CoreError::format(key, "must be an array of strings"))
                })
                .collect(),
            Some(_) => Err(CoreError::format(key, "must be an array of strings")),
        }
    }

    pub fn metadata(&self, key: &str) -> Result<Option<Metadata>, CoreError> {
        usher_core::users::metadata::expect_object(
            key,
            self.0.get(key).cloned().unwrap_or(Value::Null),
        )
    }

    /// An RFC 3339 date-time, returned as epoch milliseconds.
    pub fn rfc3339(&self, key: &str) -> Result<Option<i64>, CoreError> {
        let Some(s) = self.string(key)? else {
            return Ok(None);
        };
        parse_rfc3339(&s).map(Some).ok_or_else(|| {
            CoreError::format(
                key,
                "must be an RFC 3339 date-time, e.g. 2012-10-20T07:15:20.902Z",
            )
        })
    }

    pub fn nullable_rfc3339(&self, key: &str) -> Result<Option<Option<i64>>, CoreError> {
        match self.0.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(_) => Ok(Some(self.rfc3339(key)?)),
        }
    }
}

pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// Bodies that are not needed still have to be bounded and drained.
pub async fn discard(body: Body) -> Result<(), ApiError> {
    axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map(|_| ())
        .map_err(|_| ApiError::body_too_large(BODY_LIMIT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_edge_cases() {
        assert!(JsonBody::parse(b"").is_ok());
        assert!(JsonBody::parse(b"  \n").is_ok());
        assert_eq!(
            JsonBody::parse(b"[1]").err().map(|e| e.status.as_u16()),
            Some(400)
        );
        assert_eq!(
            JsonBody::parse(b"{\"a\":").err().map(|e| e.status.as_u16()),
            Some(400)
        );
        assert_eq!(
            JsonBody::parse(&[b'{', 0xff, b'}'])
                .err()
                .map(|e| e.status.as_u16()),
            Some(400)
        );
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(
            JsonBody::parse(format!("{{\"a\":{deep}}}").as_bytes())
                .err()
                .map(|e| e.status.as_u16()),
            Some(400)
        );
        let b = JsonBody::parse(br#"{"x":null,"n":1.5,"s":["a",2]}"#).unwrap();
        assert_eq!(b.string("x").unwrap(), None);
        assert!(b.i64("n").is_err());
        assert!(b.string_list("s").is_err());
        assert!(b.only(&["x", "n"]).is_err());
        assert_eq!(
            parse_rfc3339("2012-10-20T07:15:20.902Z"),
            Some(1_350_717_320_902)
        );
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
