//! Organizations as clerk-js reads them: the Backend API's shapes without what only the Backend
//! API may see (private metadata), and roles with their permissions.

use serde_json::{Value, json};
use usher_core::organizations::Organization;
use usher_core::organizations::model::MembershipDetails;
use usher_core::roles::model::Role;

use crate::wire::organizations::{MembershipJson, OrganizationJson};

/// What only the Backend API may see, and `role_set_key`, which the Frontend API's organization
/// does not have (Clerk's spec forbids it there).
const NOT_IN_FRONTEND: [&str; 3] = ["private_metadata", "created_by", "role_set_key"];

fn public(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        for k in NOT_IN_FRONTEND {
            o.remove(k);
        }
    }
    v
}

pub fn organization(o: &Organization) -> Value {
    public(serde_json::to_value(OrganizationJson::new(o, true)).unwrap_or_default())
}

pub fn membership(d: &MembershipDetails) -> Value {
    let mut v = public(serde_json::to_value(MembershipJson::new(d)).unwrap_or_default());
    v["organization"] = organization(&d.organization);
    v
}

pub fn memberships(list: &[MembershipDetails], total: i64) -> Value {
    json!({
        "data": list.iter().map(membership).collect::<Vec<_>>(),
        "total_count": total,
    })
}

pub fn role(r: &Role) -> Value {
    json!({
        "object": "role",
        "id": r.id,
        "key": r.key,
        "name": r.name,
        "description": r.description.clone().unwrap_or_default(),
        "is_creator_eligible": r.is_creator_eligible(),
        "permissions": r.permissions.iter().map(|p| json!({
            "object": "permission",
            "id": p.id,
            "key": p.key,
            "name": p.name,
            "description": p.description,
            "type": p.kind.as_str(),
            "created_at": p.created_at,
            "updated_at": p.updated_at,
        })).collect::<Vec<_>>(),
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    })
}

pub fn deleted(object: &str, id: &str) -> Value {
    json!({ "object": object, "id": id, "deleted": true })
}

/// An invitation as its invitee reads it (Clerk's `OrganizationInvitationUserContext`): the
/// organization's public data beside it, nothing only the Backend API may see.
pub fn user_invitation(
    i: &usher_core::organizations::invitations::OrganizationInvitation,
    o: &Organization,
    now: usher_core::clock::Millis,
) -> Value {
    let org = OrganizationJson::new(o, false);
    // The link the email carried is the ticket's, not for the invitee's app to reuse.
    let mut v = organization_invitation(i, now);
    if let Some(m) = v.as_object_mut() {
        m.insert(
            "public_organization_data".into(),
            json!({
                "id": o.id,
                "name": o.name,
                "slug": o.slug,
                "image_url": org.image_url,
                "has_image": org.has_image,
            }),
        );
    }
    v
}

/// An invitation as an organization's admin reads it in clerk-js: the Backend API's shape without
/// what only the Backend API may see, and without the link (the ticket is the invitee's alone).
pub fn organization_invitation(
    i: &usher_core::organizations::invitations::OrganizationInvitation,
    now: usher_core::clock::Millis,
) -> Value {
    let mut v = serde_json::to_value(crate::wire::organization_invitations::InvitationJson::new(
        i, now,
    ))
    .unwrap_or_default();
    if let Some(m) = v.as_object_mut() {
        for k in ["private_metadata", "inviter_id", "public_inviter_data"] {
            m.remove(k);
        }
        m.insert("url".into(), Value::Null);
    }
    v
}
