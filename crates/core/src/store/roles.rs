//! Custom organization roles and permissions, and role sets. Written through `commit`.

use crate::ids::InstanceId;
use crate::organizations::OrganizationMembership;
use crate::roles::model::{Permission, RoleRecord};
use crate::roles::sets::RoleSet;

store_trait! {
    pub trait RoleStore {
        /// The instance's custom organization permissions, by key.
        organization_permissions(instance_id: &InstanceId) -> Vec<Permission>;

        /// The instance's custom organization roles, by key, each with its permission keys sorted.
        organization_roles(instance_id: &InstanceId) -> Vec<RoleRecord>;

        /// Every role set of the instance, newest first.
        role_sets(instance_id: &InstanceId) -> Vec<RoleSet>;

        /// Every role members of the organizations tied to role set `key` hold.
        role_set_roles_held(instance_id: &InstanceId, key: &str) -> Vec<String>;

        /// The memberships, in organizations tied to role set `key`, whose role is one of `roles`,
        /// oldest first.
        role_set_members_holding(instance_id: &InstanceId, key: &str, roles: &[String])
            -> Vec<OrganizationMembership>;
    }
}
