//! Clerk's `role_set` object and its `role_set_item`s (Role Sets).

use serde::Serialize;
use usher_core::clock::Millis;
use usher_core::ids::RoleSetId;
use usher_core::roles::RoleCatalog;
use usher_core::roles::sets::RoleSet;

#[derive(Debug, Serialize)]
pub struct RoleSetItemJson {
    pub object: &'static str,
    /// The role's id; a key the instance no longer has shows as its key.
    pub id: String,
    pub name: String,
    pub key: String,
    pub description: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl RoleSetItemJson {
    fn new(catalog: &RoleCatalog, key: &str, set: &RoleSet) -> Self {
        match catalog.get(key) {
            Some(r) => Self {
                object: "role_set_item",
                id: r.id.to_string(),
                name: r.name.clone(),
                key: r.key.clone(),
                description: r.description.clone(),
                created_at: r.created_at,
                updated_at: r.updated_at,
            },
            None => Self {
                object: "role_set_item",
                id: key.to_owned(),
                name: key.to_owned(),
                key: key.to_owned(),
                description: None,
                created_at: set.created_at,
                updated_at: set.updated_at,
            },
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RoleSetJson {
    pub object: &'static str,
    pub id: RoleSetId,
    pub name: String,
    pub key: String,
    pub description: Option<String>,
    pub roles: Vec<RoleSetItemJson>,
    pub default_role: Option<RoleSetItemJson>,
    pub creator_role: Option<RoleSetItemJson>,
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Replacing a set or a role in it moves members in the same transaction: no migration is
    /// ever left running.
    pub role_set_migration: Option<()>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl RoleSetJson {
    pub fn new(s: &RoleSet, catalog: &RoleCatalog) -> Self {
        Self {
            object: "role_set",
            id: s.id.clone(),
            name: s.name.clone(),
            key: s.key.clone(),
            description: s.description.clone(),
            roles: s
                .role_keys
                .iter()
                .map(|k| RoleSetItemJson::new(catalog, k, s))
                .collect(),
            default_role: Some(RoleSetItemJson::new(catalog, &s.default_role_key, s)),
            creator_role: Some(RoleSetItemJson::new(catalog, &s.creator_role_key, s)),
            kind: s.kind.as_str(),
            role_set_migration: None,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// Clerk's `DeletedObject` for a replaced (deleted) role set.
#[derive(Debug, Serialize)]
pub struct DeletedRoleSetJson {
    pub object: &'static str,
    pub id: RoleSetId,
    pub deleted: bool,
}

impl DeletedRoleSetJson {
    pub fn new(id: &RoleSetId) -> Self {
        Self {
            object: "role_set",
            id: id.clone(),
            deleted: true,
        }
    }
}
