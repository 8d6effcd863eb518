//! `/v1/redirect_urls` bodies.

use serde::Deserialize;

use super::fields;

/// `POST /v1/redirect_urls`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRedirectUrlRequest {
    #[serde(with = "fields::required_string")]
    pub url: String,
}
