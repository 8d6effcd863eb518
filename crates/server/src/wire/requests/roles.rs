//! `/v1/organization_roles` and `/v1/organization_permissions` bodies.

use serde::Deserialize;
use serde::de::Deserializer;
use usher_core::roles::manage::{NewPermission, NewRole, PermissionPatch, RolePatch};

use super::fields;

/// `permissions`: an array of permission ids; `null` is absent.
fn permission_ids<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    fields::optional_strings(d, "must be an array of permission ids")
}

/// `POST /v1/organization_roles`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateRoleRequest {
    #[serde(with = "fields::required_string")]
    name: String,
    #[serde(with = "fields::required_string")]
    key: String,
    #[serde(default, with = "fields::string")]
    description: Option<String>,
    #[serde(default, deserialize_with = "permission_ids")]
    permissions: Option<Vec<String>>,
    /// Role sets are not kept: every role may be assigned in every organization.
    #[serde(default, with = "fields::boolean")]
    #[allow(dead_code)]
    include_in_initial_role_set: Option<bool>,
}

impl From<CreateRoleRequest> for NewRole {
    fn from(r: CreateRoleRequest) -> Self {
        NewRole {
            name: r.name,
            key: r.key,
            description: r.description,
            permissions: r.permissions.unwrap_or_default(),
        }
    }
}

/// `PATCH /v1/organization_roles/{organization_role_id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateRoleRequest {
    #[serde(default, with = "fields::string")]
    name: Option<String>,
    #[serde(default, with = "fields::string")]
    key: Option<String>,
    /// `null` or `""` clears it.
    #[serde(default, with = "fields::nullable_string")]
    description: Option<Option<String>>,
    #[serde(default, deserialize_with = "permission_ids")]
    permissions: Option<Vec<String>>,
}

impl From<UpdateRoleRequest> for RolePatch {
    fn from(r: UpdateRoleRequest) -> Self {
        RolePatch {
            name: r.name,
            key: r.key,
            description: r.description,
            permissions: r.permissions,
        }
    }
}

/// `POST /v1/organization_permissions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePermissionRequest {
    #[serde(with = "fields::required_string")]
    name: String,
    #[serde(with = "fields::required_string")]
    key: String,
    #[serde(default, with = "fields::string")]
    description: Option<String>,
}

impl From<CreatePermissionRequest> for NewPermission {
    fn from(r: CreatePermissionRequest) -> Self {
        NewPermission {
            name: r.name,
            key: r.key,
            description: r.description,
        }
    }
}

/// `PATCH /v1/organization_permissions/{permission_id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdatePermissionRequest {
    #[serde(default, with = "fields::string")]
    name: Option<String>,
    #[serde(default, with = "fields::string")]
    key: Option<String>,
    #[serde(default, with = "fields::string")]
    description: Option<String>,
}

impl From<UpdatePermissionRequest> for PermissionPatch {
    fn from(r: UpdatePermissionRequest) -> Self {
        PermissionPatch {
            name: r.name,
            key: r.key,
            description: r.description,
        }
    }
}
