//! `/v1/allowlist_identifiers` and `/v1/blocklist_identifiers` bodies.

use serde::Deserialize;

use super::fields;

/// `POST /v1/allowlist_identifiers`. `notify` (an invitation to the identifier) is accepted;
/// Usher sends none: invite through `/v1/invitations`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowlistRequest {
    #[serde(with = "fields::required_string")]
    pub identifier: String,
    #[serde(default, with = "fields::boolean")]
    pub notify: Option<bool>,
}

/// `POST /v1/blocklist_identifiers`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlocklistRequest {
    #[serde(with = "fields::required_string")]
    pub identifier: String,
}
