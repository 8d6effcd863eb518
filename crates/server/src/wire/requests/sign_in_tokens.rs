//! `/v1/sign_in_tokens` bodies.

use serde::Deserialize;

use super::fields;

/// `POST /v1/sign_in_tokens`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSignInTokenRequest {
    #[serde(with = "fields::required_string")]
    pub user_id: String,
    #[serde(default, with = "fields::int")]
    pub expires_in_seconds: Option<i64>,
    /// Activating an organization at sign-in is not supported: refused when given.
    #[serde(default, with = "fields::unsupported")]
    pub org_id: (),
}
