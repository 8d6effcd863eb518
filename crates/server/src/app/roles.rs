//! An instance's organization roles and permissions (the Backend API's Organization Roles and
//! Organization Permissions). Each change commits with its `role.*` / `permission.*` event and
//! audit entry in one transaction; a key another one took meanwhile is refused by the store's
//! unique index (`duplicate_record`).

use usher_core::events::DomainEvent;
use usher_core::ids::{PermissionId, RoleId};
use usher_core::roles::manage::{
    self, Inventory, ListOrder, NewPermission, NewRole, PermissionPatch, RolePatch,
};
use usher_core::roles::{Permission, Role, RoleCatalog, system};
use usher_core::store::Write;
use usher_core::{CoreError, CoreResult};

use super::Change;
use crate::app::context::RequestContext;
use crate::state::AppState;

/// One page of a list and the number of matches.
pub struct Listing<T> {
    pub items: Vec<T>,
    pub total: i64,
}

pub struct ListQuery<'q> {
    pub query: Option<&'q str>,
    pub order: ListOrder,
    pub limit: i64,
    pub offset: i64,
}

/// Every role of the instance, system and custom.
pub async fn catalog(state: &AppState) -> CoreResult<RoleCatalog> {
    Ok(inventory(state).await?.catalog)
}

/// The roles `keys` may name: the system roles alone, read from nothing, when every key is one
/// (most memberships), else the whole catalog.
pub async fn catalog_for<'k>(
    state: &AppState,
    keys: impl IntoIterator<Item = &'k str>,
) -> CoreResult<RoleCatalog> {
    if keys.into_iter().all(system::is_system_role) {
        Ok(RoleCatalog::system(
            &state.instance.id,
            state.instance.created_at,
        ))
    } else {
        catalog(state).await
    }
}

pub async fn inventory(state: &AppState) -> CoreResult<Inventory> {
    let ins = &state.instance;
    let permissions = state.store.organization_permissions(&ins.id).await?;
    let roles = state.store.organization_roles(&ins.id).await?;
    Ok(Inventory::new(&ins.id, ins.created_at, permissions, roles))
}

pub async fn list_roles(state: &AppState, q: &ListQuery<'_>) -> CoreResult<Listing<Role>> {
    let inv = inventory(state).await?;
    let (items, total) = manage::list(inv.catalog.roles(), q.query, q.order, q.limit, q.offset);
    Ok(Listing { items, total })
}

pub async fn list_permissions(
    state: &AppState,
    q: &ListQuery<'_>,
) -> CoreResult<Listing<Permission>> {
    let inv = inventory(state).await?;
    let (items, total) = manage::list(&inv.permissions, q.query, q.order, q.limit, q.offset);
    Ok(Listing { items, total })
}

pub async fn get_role(state: &AppState, id: &RoleId) -> CoreResult<Role> {
    Ok(inventory(state).await?.role(id)?.clone())
}

pub async fn get_permission(state: &AppState, id: &PermissionId) -> CoreResult<Permission> {
    Ok(inventory(state).await?.permission(id)?.clone())
}

/// Commits a created or changed role with its event and audit entry.
async fn put_role(
    state: &AppState,
    ctx: &RequestContext,
    inv: &Inventory,
    record: usher_core::roles::model::RoleRecord,
    created: bool,
    action: &str,
) -> CoreResult<Role> {
    // A renamed role keeps its place in the role sets that hold it (same transaction).
    let old_key = inv
        .catalog
        .roles()
        .iter()
        .find(|r| r.id == record.id)
        .map(|r| r.key.clone());
    let mut renamed_in = Vec::new();
    if let Some(old) = old_key.filter(|k| *k != record.key) {
        for mut set in state.store.role_sets(&state.instance.id).await? {
            if set.contains(&old) {
                for k in set
                    .role_keys
                    .iter_mut()
                    .chain([&mut set.default_role_key, &mut set.creator_role_key])
                {
                    if *k == old {
                        k.clone_from(&record.key);
                    }
                }
                renamed_in.push(set);
            }
        }
    }
    let role = inv.resolve(record.clone());
    let event = if created {
        DomainEvent::RoleCreated(Box::new(role.clone()))
    } else {
        DomainEvent::RoleUpdated(Box::new(role.clone()))
    };
    let mut change = Change::new(state, ctx);
    change
        .write(Write::PutOrganizationRole(record))
        .event(event);
    for set in renamed_in {
        change.write(Write::PutRoleSet(set));
    }
    change.commit(action, Some(&role.id)).await?;
    Ok(role)
}

pub async fn create_role(
    state: &AppState,
    ctx: &RequestContext,
    input: NewRole,
) -> CoreResult<Role> {
    let inv = inventory(state).await?;
    let record = manage::create_role(&inv, input, state.now())?;
    put_role(state, ctx, &inv, record, true, "organization_role.create").await
}

pub async fn update_role(
    state: &AppState,
    ctx: &RequestContext,
    id: &RoleId,
    patch: RolePatch,
) -> CoreResult<Role> {
    let inv = inventory(state).await?;
    let record = manage::update_role(&inv, id, patch, state.now())?;
    put_role(state, ctx, &inv, record, false, "organization_role.update").await
}

/// Grants (`granted`) or withdraws one permission of a custom role.
pub async fn set_permission(
    state: &AppState,
    ctx: &RequestContext,
    role_id: &RoleId,
    permission_id: &PermissionId,
    granted: bool,
) -> CoreResult<Role> {
    let inv = inventory(state).await?;
    let now = state.now();
    let (record, action) = if granted {
        let r = manage::assign_permission(&inv, role_id, permission_id, now)?;
        (r, "organization_role.assign_permission")
    } else {
        let r = manage::remove_permission(&inv, role_id, permission_id, now)?;
        (r, "organization_role.remove_permission")
    };
    put_role(state, ctx, &inv, record, false, action).await
}

pub async fn delete_role(state: &AppState, ctx: &RequestContext, id: &RoleId) -> CoreResult<Role> {
    let inv = inventory(state).await?;
    let role = manage::check_role_deletable(&inv, id)?;
    let sets = state.store.role_sets(&state.instance.id).await?;
    if sets.iter().any(|s| s.contains(&role.key)) {
        return Err(CoreError::RoleInUse);
    }
    let mut change = Change::new(state, ctx);
    change
        .write(Write::DeleteOrganizationRole {
            id: role.id.clone(),
        })
        .event(DomainEvent::RoleDeleted {
            id: role.id.to_string(),
        });
    change
        .commit("organization_role.delete", Some(&role.id))
        .await?;
    Ok(role)
}

/// The permission `p` written, with its event (`created` or `updated`) and audit entry.
async fn put_permission(
    state: &AppState,
    ctx: &RequestContext,
    p: Permission,
    event: fn(Box<Permission>) -> DomainEvent,
    audit: &str,
) -> CoreResult<Permission> {
    let mut change = Change::new(state, ctx);
    change
        .write(Write::PutOrganizationPermission(p.clone()))
        .event(event(Box::new(p.clone())));
    change.commit(audit, Some(&p.id)).await?;
    Ok(p)
}

pub async fn create_permission(
    state: &AppState,
    ctx: &RequestContext,
    input: NewPermission,
) -> CoreResult<Permission> {
    let inv = inventory(state).await?;
    let p = manage::create_permission(&inv, input, state.now())?;
    let audit = "organization_permission.create";
    put_permission(state, ctx, p, DomainEvent::PermissionCreated, audit).await
}

pub async fn update_permission(
    state: &AppState,
    ctx: &RequestContext,
    id: &PermissionId,
    patch: PermissionPatch,
) -> CoreResult<Permission> {
    let inv = inventory(state).await?;
    let p = manage::update_permission(&inv, id, patch, state.now())?;
    let audit = "organization_permission.update";
    put_permission(state, ctx, p, DomainEvent::PermissionUpdated, audit).await
}

/// Deletes a custom permission; the roles that granted it no longer do (same transaction).
pub async fn delete_permission(
    state: &AppState,
    ctx: &RequestContext,
    id: &PermissionId,
) -> CoreResult<Permission> {
    let inv = inventory(state).await?;
    let p = manage::check_permission_deletable(&inv, id)?;
    let mut change = Change::new(state, ctx);
    change
        .write(Write::DeleteOrganizationPermission { id: p.id.clone() })
        .event(DomainEvent::PermissionDeleted {
            id: p.id.to_string(),
        });
    change
        .commit("organization_permission.delete", Some(&p.id))
        .await?;
    Ok(p)
}
