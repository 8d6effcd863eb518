//! `/v1/sessions` bodies.

use serde::Deserialize;

use super::fields;

/// `POST /v1/sessions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSessionRequest {
    #[serde(with = "fields::required_string")]
    pub user_id: String,
    #[serde(default, with = "fields::string")]
    pub active_organization_id: Option<String>,
}

/// `POST /v1/sessions/{session_id}/tokens`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    #[serde(default, with = "fields::int")]
    pub expires_in_seconds: Option<i64>,
}
