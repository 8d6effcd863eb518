//! Clerk's `allowlist_identifier` and `blocklist_identifier` shapes.

use serde_json::{Value, json};
use usher_core::identifier_lists::{ListKind, ListedIdentifier};

pub fn entry_json(e: &ListedIdentifier, instance_id: &str) -> Value {
    match e.list {
        ListKind::Allow => json!({
            "object": "allowlist_identifier",
            "id": e.id,
            "invitation_id": null,
            "identifier": e.identifier,
            "identifier_type": e.identifier_type,
            "instance_id": instance_id,
            "created_at": e.created_at,
            "updated_at": e.updated_at,
        }),
        ListKind::Block => json!({
            "object": "blocklist_identifier",
            "id": e.id,
            "identifier": e.identifier,
            "identifier_type": e.identifier_type,
            "instance_id": instance_id,
            "created_at": e.created_at,
            "updated_at": e.updated_at,
        }),
    }
}

/// The deleted object Clerk answers a removal with.
pub fn deleted_json(list: ListKind, id: &str) -> Value {
    json!({
        "object": match list {
            ListKind::Allow => "allowlist_identifier",
            ListKind::Block => "blocklist_identifier",
        },
        "id": id,
        "deleted": true,
    })
}
