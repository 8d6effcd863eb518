//! Organizations and their memberships: read, let core decide, commit the change with its events
//! and audit entry in one transaction.

use usher_core::events::DomainEvent;
use usher_core::ids::{OrganizationId, UserId, prefix};
use usher_core::organizations::memberships::{self, NewMembership};
use usher_core::organizations::model::MembershipDetails;
use usher_core::organizations::query::{MembershipQuery, OrganizationQuery};
use usher_core::organizations::roles::{self, ADMIN};
use usher_core::organizations::rules::{self, MetadataChange, NewOrganization, OrganizationPatch};
use usher_core::organizations::{Organization, OrganizationMembership};
use usher_core::roles::sets as role_sets;
use usher_core::store::Write;
use usher_core::users::User;
use usher_core::users::query::{MAX_LIMIT, Page};
use usher_core::{CoreError, CoreResult};

use super::roles::catalog_for;
use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::app::found;
use crate::state::AppState;

const ORGANIZATION: &str = "organization";
const MEMBERSHIP: &str = "organization membership";

/// An organization by id, or (the Backend API's `GET`) by slug.
pub async fn get(state: &AppState, id_or_slug: &str) -> CoreResult<Organization> {
    find(state, id_or_slug).await?.ok_or(CoreError::NotFound {
        resource: ORGANIZATION,
    })
}

/// The organization named by id or by slug: slugs never contain `_`, so text with the id prefix
/// is an id, and one that is malformed names no organization.
pub async fn find(state: &AppState, id_or_slug: &str) -> CoreResult<Option<Organization>> {
    let ins = &state.instance.id;
    Ok(if id_or_slug.starts_with(prefix::ORGANIZATION) {
        match OrganizationId::parse(id_or_slug) {
            Ok(id) => state.store.get_organization(ins, &id).await?,
            Err(_) => None,
        }
    } else {
        state.store.organization_by_slug(ins, id_or_slug).await?
    })
}

/// An organization by id only (every route that changes one).
pub async fn get_by_id(state: &AppState, id: &OrganizationId) -> CoreResult<Organization> {
    found(
        state.store.get_organization(&state.instance.id, id).await?,
        ORGANIZATION,
    )
}

pub async fn list(
    state: &AppState,
    query: &OrganizationQuery,
) -> CoreResult<(Vec<Organization>, i64)> {
    Ok(state
        .store
        .list_organizations(&state.instance.id, query)
        .await?)
}

/// Fills in each organization's count of pending, unexpired invitations (one query), for the
/// responses that show it.
pub async fn count_invitations<'a>(
    state: &AppState,
    orgs: impl IntoIterator<Item = &'a mut Organization>,
) -> CoreResult<()> {
    let mut orgs: Vec<&mut Organization> = orgs.into_iter().collect();
    let mut ids: Vec<OrganizationId> = Vec::with_capacity(orgs.len());
    for o in &orgs {
        if !ids.contains(&o.id) {
            ids.push(o.id.clone());
        }
    }
    let counts = state
        .store
        .pending_invitation_counts(&state.instance.id, &ids, state.now())
        .await?;
    for o in &mut orgs {
        o.pending_invitations_count = counts
            .iter()
            .find(|(id, _)| *id == o.id)
            .map_or(0, |(_, n)| *n);
    }
    Ok(())
}

async fn user(state: &AppState, id: &str) -> CoreResult<User> {
    super::users::get_named(state, id).await
}

/// Creates the organization; `created_by` becomes its first admin. A slug made from the name
/// that another organization has gets a random suffix instead of failing.
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    input: NewOrganization,
) -> CoreResult<Organization> {
    let mut validated = rules::validate_new(input, state.now())?;
    validated.organization.role_set_key = super::role_sets::for_new_organization(
        state,
        validated.organization.role_set_key.as_deref(),
    )
    .await?;
    let creator = match &validated.organization.created_by {
        Some(id) => Some(user(state, id).await?),
        None => None,
    };
    let mut org = validated.organization;
    for attempt in 0..4 {
        let now = state.now();
        let mut change = Change::new(state, ctx);
        change.write(Write::InsertOrganization(org.clone()));
        let mut shown = org.clone();
        let mut first = None;
        if let Some(creator) = &creator {
            let m = memberships::validate_new(
                &org,
                NewMembership {
                    user_id: Some(creator.id.to_string()),
                    role: Some(ADMIN.to_owned()),
                    ..Default::default()
                },
                now,
            )?;
            change.write(Write::InsertMembership(m.clone()));
            shown.members_count = 1;
            shown.admins_count = 1;
            first = Some(m);
        }
        change.event(DomainEvent::OrganizationCreated(Box::new(shown.clone())));
        if let Some(m) = first {
            let system = catalog_for(state, [ADMIN]).await?;
            change.event(DomainEvent::OrganizationMembershipCreated(Box::new(
                MembershipDetails::new(m, shown, creator.clone(), &system),
            )));
        }
        match change.commit("organization.create", Some(&org.id)).await {
            Err(CoreError::IdentifierExists { param: "slug" })
                if validated.generated_slug && attempt < 3 =>
            {
                org.slug = rules::suffixed(&rules::slugify(&org.name));
            }
            Err(e) => return Err(e),
            Ok(()) => return get_by_id(state, &org.id).await,
        }
    }
    Err(CoreError::IdentifierExists { param: "slug" })
}

/// The organization as changed (its invitation counts read afresh), written with its
/// `organization.updated` event and committed with `change` as `audit`.
pub(crate) async fn commit_update(
    mut change: Change<'_>,
    mut org: Organization,
    audit: &str,
) -> CoreResult<()> {
    count_invitations(change.state(), [&mut org]).await?;
    let id = org.id.clone();
    change
        .write(Write::UpdateOrganization(org.clone()))
        .event(DomainEvent::OrganizationUpdated(Box::new(org)));
    change.commit(audit, Some(&id)).await
}

pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    id: &OrganizationId,
    patch: OrganizationPatch,
) -> CoreResult<Organization> {
    with_retry(|| async {
        let mut org = get_by_id(state, id).await?;
        patch.apply(&mut org, state.now())?;
        if let Some(key) = patch.role_set_key.as_deref().filter(|k| !k.is_empty()) {
            super::role_sets::check_organization_move(state, &org, key).await?;
            org.role_set_key = Some(key.to_owned());
        }
        commit_update(Change::new(state, ctx), org, "organization.update").await
    })
    .await?;
    get_by_id(state, id).await
}

/// `merge`: deep-merge with `null` deleting keys (PATCH); otherwise replace each given field (PUT).
pub async fn update_metadata(
    state: &AppState,
    ctx: &RequestContext,
    id: &OrganizationId,
    m: MetadataChange,
    merge: bool,
) -> CoreResult<Organization> {
    with_retry(|| async {
        let mut org = get_by_id(state, id).await?;
        m.apply(&mut org.public_metadata, &mut org.private_metadata, merge)?;
        org.updated_at = state.now();
        let audit = "organization.metadata.update";
        commit_update(Change::new(state, ctx), org, audit).await
    })
    .await?;
    get_by_id(state, id).await
}

/// Deletes the organization with its memberships.
pub async fn delete(
    state: &AppState,
    ctx: &RequestContext,
    id: &OrganizationId,
) -> CoreResult<Organization> {
    with_retry(|| async {
        let org = get_by_id(state, id).await?;
        let mut change = Change::new(state, ctx);
        if let Some(logo) = &org.image_id {
            change.write(Write::DeleteImage { id: logo.clone() });
        }
        change
            .write(Write::DeleteOrganization {
                id: org.id.clone(),
                version: org.version,
            })
            .event(DomainEvent::OrganizationDeleted {
                id: org.id.to_string(),
                slug: org.slug.clone(),
            });
        change.commit("organization.delete", Some(id)).await?;
        Ok(org)
    })
    .await
}

// --- Memberships. ---

/// Memberships with their organizations and users, for the wire. A page reads its users and
/// organizations in one query each, however long it is.
async fn details(
    state: &AppState,
    list: Vec<OrganizationMembership>,
    org: Option<&Organization>,
) -> CoreResult<Vec<MembershipDetails>> {
    let ins = &state.instance.id;
    let roles = catalog_for(state, list.iter().map(|m| m.role.as_str())).await?;
    let user_ids = distinct(list.iter().map(|m| &m.user_id));
    let users = state.store.users_by_ids(ins, &user_ids).await?;
    let orgs = match org {
        Some(o) => vec![o.clone()],
        None => {
            let ids = distinct(list.iter().map(|m| &m.organization_id));
            state.store.organizations_by_ids(ins, &ids).await?
        }
    };
    let mut out = Vec::with_capacity(list.len());
    for m in list {
        // A membership outlives neither its organization nor its user (both deletions remove
        // it in the same transaction), so a missing organization means a concurrent delete.
        let organization = orgs
            .iter()
            .find(|o| o.id == m.organization_id)
            .cloned()
            .ok_or(CoreError::NotFound {
                resource: ORGANIZATION,
            })?;
        let user = users.iter().find(|u| u.id == m.user_id).cloned();
        out.push(MembershipDetails::new(m, organization, user, &roles));
    }
    count_invitations(state, out.iter_mut().map(|d| &mut d.organization)).await?;
    Ok(out)
}

fn distinct<'a, T: PartialEq + Clone + 'a>(ids: impl Iterator<Item = &'a T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for id in ids {
        if !out.contains(id) {
            out.push(id.clone());
        }
    }
    out
}

/// An organization's memberships (`query.organization_id` is set from `organization_id`).
pub async fn list_memberships(
    state: &AppState,
    organization_id: &OrganizationId,
    mut query: MembershipQuery,
) -> CoreResult<(Vec<MembershipDetails>, i64)> {
    let org = get_by_id(state, organization_id).await?;
    query.organization_id = Some(org.id.clone());
    query.user_id = None;
    let (list, total) = state
        .store
        .list_memberships(&state.instance.id, &query)
        .await?;
    Ok((details(state, list, Some(&org)).await?, total))
}

/// A user's memberships, or (no user) every membership of the instance.
pub async fn memberships_of(
    state: &AppState,
    user_id: Option<&UserId>,
    mut query: MembershipQuery,
) -> CoreResult<(Vec<MembershipDetails>, i64)> {
    if let Some(id) = user_id {
        super::users::get(state, id).await?;
    }
    query.organization_id = None;
    query.user_id = user_id.cloned();
    let (list, total) = state
        .store
        .list_memberships(&state.instance.id, &query)
        .await?;
    Ok((details(state, list, None).await?, total))
}

async fn membership(
    state: &AppState,
    org: &Organization,
    user_id: &UserId,
) -> CoreResult<OrganizationMembership> {
    found(
        state
            .store
            .get_membership(&state.instance.id, &org.id, user_id)
            .await?,
        MEMBERSHIP,
    )
}

async fn detail(
    state: &AppState,
    organization_id: &OrganizationId,
    user_id: &UserId,
) -> CoreResult<MembershipDetails> {
    let mut org = get_by_id(state, organization_id).await?;
    let m = membership(state, &org, user_id).await?;
    let user = state.store.get_user(&state.instance.id, user_id).await?;
    count_invitations(state, [&mut org]).await?;
    let roles = catalog_for(state, [m.role.as_str()]).await?;
    Ok(MembershipDetails::new(m, org, user, &roles))
}

pub async fn create_membership(
    state: &AppState,
    ctx: &RequestContext,
    organization_id: &OrganizationId,
    input: NewMembership,
) -> CoreResult<MembershipDetails> {
    let user_id = with_retry(|| async {
        let mut org = get_by_id(state, organization_id).await?;
        let set = super::role_sets::of_organization(state, &org).await?;
        let mut input = input.clone();
        if let Some(set) = set.as_ref().filter(|_| input.role.is_none()) {
            input.role = Some(set.default_role_key.clone());
        }
        // The role catalog is read only for a custom role; system roles need no query.
        let catalog = catalog_for(state, input.role.as_deref()).await?;
        // An unknown role is named before a full organization is, as Clerk answers.
        if let Some(role) = input.role.as_deref().filter(|r| !r.is_empty()) {
            roles::check(&catalog, role)?;
            role_sets::check_member_role(set.as_ref(), "role", role)?;
        }
        let m = memberships::validate_new(&org, input, state.now())?;
        count_invitations(state, [&mut org]).await?;
        let member = super::users::get(state, &m.user_id).await?;
        org.members_count += 1;
        org.admins_count += i64::from(m.is_admin());
        let mut change = Change::new(state, ctx);
        change.write(Write::InsertMembership(m.clone())).event(
            DomainEvent::OrganizationMembershipCreated(Box::new(MembershipDetails::new(
                m.clone(),
                org,
                Some(member.clone()),
                &catalog,
            ))),
        );
        change
            .commit("organization.membership.create", Some(&m.id))
            .await?;
        Ok(member.id)
    })
    .await?;
    detail(state, organization_id, &user_id).await
}

/// The membership as changed, written with its `organizationMembership.updated` event and
/// committed as `audit`.
async fn commit_membership_update(
    state: &AppState,
    ctx: &RequestContext,
    d: MembershipDetails,
    audit: &str,
) -> CoreResult<()> {
    let id = d.membership.id.clone();
    let mut change = Change::new(state, ctx);
    change
        .write(Write::UpdateMembership(d.membership.clone()))
        .event(DomainEvent::OrganizationMembershipUpdated(Box::new(d)));
    change.commit(audit, Some(&id)).await
}

pub async fn update_membership_role(
    state: &AppState,
    ctx: &RequestContext,
    organization_id: &OrganizationId,
    user_id: &UserId,
    role: &str,
) -> CoreResult<MembershipDetails> {
    let catalog = catalog_for(state, [role]).await?;
    with_retry(|| async {
        let mut d = detail(state, organization_id, user_id).await?;
        let was_admin = d.membership.is_admin();
        roles::check(&catalog, role)?;
        let set = super::role_sets::of_organization(state, &d.organization).await?;
        role_sets::check_member_role(set.as_ref(), "role", role)?;
        memberships::change_role(
            &mut d.membership,
            role,
            d.organization.admins_count,
            state.now(),
        )?;
        d.role = roles::RoleGrant::of(&catalog, role);
        d.organization.admins_count += i64::from(d.membership.is_admin()) - i64::from(was_admin);
        commit_membership_update(state, ctx, d, "organization.membership.update").await
    })
    .await?;
    detail(state, organization_id, user_id).await
}

pub async fn update_membership_metadata(
    state: &AppState,
    ctx: &RequestContext,
    organization_id: &OrganizationId,
    user_id: &UserId,
    m: MetadataChange,
    merge: bool,
) -> CoreResult<MembershipDetails> {
    with_retry(|| async {
        let mut d = detail(state, organization_id, user_id).await?;
        let mem = &mut d.membership;
        m.apply(&mut mem.public_metadata, &mut mem.private_metadata, merge)?;
        mem.updated_at = state.now();
        let audit = "organization.membership.metadata.update";
        commit_membership_update(state, ctx, d, audit).await
    })
    .await?;
    detail(state, organization_id, user_id).await
}

/// Removes a member; the last admin stays. Returns the membership as it was.
pub async fn delete_membership(
    state: &AppState,
    ctx: &RequestContext,
    organization_id: &OrganizationId,
    user_id: &UserId,
) -> CoreResult<MembershipDetails> {
    with_retry(|| async {
        let mut d = detail(state, organization_id, user_id).await?;
        memberships::check_removal(&d.membership, d.organization.admins_count)?;
        d.organization.members_count -= 1;
        d.organization.admins_count -= i64::from(d.membership.is_admin());
        let id = d.membership.id.clone();
        let mut change = Change::new(state, ctx);
        change
            .write(Write::DeleteMembership {
                organization_id: d.organization.id.clone(),
                id: id.clone(),
                version: d.membership.version,
                keep_an_admin: true,
            })
            .event(DomainEvent::OrganizationMembershipDeleted(Box::new(
                d.clone(),
            )));
        change
            .commit("organization.membership.delete", Some(&id))
            .await?;
        Ok(d)
    })
    .await
}

/// Within a user's deletion: removes every membership they have (admin or not), each with its
/// event.
pub async fn remove_user_memberships(
    state: &AppState,
    change: &mut Change<'_>,
    user: &User,
) -> CoreResult<()> {
    let mut page = Page {
        limit: MAX_LIMIT,
        offset: 0,
    };
    loop {
        let query = MembershipQuery {
            user_id: Some(user.id.clone()),
            page: page.clone(),
            ..Default::default()
        };
        let (list, total) = state
            .store
            .list_memberships(&state.instance.id, &query)
            .await?;
        let n = list.len() as i64;
        let roles = catalog_for(state, list.iter().map(|m| m.role.as_str())).await?;
        let ids = distinct(list.iter().map(|m| &m.organization_id));
        let orgs = state
            .store
            .organizations_by_ids(&state.instance.id, &ids)
            .await?;
        for m in list {
            let Some(mut org) = orgs.iter().find(|o| o.id == m.organization_id).cloned() else {
                continue;
            };
            org.members_count -= 1;
            org.admins_count -= i64::from(m.is_admin());
            change.write(Write::DeleteMembership {
                organization_id: m.organization_id.clone(),
                id: m.id.clone(),
                version: m.version,
                keep_an_admin: false,
            });
            change.event(DomainEvent::OrganizationMembershipDeleted(Box::new(
                MembershipDetails::new(m, org, Some(user.clone()), &roles),
            )));
        }
        page.offset += n;
        if n == 0 || page.offset >= total {
            return Ok(());
        }
    }
}
