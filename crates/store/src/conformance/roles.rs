//! Custom organization roles and permissions.

use std::sync::Arc;

use usher_core::ids::{InstanceId, PermissionId, RoleId};
use usher_core::roles::RoleCatalog;
use usher_core::roles::model::{Permission, PermissionType, RoleRecord};
use usher_core::store::{Changeset, Store, StoreError, Write};

use super::{NOW, Outcome, create_instance, one};

fn permission(key: &str) -> Permission {
    Permission {
        id: PermissionId::new(),
        key: key.into(),
        name: key.into(),
        description: format!("about {key}"),
        kind: PermissionType::User,
        created_at: NOW,
        updated_at: NOW,
    }
}

fn role(key: &str, permission_keys: &[&str]) -> RoleRecord {
    RoleRecord {
        id: RoleId::new(),
        key: key.into(),
        name: key.into(),
        description: None,
        permission_keys: permission_keys.iter().map(|k| (*k).to_owned()).collect(),
        created_at: NOW,
        updated_at: NOW,
    }
}

/// Commits `permissions`, then `role`, in one changeset.
async fn put_together(
    store: &Arc<dyn Store>,
    ins: &InstanceId,
    permissions: &[&Permission],
    role: &RoleRecord,
) -> Result<(), StoreError> {
    let mut cs = Changeset::default();
    for p in permissions {
        cs.push(Write::PutOrganizationPermission((*p).clone()));
    }
    cs.push(Write::PutOrganizationRole(role.clone()));
    store.commit(ins, cs).await
}

/// Permissions and roles round-trip, sorted by key; a role keeps system permission keys too.
pub async fn roles_and_permissions_round_trip(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    assert!(
        store.organization_permissions(ins).await?.is_empty(),
        "none at first"
    );
    assert!(
        store.organization_roles(ins).await?.is_empty(),
        "none at first"
    );
    let read = permission("org:invoices:read");
    let create = permission("org:invoices:create");
    let billing = role(
        "org:billing",
        &[
            "org:invoices:read",
            "org:sys_memberships:read",
            "org:invoices:create",
        ],
    );
    put_together(&store, ins, &[&read, &create], &billing).await?;
    assert_eq!(
        store.organization_permissions(ins).await?,
        vec![create.clone(), read.clone()],
        "permissions by key"
    );
    let stored = store.organization_roles(ins).await?;
    let mut expected = billing.clone();
    expected.permission_keys.sort();
    assert_eq!(stored, vec![expected], "the role with its keys sorted");

    let catalog = RoleCatalog::from_records(ins, NOW, &[create, read], stored);
    let resolved = catalog
        .get("org:billing")
        .ok_or("billing is in the catalog")?;
    assert_eq!(
        resolved.token_permission_keys(),
        vec!["org:invoices:create", "org:invoices:read"],
        "custom permissions resolve"
    );
    assert!(
        resolved.has_permission("org:sys_memberships:read"),
        "system ones resolve"
    );

    // Replacing the role replaces its permissions.
    let mut narrower = billing.clone();
    narrower.permission_keys = vec!["org:invoices:read".into()];
    narrower.name = "Billing".into();
    store
        .commit(ins, one(Write::PutOrganizationRole(narrower)))
        .await?;
    let stored = store.organization_roles(ins).await?;
    assert_eq!(
        (stored[0].name.as_str(), stored[0].permission_keys.clone()),
        ("Billing", vec!["org:invoices:read".to_owned()]),
        "an update replaces name and permissions"
    );
    Ok(())
}

/// Keys are unique per instance, and a refused write leaves the changeset's other writes out.
pub async fn role_and_permission_keys_are_unique(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    store
        .commit(
            ins,
            one(Write::PutOrganizationPermission(permission("org:a:read"))),
        )
        .await?;
    store
        .commit(ins, one(Write::PutOrganizationRole(role("org:a", &[]))))
        .await?;
    assert_eq!(
        store
            .commit(
                ins,
                Changeset {
                    writes: vec![
                        Write::PutOrganizationRole(role("org:b", &[])),
                        Write::PutOrganizationPermission(permission("org:a:read")),
                    ],
                },
            )
            .await,
        Err(StoreError::KeyTaken { what: "permission" }),
        "a second permission with one key"
    );
    assert_eq!(
        store
            .commit(ins, one(Write::PutOrganizationRole(role("org:a", &[]))))
            .await,
        Err(StoreError::KeyTaken { what: "role" }),
        "a second role with one key"
    );
    let roles = store.organization_roles(ins).await?;
    assert_eq!(
        roles.len(),
        1,
        "org:b was rolled back with the refused write"
    );
    Ok(())
}

/// Deleting a permission takes it out of every role; renaming its key follows into roles;
/// deleting a role removes it.
pub async fn deletes_and_renames_reach_the_roles(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let read = permission("org:reports:read");
    let export = permission("org:reports:export");
    let analyst = role("org:analyst", &["org:reports:read", "org:reports:export"]);
    put_together(&store, ins, &[&read, &export], &analyst).await?;
    store
        .commit(
            ins,
            one(Write::DeleteOrganizationPermission {
                id: export.id.clone(),
            }),
        )
        .await?;
    let mut renamed = read.clone();
    renamed.key = "org:reports:view".into();
    store
        .commit(ins, one(Write::PutOrganizationPermission(renamed)))
        .await?;
    let roles = store.organization_roles(ins).await?;
    assert_eq!(
        roles[0].permission_keys,
        vec!["org:reports:view".to_owned()],
        "the deleted permission is gone and the renamed one followed"
    );
    store
        .commit(
            ins,
            one(Write::DeleteOrganizationRole {
                id: analyst.id.clone(),
            }),
        )
        .await?;
    assert!(
        store.organization_roles(ins).await?.is_empty(),
        "the role is deleted"
    );
    // Its key is free again.
    store
        .commit(
            ins,
            one(Write::PutOrganizationRole(role("org:analyst", &[]))),
        )
        .await?;
    Ok(())
}
