//! The instance settings' wire shapes: Clerk's `instance`, `instance_restrictions` and
//! `organization_settings` objects with Usher's values, and Usher's own `instance_settings`
//! (every setting with its value and source).

use serde_json::{Value, json};
use usher_core::instance::{Instance, InstanceSettings};
use usher_core::instance_settings::{Resolved, StoredSettings};

use super::requests::instance_settings::ENROLLMENT_MODES;

/// `GET /v1/instance`. Usher has no workspaces (`workspace_id` is null).
pub fn instance_json(instance: &Instance, allowed_origins: &[String]) -> Value {
    json!({
        "object": "instance",
        "id": instance.id.as_str(),
        "environment_type": instance.environment.as_str(),
        "allowed_origins": allowed_origins,
        "workspace_id": null,
    })
}

/// `PATCH /v1/instance/restrictions`: the stored restrictions (the lists are never checked at
/// sign-in, which `allowlist_blocklist_disabled_on_sign_in` says).
pub fn restrictions_json(s: &InstanceSettings) -> Value {
    json!({
        "object": "instance_restrictions",
        "allowlist": s.allowlist_enabled,
        "blocklist": s.blocklist_enabled,
        "allowlist_blocklist_disabled_on_sign_in": true,
        "block_email_subaddresses": s.block_email_subaddresses,
        "block_disposable_email_domains": s.block_disposable_email_domains,
        "ignore_dots_for_gmail_addresses": false,
    })
}

/// `GET`/`PATCH /v1/instance/organization_settings`. Usher limits neither roles, domains nor
/// permissions (0, as `max_allowed_memberships` says "no limit").
pub fn organization_settings_json(s: &InstanceSettings) -> Value {
    json!({
        "object": "organization_settings",
        "enabled": s.organizations_enabled,
        "max_allowed_memberships": s.organization_max_allowed_memberships,
        "max_allowed_roles": 0,
        "max_role_sets_allowed": 0,
        "max_allowed_domains": 0,
        "max_allowed_permissions": 0,
        "creator_role": usher_core::roles::system::ADMIN,
        "admin_delete_enabled": s.organization_admin_delete,
        "domains_enabled": s.organization_domains_enabled,
        "slug_disabled": false,
        "domains_enrollment_modes": ENROLLMENT_MODES,
        "domains_default_role": usher_core::roles::system::MEMBER,
        "initial_role_set_key": null,
    })
}

/// What the answering node runs with that is not a stored setting: its `serve` flags.
pub struct NodeFlags {
    pub environment: &'static str,
    pub cookie_same_site: &'static str,
    pub cookie_secure: bool,
    /// Whether `--allowed-origins` overrides the stored list on this node.
    pub allowed_origins_flag: bool,
}

/// `GET`/`PATCH /v1/instance/settings` (Usher's): each setting's value and source on the node
/// that answers, and that node's flags (`node`).
pub fn settings_json(r: &Resolved, node: &NodeFlags) -> Value {
    let settings: serde_json::Map<String, Value> = r
        .entries()
        .into_iter()
        .map(|(k, v, source)| (k, json!({"value": v, "source": source.as_str()})))
        .collect();
    json!({
        "object": "instance_settings",
        "version": r.version,
        "settings": settings,
        "node": {
            "environment_type": node.environment,
            "cookie_same_site": node.cookie_same_site,
            "cookie_secure": node.cookie_secure,
            "allowed_origins_flag": node.allowed_origins_flag,
        },
    })
}

/// The `usher.security.instance_settings.updated` payload: the keys set and their values.
pub fn stored_json(s: &StoredSettings) -> Value {
    json!({
        "object": "instance_settings",
        "values": s.values,
        "updated_at": s.updated_at,
    })
}
