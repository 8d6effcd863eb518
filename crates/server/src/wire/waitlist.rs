//! Clerk's `waitlist_entry` shapes: the Backend API's entry (with the invitation inviting it
//! created) and the Frontend API's answer to joining, which names the entry and nothing more.

use serde_json::{Value, json};
use usher_core::clock::Millis;
use usher_core::invitations::Invitation;
use usher_core::waitlist::WaitlistEntry;

use super::invitations::InvitationJson;

pub fn entry_json(e: &WaitlistEntry, invitation: Option<&Invitation>, now: Millis) -> Value {
    json!({
        "object": "waitlist_entry",
        "id": e.id,
        "email_address": e.email_address,
        "status": e.status.as_str(),
        "is_locked": false,
        "created_at": e.created_at,
        "updated_at": e.updated_at,
        "invitation": invitation.map(|i| InvitationJson::new(i, now)),
    })
}

/// `POST /v1/waitlist` (Frontend API): the same shape whether the address was new, already
/// waiting, or has an account.
pub fn joined_json(id: &str) -> Value {
    json!({
        "object": "waitlist_entry",
        "id": id,
    })
}
