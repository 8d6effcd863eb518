//! `/v1/domains` bodies.

use serde::Deserialize;

use super::fields;

/// `POST /v1/domains`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddDomainRequest {
    #[serde(with = "fields::required_string")]
    pub name: String,
    #[serde(default, with = "fields::boolean")]
    pub is_satellite: Option<bool>,
    #[serde(default, with = "fields::string")]
    pub proxy_url: Option<String>,
}

/// `PATCH /v1/domains/{domain_id}`: what is absent stays as it is; a `null` or empty
/// `proxy_url` clears it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateDomainRequest {
    #[serde(default, with = "fields::string")]
    pub name: Option<String>,
    #[serde(default, with = "fields::nullable_string")]
    pub proxy_url: Option<Option<String>>,
    /// Accepted; every satellite's name is kept whole.
    #[serde(default, with = "fields::boolean")]
    pub is_secondary: Option<bool>,
}
