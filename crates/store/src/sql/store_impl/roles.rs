// `RoleStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

delegate_store! {
    impl RoleStore {
        organization_permissions(instance_id: &InstanceId)
            -> Vec<usher_core::roles::model::Permission> = roles::permissions(reader);
        organization_roles(instance_id: &InstanceId) -> Vec<usher_core::roles::model::RoleRecord>
            = roles::roles(reader);
        role_sets(instance_id: &InstanceId) -> Vec<usher_core::roles::sets::RoleSet>
            = role_sets::role_sets(reader);
        role_set_roles_held(instance_id: &InstanceId, key: &str) -> Vec<String>
            = role_sets::roles_held(reader);
        role_set_members_holding(instance_id: &InstanceId, key: &str, roles: &[String])
            -> Vec<OrganizationMembership> = role_sets::members_holding(reader);
    }
}
