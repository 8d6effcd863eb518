//! Which roles a membership may be given: the instance's system roles and its custom roles.

use super::keys::RoleKey;
use super::model::{Permission, Role, RoleRecord};
use super::system;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};

/// Every role of an instance. Built from the system roles plus whatever custom roles storage
/// holds, so callers check a key against one list.
#[derive(Debug, Clone)]
pub struct RoleCatalog {
    roles: Vec<Role>,
}

impl RoleCatalog {
    /// The system roles only (an instance without custom roles).
    pub fn system(instance_id: &str, instance_created_at: Millis) -> Self {
        Self::with_custom(instance_id, instance_created_at, Vec::new())
    }

    /// The system roles and the instance's custom roles; a custom role cannot shadow a system key.
    pub fn with_custom(instance_id: &str, instance_created_at: Millis, custom: Vec<Role>) -> Self {
        let mut roles = system::system_roles(instance_id, instance_created_at);
        roles.extend(
            custom
                .into_iter()
                .filter(|r| !system::is_system_role(&r.key)),
        );
        RoleCatalog { roles }
    }

    /// The catalog from what storage holds: the custom permissions and the custom roles, whose
    /// permission keys resolve against the system permissions and the custom ones (a key that
    /// names neither, e.g. a permission deleted meanwhile, is dropped).
    pub fn from_records(
        instance_id: &str,
        instance_created_at: Millis,
        permissions: &[Permission],
        roles: Vec<RoleRecord>,
    ) -> Self {
        let system = system::system_permissions(instance_id, instance_created_at);
        let custom = roles
            .into_iter()
            .map(|r| {
                let resolved = r
                    .permission_keys
                    .iter()
                    .filter_map(|k| system.iter().chain(permissions).find(|p| &p.key == k))
                    .cloned()
                    .collect();
                r.into_role(resolved)
            })
            .collect();
        Self::with_custom(instance_id, instance_created_at, custom)
    }

    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    pub fn get(&self, key: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.key == key)
    }
}

/// Checks that `key` (sent as request parameter `param`) names a role a membership may hold,
/// and returns it: its permissions are what a session token for that membership carries.
/// A malformed key is `form_param_format_invalid`; a well-formed key the instance lacks is
/// `form_param_value_invalid`.
pub fn check_assignable<'c>(
    catalog: &'c RoleCatalog,
    param: &str,
    key: &str,
) -> CoreResult<&'c Role> {
    let key = RoleKey::parse(param, key)?;
    catalog
        .get(key.as_str())
        .ok_or_else(|| CoreError::value(param, "is not a role of this instance"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roles::model::{Permission, PermissionType};

    fn custom(key: &str, perms: &[&str]) -> Role {
        Role {
            id: crate::ids::RoleId::from_stored(format!("role_{}", key.len())),
            key: key.to_owned(),
            name: key.to_owned(),
            description: None,
            permissions: perms
                .iter()
                .map(|k| Permission {
                    id: crate::ids::PermissionId::from_stored(format!("perm_{k}")),
                    key: (*k).to_owned(),
                    name: (*k).to_owned(),
                    description: String::new(),
                    kind: PermissionType::User,
                    created_at: 0,
                    updated_at: 0,
                })
                .collect(),
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn system_and_custom_roles_are_assignable() {
        let catalog = RoleCatalog::with_custom(
            "ins_a",
            0,
            vec![
                custom("org:billing", &["org:invoices:read"]),
                custom("org:admin", &["org:evil:grant"]),
            ],
        );
        assert_eq!(
            check_assignable(&catalog, "role", "org:admin").unwrap().key,
            "org:admin"
        );
        assert!(
            !catalog
                .get("org:admin")
                .unwrap()
                .has_permission("org:evil:grant")
        );
        assert_eq!(
            check_assignable(&catalog, "role", "org:member")
                .unwrap()
                .key,
            "org:member"
        );
        let billing = check_assignable(&catalog, "role", "org:billing").unwrap();
        assert_eq!(billing.token_permission_keys(), vec!["org:invoices:read"]);
        assert!(matches!(
            check_assignable(&catalog, "role", "org:owner"),
            Err(CoreError::ParamValueInvalid { ref param, .. }) if param == "role"
        ));
        assert!(matches!(
            check_assignable(&catalog, "role", "admin"),
            Err(CoreError::ParamFormatInvalid { ref param, .. }) if param == "role"
        ));
        assert!(matches!(
            check_assignable(&RoleCatalog::system("ins_a", 0), "role", "org:billing"),
            Err(CoreError::ParamValueInvalid { .. })
        ));
    }
}
