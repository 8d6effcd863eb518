//! `/v1/role_sets` bodies.

use std::collections::BTreeMap;

use serde::Deserialize;
use usher_core::roles::sets::{AddRoles, NewRoleSet, RoleSetPatch};

use super::fields;

/// `POST /v1/role_sets`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRoleSetRequest {
    #[serde(with = "fields::required_string")]
    name: String,
    #[serde(default, with = "fields::string")]
    key: Option<String>,
    #[serde(default, with = "fields::string")]
    description: Option<String>,
    #[serde(with = "fields::required_string")]
    default_role_key: String,
    #[serde(with = "fields::required_string")]
    creator_role_key: String,
    #[serde(default, rename = "type", with = "fields::string")]
    kind: Option<String>,
    #[serde(with = "fields::required_string_array")]
    roles: Vec<String>,
}

impl From<CreateRoleSetRequest> for NewRoleSet {
    fn from(r: CreateRoleSetRequest) -> Self {
        NewRoleSet {
            name: r.name,
            key: r.key,
            description: r.description,
            default_role_key: r.default_role_key,
            creator_role_key: r.creator_role_key,
            kind: r.kind,
            roles: r.roles,
        }
    }
}

/// `PATCH /v1/role_sets/{role_set_key_or_id}`: every field may be `null` (left alone), except
/// `description`, which `null` or `""` clears.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateRoleSetRequest {
    #[serde(default, with = "fields::string")]
    name: Option<String>,
    #[serde(default, with = "fields::string")]
    key: Option<String>,
    #[serde(default, with = "fields::nullable_string")]
    description: Option<Option<String>>,
    #[serde(default, rename = "type", with = "fields::string")]
    kind: Option<String>,
    #[serde(default, with = "fields::string")]
    default_role_key: Option<String>,
    #[serde(default, with = "fields::string")]
    creator_role_key: Option<String>,
}

impl From<UpdateRoleSetRequest> for RoleSetPatch {
    fn from(r: UpdateRoleSetRequest) -> Self {
        RoleSetPatch {
            name: r.name,
            key: r.key,
            description: r.description,
            kind: r.kind,
            default_role_key: r.default_role_key,
            creator_role_key: r.creator_role_key,
        }
    }
}

/// `POST /v1/role_sets/{role_set_key_or_id}/roles`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddRolesRequest {
    #[serde(with = "fields::required_string_array")]
    role_keys: Vec<String>,
    #[serde(default, with = "fields::string")]
    default_role_key: Option<String>,
    #[serde(default, with = "fields::string")]
    creator_role_key: Option<String>,
}

impl From<AddRolesRequest> for AddRoles {
    fn from(r: AddRolesRequest) -> Self {
        AddRoles {
            role_keys: r.role_keys,
            default_role_key: r.default_role_key,
            creator_role_key: r.creator_role_key,
        }
    }
}

/// `POST /v1/role_sets/{role_set_key_or_id}/replace`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplaceRoleSetRequest {
    #[serde(with = "fields::required_string")]
    pub dest_role_set_key: String,
    /// Source role key to destination role key.
    #[serde(default)]
    reassignment_mappings: Option<BTreeMap<String, String>>,
}

impl ReplaceRoleSetRequest {
    pub fn mappings(&self) -> Vec<(String, String)> {
        self.reassignment_mappings
            .iter()
            .flatten()
            .map(|(from, to)| (from.clone(), to.clone()))
            .collect()
    }
}

/// `POST /v1/role_sets/{role_set_key_or_id}/roles/replace`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplaceRoleRequest {
    #[serde(with = "fields::required_string")]
    pub role_key: String,
    #[serde(with = "fields::required_string")]
    pub to_role_key: String,
}
