//! Custom organization roles and permissions, and role sets. Written through `commit`.

use async_trait::async_trait;

use super::StoreResult;
use crate::ids::InstanceId;
use crate::organizations::OrganizationMembership;
use crate::roles::model::{Permission, RoleRecord};
use crate::roles::sets::RoleSet;

#[async_trait]
pub trait RoleStore: Send + Sync {
    /// The instance's custom organization permissions, by key.
    async fn organization_permissions(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<Permission>>;

    /// The instance's custom organization roles, by key, each with its permission keys sorted.
    async fn organization_roles(&self, instance_id: &InstanceId) -> StoreResult<Vec<RoleRecord>>;

    /// Every role set of the instance, newest first.
    async fn role_sets(&self, instance_id: &InstanceId) -> StoreResult<Vec<RoleSet>>;

    /// Every role members of the organizations tied to role set `key` hold.
    async fn role_set_roles_held(
        &self,
        instance_id: &InstanceId,
        key: &str,
    ) -> StoreResult<Vec<String>>;

    /// The memberships, in organizations tied to role set `key`, whose role is one of `roles`,
    /// oldest first.
    async fn role_set_members_holding(
        &self,
        instance_id: &InstanceId,
        key: &str,
        roles: &[String],
    ) -> StoreResult<Vec<OrganizationMembership>>;
}
