//! Path parameters. A segment that does not decode, or holds a control character, is simply a
//! resource that does not exist.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

use crate::error::ApiError;

/// The route's parameters in order, percent-decoded.
pub struct PathParams(pub Vec<String>);

impl PathParams {
    pub fn first(&self) -> &str {
        self.0.first().map_or("", String::as_str)
    }
    pub fn second(&self) -> &str {
        self.0.get(1).map_or("", String::as_str)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PathParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let raw = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::route_not_found())?;
        let mut out = Vec::new();
        for (_, value) in raw.iter() {
            let bytes: Vec<u8> =
                form_urlencoded::parse(format!("v={}", value.replace('+', "%2B")).as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned().into_bytes())
                    .unwrap_or_default();
            let segment = String::from_utf8(bytes).map_err(|_| ApiError::route_not_found())?;
            // No stored id holds a control character, and PostgreSQL refuses NUL outright.
            if segment.chars().any(char::is_control) {
                return Err(ApiError::route_not_found());
            }
            out.push(segment);
        }
        Ok(Self(out))
    }
}
