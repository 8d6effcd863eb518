//! Query strings the way Clerk's SDKs send them: arrays as repeated keys, booleans as
//! `true`/`false`, falsy values simply absent.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use usher_core::CoreError;
use usher_core::users::query::Page;

use crate::error::ApiError;

pub struct QueryParams(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let q = parts.uri.query().unwrap_or("");
        Ok(Self(
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }
}

impl QueryParams {
    /// Every value of a repeated key; `key[]` is accepted too.
    pub fn all(&self, key: &str) -> Vec<String> {
        let bracketed = format!("{key}[]");
        self.0
            .iter()
            .filter(|(k, _)| k == key || *k == bracketed)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn one(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// `status` as a list: it may repeat, and each value may be a comma list (clerk-js splits a
    /// list into repeated keys); none: every status. One that `parse` does not know is refused
    /// with `allowed`.
    pub fn statuses<T>(
        &self,
        parse: fn(&str) -> Option<T>,
        allowed: &'static str,
    ) -> Result<Vec<T>, ApiError> {
        self.all("status")
            .iter()
            .flat_map(|s| s.split(','))
            .filter(|s| !s.is_empty())
            .map(|s| parse(s).ok_or_else(|| ApiError::query(CoreError::value("status", allowed))))
            .collect()
    }

    /// `limit` and `offset`, checked as every list checks them.
    pub fn page(&self) -> Result<Page, ApiError> {
        Page::new(self.i64("limit")?, self.i64("offset")?).map_err(ApiError::query)
    }

    pub fn i64(&self, key: &str) -> Result<Option<i64>, ApiError> {
        self.one(key)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ApiError::query(CoreError::format(key, "must be an integer")))
            })
            .transpose()
    }

    /// An integer that may be written as a whole float (`10.0`), as the Python SDK writes the
    /// paging of the routes Clerk's spec types as numbers (`GET /m2m_tokens`).
    pub fn whole(&self, key: &str) -> Result<Option<i64>, ApiError> {
        let Some(v) = self.one(key) else {
            return Ok(None);
        };
        if let Ok(i) = v.parse::<i64>() {
            return Ok(Some(i));
        }
        match v.parse::<f64>() {
            Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => Ok(Some(f as i64)),
            _ => Err(ApiError::query(CoreError::format(
                key,
                "must be an integer",
            ))),
        }
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.one(key) {
            None => Ok(None),
            Some("true" | "1") => Ok(Some(true)),
            Some("false" | "0") => Ok(Some(false)),
            Some(_) => Err(ApiError::query(CoreError::format(
                key,
                "must be true or false",
            ))),
        }
    }
}
