//! Frontend API request bodies: clerk-js sends `application/x-www-form-urlencoded` with
//! snake_case keys; JSON objects of scalars are accepted too. The fields are read into the typed
//! forms of `wire::requests::frontend`, where the handler used to read them, so that a signed-out
//! client still hears that first. Unknown keys are ignored, as clerk-js adds fields (`locale`,
//! `timezone`, `tab_state`, …) that change between versions. A repeated form key keeps its last
//! value, as browsers' form encoders never repeat the keys these forms read; a JSON key given
//! twice is refused, as in the Backend API.

use std::collections::HashMap;

use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::extract::body::{BODY_LIMIT, json_object, read_fields};

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
        let map = json_object(bytes).map_err(|e| {
            if e.code == "request_body_invalid" {
                ApiError::body_invalid("The request body must be a form or a JSON object.")
            } else {
                e
            }
        })?;
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

    /// The form read into `T`, naming the field at fault.
    pub fn read<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        let fields: Map<String, Value> = self
            .0
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        read_fields(fields)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::wire::requests::frontend::{ChangePasswordForm, TouchForm};

    fn urlencoded(body: &str) -> Form {
        Form(
            form_urlencoded::parse(body.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    fn fault(r: Result<ChangePasswordForm, ApiError>) -> (&'static str, String) {
        let e = r.err().unwrap();
        let param = e.detail.meta["param_name"].as_str().unwrap().to_owned();
        (e.code, param)
    }

    #[test]
    fn forms_are_read_by_field_and_faults_named() {
        let f: ChangePasswordForm = urlencoded(
            "new_password=a+b&sign_out_of_other_sessions=true&tab_state=x&current_password=",
        )
        .read()
        .unwrap();
        assert_eq!(f.new_password, "a b");
        assert!(f.sign_out_of_other_sessions);
        assert_eq!(f.current_password, None);
        assert_eq!(
            fault(urlencoded("new_password=").read()),
            ("form_param_missing", "new_password".to_owned())
        );
        assert_eq!(
            fault(urlencoded("new_password=x&sign_out_of_other_sessions=yes").read()),
            (
                "form_param_format_invalid",
                "sign_out_of_other_sessions".to_owned()
            )
        );
        // An empty organization is kept: it clears the active one.
        let t: TouchForm = urlencoded("active_organization_id=").read().unwrap();
        assert_eq!(t.active_organization_id.as_deref(), Some(""));
        // JSON: scalars read as their text, a key given twice refused.
        let j =
            Form::from_json(br#"{"new_password":"p","sign_out_of_other_sessions":true}"#).unwrap();
        assert!(
            j.read::<ChangePasswordForm>()
                .unwrap()
                .sign_out_of_other_sessions
        );
        let dup = Form::from_json(br#"{"code":"1","code":"2"}"#)
            .err()
            .unwrap();
        assert_eq!(dup.code, "form_param_format_invalid");
        assert_eq!(
            Form::from_json(b"[1]").err().unwrap().code,
            "request_body_invalid"
        );
    }
}
