//! Role sets (the Backend API's Role Sets) and the role set an organization's members draw their
//! roles from. Clerk's webhooks have no role set events: each change commits with its audit
//! entry, and members moved to another role with their `organizationMembership.updated` events.

use usher_core::clock::Millis;
use usher_core::events::DomainEvent;
use usher_core::ids::{OrganizationId, UserId};
use usher_core::organizations::model::MembershipDetails;
use usher_core::organizations::query::MembershipQuery;
use usher_core::organizations::{Organization, OrganizationMembership};
use usher_core::roles::RoleCatalog;
use usher_core::roles::sets::{self, AddRoles, NewRoleSet, RoleSet, RoleSetPatch, SetOrder};
use usher_core::store::Write;
use usher_core::users::query::Page;
use usher_core::{CoreError, CoreResult};

use super::roles::{Listing, catalog};
use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::state::AppState;

pub struct ListQuery<'q> {
    pub query: Option<&'q str>,
    pub order: SetOrder,
    pub limit: i64,
    pub offset: i64,
}

async fn all(state: &AppState) -> CoreResult<Vec<RoleSet>> {
    Ok(state.store.role_sets(&state.instance.id).await?)
}

/// The set an organization's members draw their roles from; none (read from nothing) when the
/// organization is tied to no set.
pub async fn of_organization(state: &AppState, org: &Organization) -> CoreResult<Option<RoleSet>> {
    let Some(key) = org.role_set_key.as_deref() else {
        return Ok(None);
    };
    Ok(all(state).await?.into_iter().find(|s| s.key == key))
}

/// The set key a new organization gets: the one asked for (it must exist), else the initial set.
pub async fn for_new_organization(
    state: &AppState,
    requested: Option<&str>,
) -> CoreResult<Option<String>> {
    sets::for_new_organization(&all(state).await?, requested)
}

/// Ties `org` to set `key`: every role its members hold must be in that set.
pub async fn check_organization_move(
    state: &AppState,
    org: &Organization,
    key: &str,
) -> CoreResult<()> {
    let all = all(state).await?;
    let set = all
        .iter()
        .find(|s| s.key == key)
        .ok_or_else(|| CoreError::value("role_set_key", "is not a role set of this instance"))?;
    let outside: Vec<String> = catalog(state)
        .await?
        .roles()
        .iter()
        .filter(|r| !set.contains(&r.key))
        .map(|r| r.key.clone())
        .collect();
    if outside.is_empty() {
        return Ok(());
    }
    let query = MembershipQuery {
        organization_id: Some(org.id.clone()),
        roles: outside,
        page: Page {
            limit: 1,
            offset: 0,
        },
        ..Default::default()
    };
    let (_, held) = state
        .store
        .list_memberships(&state.instance.id, &query)
        .await?;
    if held > 0 {
        return Err(CoreError::value(
            "role_set_key",
            "members hold roles that role set lacks",
        ));
    }
    Ok(())
}

pub async fn list(state: &AppState, q: &ListQuery<'_>) -> CoreResult<Listing<RoleSet>> {
    let (items, total) = sets::list(&all(state).await?, q.query, q.order, q.limit, q.offset);
    Ok(Listing { items, total })
}

pub async fn get(state: &AppState, key_or_id: &str) -> CoreResult<RoleSet> {
    Ok(sets::find(&all(state).await?, key_or_id)?.clone())
}

/// Stores `changed` (the set asked for first) with an audit entry; a key another request took
/// meanwhile is refused by the store's unique index.
async fn put(
    state: &AppState,
    ctx: &RequestContext,
    changed: Vec<RoleSet>,
    action: &str,
) -> CoreResult<RoleSet> {
    let first = changed.first().cloned().ok_or(CoreError::NotFound {
        resource: sets::ROLE_SET,
    })?;
    let mut change = Change::new(state, ctx);
    for s in changed {
        change.write(Write::PutRoleSet(s));
    }
    change.commit(action, Some(&first.id)).await?;
    Ok(first)
}

/// `decide` run on the instance's role sets and role catalog as they are now; what it changes is
/// stored by [`put`] as `action`.
async fn decide_and_put(
    state: &AppState,
    ctx: &RequestContext,
    action: &str,
    decide: impl FnOnce(&[RoleSet], &RoleCatalog, Millis) -> CoreResult<Vec<RoleSet>>,
) -> CoreResult<RoleSet> {
    let changed = decide(&all(state).await?, &catalog(state).await?, state.now())?;
    put(state, ctx, changed, action).await
}

pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    input: NewRoleSet,
) -> CoreResult<RoleSet> {
    decide_and_put(state, ctx, "role_set.create", |all, catalog, now| {
        sets::create(all, catalog, input, now)
    })
    .await
}

pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    key_or_id: &str,
    patch: RoleSetPatch,
) -> CoreResult<RoleSet> {
    decide_and_put(state, ctx, "role_set.update", |all, catalog, now| {
        sets::update(all, catalog, key_or_id, patch, now)
    })
    .await
}

pub async fn add_roles(
    state: &AppState,
    ctx: &RequestContext,
    key_or_id: &str,
    input: AddRoles,
) -> CoreResult<RoleSet> {
    decide_and_put(state, ctx, "role_set.add_roles", |all, catalog, now| {
        sets::add_roles(all, catalog, key_or_id, input, now).map(|set| vec![set])
    })
    .await
}

/// Moves `members` to the roles `mappings` name, each with its event, into `change`.
async fn reassign(
    state: &AppState,
    change: &mut Change<'_>,
    catalog: &RoleCatalog,
    members: Vec<OrganizationMembership>,
    mappings: &[(String, String)],
) -> CoreResult<()> {
    let ins = &state.instance.id;
    let mut org_ids: Vec<OrganizationId> = Vec::new();
    let mut user_ids: Vec<UserId> = Vec::new();
    for m in &members {
        if !org_ids.contains(&m.organization_id) {
            org_ids.push(m.organization_id.clone());
        }
        if !user_ids.contains(&m.user_id) {
            user_ids.push(m.user_id.clone());
        }
    }
    let orgs = state.store.organizations_by_ids(ins, &org_ids).await?;
    let users = state.store.users_by_ids(ins, &user_ids).await?;
    let now = state.now();
    for mut m in members {
        let Some((_, to)) = mappings.iter().find(|(from, _)| *from == m.role) else {
            continue;
        };
        let Some(org) = orgs.iter().find(|o| o.id == m.organization_id) else {
            continue;
        };
        m.role = to.clone();
        m.updated_at = now;
        let user = users.iter().find(|u| u.id == m.user_id).cloned();
        change.write(Write::UpdateMembership(m.clone())).event(
            DomainEvent::OrganizationMembershipUpdated(Box::new(MembershipDetails::new(
                m,
                org.clone(),
                user,
                catalog,
            ))),
        );
    }
    Ok(())
}

/// Removes a role from a set; members of the set's organizations holding it get `to_role_key`,
/// in the same transaction.
pub async fn replace_role(
    state: &AppState,
    ctx: &RequestContext,
    key_or_id: &str,
    role_key: &str,
    to_role_key: &str,
) -> CoreResult<RoleSet> {
    let catalog = catalog(state).await?;
    with_retry(|| async {
        let set = sets::replace_role(
            &all(state).await?,
            &catalog,
            key_or_id,
            role_key,
            to_role_key,
            state.now(),
        )?;
        let members = state
            .store
            .role_set_members_holding(&state.instance.id, &set.key, &[role_key.to_owned()])
            .await?;
        let mut change = Change::new(state, ctx);
        change.write(Write::PutRoleSet(set.clone()));
        let mapping = [(role_key.to_owned(), to_role_key.to_owned())];
        reassign(state, &mut change, &catalog, members, &mapping).await?;
        change
            .commit("role_set.replace_role", Some(&set.id))
            .await?;
        Ok(set)
    })
    .await
}

/// Deletes a set: its organizations are tied to the destination set, and their members whose
/// role the destination lacks get the mapped role, in one transaction.
pub async fn replace(
    state: &AppState,
    ctx: &RequestContext,
    key_or_id: &str,
    dest_key: &str,
    mappings: &[(String, String)],
) -> CoreResult<RoleSet> {
    let catalog = catalog(state).await?;
    with_retry(|| async {
        let all = all(state).await?;
        let source = sets::find(&all, key_or_id)?;
        let held = state
            .store
            .role_set_roles_held(&state.instance.id, &source.key)
            .await?;
        let r = sets::replace(&all, key_or_id, dest_key, mappings, &held, state.now())?;
        let from: Vec<String> = r.mappings.iter().map(|(f, _)| f.clone()).collect();
        let members = state
            .store
            .role_set_members_holding(&state.instance.id, &r.source.key, &from)
            .await?;
        let mut change = Change::new(state, ctx);
        reassign(state, &mut change, &catalog, members, &r.mappings).await?;
        change
            .write(Write::PutRoleSet(r.dest.clone()))
            .write(Write::ReplaceRoleSet {
                id: r.source.id.clone(),
                dest_key: r.dest.key.clone(),
            });
        change
            .commit("role_set.replace", Some(&r.source.id))
            .await?;
        Ok(r.source)
    })
    .await
}
