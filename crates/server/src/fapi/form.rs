//! Frontend API request bodies: clerk-js sends `application/x-www-form-urlencoded` with
//! snake_case keys; JSON objects of scalars are accepted too. The fields are read into the typed
//! forms of `wire::requests::frontend`, where the handler used to read them, so that a signed-out
//! client still hears that first. Unknown keys are ignored, as clerk-js adds fields (`locale`,
//! `timezone`, `tab_state`, …) that change between versions. A repeated form key keeps its last
//! value for the typed forms; a list field (clerk-js sends an array as the key repeated, e.g. the
//! addresses of a bulk invitation) is read whole with `Form::all`. A JSON key given twice is
//! refused, as in the Backend API.

use std::collections::HashMap;

use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::extract::body::{BODY_LIMIT, json_object, read_fields};

#[derive(Debug, Default)]
pub struct Form {
    fields: HashMap<String, String>,
    /// Every value of each key, in order.
    lists: HashMap<String, Vec<String>>,
}

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
            let form = Self::from_pairs(
                form_urlencoded::parse(&bytes).map(|(k, v)| (k.into_owned(), v.into_owned())),
            );
            // Every value, not only the last of a repeated key: a list field reads them all.
            crate::extract::text::check_form_fields(
                form.lists
                    .iter()
                    .flat_map(|(k, vs)| vs.iter().map(move |v| (k, v))),
            )?;
            Ok(form)
        }
    }
}

impl Form {
    pub fn from_json(bytes: &[u8]) -> Result<Self, ApiError> {
        let map = json_object(bytes).map_err(|e| {
            if e.code == "request_body_invalid" {
                ApiError::body_invalid("The request body must be a form or a JSON object.")
            } else {
                e
            }
        })?;
        let mut form = Self::default();
        for (k, v) in map {
            let text = match v {
                Value::String(s) => s,
                Value::Null => continue,
                Value::Array(items) => {
                    let strings: Vec<String> = items
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_owned))
                        .collect();
                    let text = Value::Array(items).to_string();
                    form.lists.insert(k.clone(), strings);
                    form.fields.insert(k, text);
                    continue;
                }
                other => other.to_string(),
            };
            form.lists.insert(k.clone(), vec![text.clone()]);
            form.fields.insert(k, text);
        }
        Ok(form)
    }

    pub fn from_pairs(pairs: impl Iterator<Item = (String, String)>) -> Self {
        let mut form = Self::default();
        for (k, v) in pairs {
            form.lists.entry(k.clone()).or_default().push(v.clone());
            form.fields.insert(k, v);
        }
        form
    }

    /// Every value given for `key` (or `key[]`), in order; none: empty.
    pub fn all(&self, key: &str) -> Vec<String> {
        let bracketed = format!("{key}[]");
        [key, bracketed.as_str()]
            .iter()
            .filter_map(|k| self.lists.get(*k))
            .flatten()
            .cloned()
            .collect()
    }

    /// The form read into `T`, naming the field at fault.
    pub fn read<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        let fields: Map<String, Value> = self
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        read_fields(fields)
    }
}
