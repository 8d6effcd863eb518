//! Frontend API forms of the signed-in user's connected accounts. `additional_scope` is a list
//! (clerk-js repeats the key), read whole by the handler.

use serde::Deserialize;

use super::fields::form;

/// `POST /v1/me/external_accounts`.
#[derive(Debug, Deserialize)]
pub struct ConnectExternalAccountForm {
    #[serde(default, with = "form::text")]
    pub strategy: Option<String>,
    #[serde(default, with = "form::text")]
    pub enterprise_connection_id: Option<String>,
    #[serde(default, with = "form::text")]
    pub redirect_url: Option<String>,
    #[serde(default, with = "form::text")]
    pub action_complete_redirect_url: Option<String>,
}

/// `PATCH /v1/me/external_accounts/{id}/reauthorize`.
#[derive(Debug, Deserialize)]
pub struct ReauthorizeExternalAccountForm {
    #[serde(default, with = "form::text")]
    pub redirect_url: Option<String>,
    #[serde(default, with = "form::text")]
    pub action_complete_redirect_url: Option<String>,
}
