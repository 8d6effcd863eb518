//! Frontend API request bodies: clerk-js sends `application/x-www-form-urlencoded` with
//! snake_case keys; JSON objects of scalars are accepted too. Unknown keys are ignored, as
//! clerk-js adds fields (`locale`, `timezone`, `tab_state`, …) that change between versions.

use std::collections::HashMap;

use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde_json::Value;
use usher_core::CoreError;
use usher_core::users::model::Metadata;

use crate::error::ApiError;
use crate::extract::body::BODY_LIMIT;

#[derive(Debug, Default)]
pub struct Form(HashMap<String, String>);

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let bytes = axum::body::to_bytes(req.into_body(), BODY_LIMIT)
            .await
            .map_err(|_| ApiError::body_too_large(BODY_LIMIT))?;
        if json {
            Self::from_json(&bytes)
        } else {
            let fields: HashMap<String, String> = form_urlencoded::parse(&bytes)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            crate::extract::text::check_form_fields(&fields)?;
            Ok(Self(fields))
        }
    }
}

impl Form {
    fn from_json(bytes: &[u8]) -> Result<Self, ApiError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::default());
        }
        let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(bytes) else {
            return Err(ApiError::body_invalid(
                "The request body must be a form or a JSON object.",
            ));
        };
        crate::extract::text::check_json_fields(&map)?;
        Ok(Self(
            map.into_iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k, s)),
                    Value::Null => None,
                    other => Some((k, other.to_string())),
                })
                .collect(),
        ))
    }

    /// A non-empty value, trimmed of nothing (passwords keep their spaces).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn string(&self, key: &str) -> Option<String> {
        self.get(key).map(str::to_owned)
    }

    /// Present even when empty (`active_organization_id=` clears the organization).
    pub fn raw(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    pub fn required(&self, key: &str) -> Result<&str, CoreError> {
        self.get(key).ok_or_else(|| CoreError::missing(key))
    }

    pub fn flag(&self, key: &str) -> Result<bool, CoreError> {
        match self.get(key) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(_) => Err(CoreError::format(key, "must be true or false")),
        }
    }

    /// A JSON object sent as a string (`unsafe_metadata`).
    pub fn metadata(&self, key: &str) -> Result<Option<Metadata>, CoreError> {
        match self.get(key) {
            None => Ok(None),
            Some(s) => match serde_json::from_str::<Value>(s) {
                Ok(Value::Object(m)) => Ok(Some(m)),
                _ => Err(CoreError::format(key, "must be a JSON object")),
            },
        }
    }
}
