//! `/v1/waitlist_entries` bodies (Backend API) and `/v1/waitlist` (Frontend API).

use serde::Deserialize;

use super::fields;

/// `POST /v1/waitlist_entries` (and each item of `…/bulk`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateWaitlistEntryRequest {
    #[serde(with = "fields::required_string")]
    pub email_address: String,
    /// A confirmation email (Clerk's default: yes). Usher sends none: the invitation is the
    /// email an entry gets.
    #[serde(default, with = "fields::boolean")]
    pub notify: Option<bool>,
}

/// `POST /v1/waitlist_entries/bulk`: the array, wrapped as `{"entries": …}` by
/// [`BulkWaitlistRequest::wrap`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkWaitlistRequest {
    pub entries: Vec<CreateWaitlistEntryRequest>,
}

impl BulkWaitlistRequest {
    /// The body wrapped as `{"entries": …}` when it is an array; otherwise as sent (an object
    /// is then refused as an unknown or missing field).
    pub fn wrap(body: &[u8]) -> Vec<u8> {
        super::wrap_array("entries", body)
    }
}

/// `POST /v1/waitlist_entries/{waitlist_entry_id}/invite`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteWaitlistEntryRequest {
    #[serde(default, with = "fields::boolean")]
    pub ignore_existing: Option<bool>,
}

/// `POST /v1/waitlist_entries/{waitlist_entry_id}/reject`: no fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectWaitlistEntryRequest {}
