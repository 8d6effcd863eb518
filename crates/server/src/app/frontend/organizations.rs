//! A signed-in user's organizations on the Frontend API: each action first checks the caller's
//! own membership and its role's permissions, then runs the Backend API's use case (the same
//! events and audit entries). A non-member is told the organization is not found, whatever it
//! asks.

use usher_core::ids::{ImageId, OrganizationId, UserId};
use usher_core::organizations::access::{self, DELETE_PROFILE, MANAGE_MEMBERSHIPS, MANAGE_PROFILE};
use usher_core::organizations::memberships::NewMembership;
use usher_core::organizations::model::MembershipDetails;
use usher_core::organizations::query::MembershipQuery;
use usher_core::organizations::roles::RoleGrant;
use usher_core::organizations::rules::{NewOrganization, OrganizationPatch};
use usher_core::organizations::{Organization, OrganizationMembership};
use usher_core::users::query::Page;
use usher_core::{CoreError, CoreResult};

use super::get_user;
use crate::app::context::RequestContext;
use crate::app::organizations as orgs;
use crate::app::roles::{catalog, catalog_for};
use crate::state::AppState;

pub(super) fn enabled(state: &AppState) -> CoreResult<()> {
    if state.settings().organizations_enabled {
        Ok(())
    } else {
        Err(CoreError::NotAllowed {
            reason: "Organizations are not enabled on this instance.",
        })
    }
}

async fn membership_of(
    state: &AppState,
    user_id: &UserId,
    organization_id: &OrganizationId,
) -> CoreResult<Option<OrganizationMembership>> {
    Ok(state
        .store
        .get_membership(&state.instance.id, organization_id, user_id)
        .await?)
}

/// The caller's membership, granting `permission` when one is named.
pub(super) async fn check(
    state: &AppState,
    user_id: &UserId,
    organization_id: &OrganizationId,
    permission: Option<&'static str>,
) -> CoreResult<OrganizationMembership> {
    enabled(state)?;
    let m = access::member(membership_of(state, user_id, organization_id).await?)?;
    if let Some(p) = permission {
        let roles = catalog_for(state, [m.role.as_str()]).await?;
        access::require(&RoleGrant::of(&roles, &m.role), p)?;
    }
    Ok(m)
}

/// `GET /v1/me/organization_memberships`.
pub async fn my_memberships(
    state: &AppState,
    user_id: &UserId,
    page: Page,
) -> CoreResult<(Vec<MembershipDetails>, i64)> {
    enabled(state)?;
    let query = MembershipQuery {
        page,
        ..Default::default()
    };
    orgs::memberships_of(state, Some(user_id), query).await
}

/// `DELETE /v1/me/organization_memberships/{organization_id}`: the last admin cannot leave.
pub async fn leave(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    organization_id: &OrganizationId,
) -> CoreResult<MembershipDetails> {
    check(state, user_id, organization_id, None).await?;
    orgs::delete_membership(state, ctx, organization_id, user_id).await
}

/// `POST /v1/organizations`: the user becomes its first admin, when allowed to create one.
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    name: Option<String>,
    slug: Option<String>,
) -> CoreResult<Organization> {
    enabled(state)?;
    let user = get_user(state, user_id).await?;
    if !user.create_organization_enabled {
        return Err(CoreError::NotAllowed {
            reason: "You are not allowed to create organizations.",
        });
    }
    let settings = &state.settings();
    let org = orgs::create(
        state,
        ctx,
        NewOrganization {
            name,
            slug,
            created_by: Some(user.id.to_string()),
            max_allowed_memberships: Some(settings.organization_max_allowed_memberships),
            ..Default::default()
        },
    )
    .await?;
    if org.admin_delete_enabled != settings.organization_admin_delete {
        let patch = OrganizationPatch {
            admin_delete_enabled: Some(settings.organization_admin_delete),
            ..Default::default()
        };
        return orgs::update(state, ctx, &org.id, patch).await;
    }
    Ok(org)
}

pub async fn get(
    state: &AppState,
    user_id: &UserId,
    organization_id: &OrganizationId,
) -> CoreResult<Organization> {
    check(state, user_id, organization_id, None).await?;
    orgs::get_by_id(state, organization_id).await
}

/// `PATCH /v1/organizations/{id}`: the name and slug only.
pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    organization_id: &OrganizationId,
    name: Option<String>,
    slug: Option<String>,
) -> CoreResult<Organization> {
    check(state, user_id, organization_id, Some(MANAGE_PROFILE)).await?;
    let patch = OrganizationPatch {
        name,
        slug,
        ..Default::default()
    };
    orgs::update(state, ctx, organization_id, patch).await
}

/// `PUT /v1/organizations/{id}/logo`: for a member who may manage the profile, who is credited
/// with the upload.
pub async fn set_logo(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    organization_id: &OrganizationId,
    file: Vec<u8>,
) -> CoreResult<Organization> {
    check(state, user_id, organization_id, Some(MANAGE_PROFILE)).await?;
    crate::app::images::set_logo(state, ctx, organization_id, file, Some(user_id)).await
}

/// `DELETE /v1/organizations/{id}/logo`: as `set_logo`; the id of the image removed, if any.
pub async fn delete_logo(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    organization_id: &OrganizationId,
) -> CoreResult<Option<ImageId>> {
    check(state, user_id, organization_id, Some(MANAGE_PROFILE)).await?;
    let (_, removed) = crate::app::images::delete_logo(state, ctx, organization_id).await?;
    Ok(removed)
}

pub async fn delete(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    organization_id: &OrganizationId,
) -> CoreResult<Organization> {
    check(state, user_id, organization_id, Some(DELETE_PROFILE)).await?;
    let org = orgs::get_by_id(state, organization_id).await?;
    if !org.admin_delete_enabled || !state.settings().organization_admin_delete {
        return Err(CoreError::NotAllowed {
            reason: "Deleting this organization is not enabled.",
        });
    }
    orgs::delete(state, ctx, organization_id).await
}

/// The members, for a caller who may read them (`role`, `query` filter as on the Backend API).
pub async fn members(
    state: &AppState,
    user_id: &UserId,
    organization_id: &OrganizationId,
    query: MembershipQuery,
) -> CoreResult<(Vec<MembershipDetails>, i64)> {
    check(
        state,
        user_id,
        organization_id,
        Some(access::READ_MEMBERSHIPS),
    )
    .await?;
    orgs::list_memberships(state, organization_id, query).await
}

pub async fn add_member(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    organization_id: &OrganizationId,
    input: NewMembership,
) -> CoreResult<MembershipDetails> {
    check(state, user_id, organization_id, Some(MANAGE_MEMBERSHIPS)).await?;
    orgs::create_membership(state, ctx, organization_id, input).await
}

pub async fn update_member(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    organization_id: &OrganizationId,
    member_id: &UserId,
    role: &str,
) -> CoreResult<MembershipDetails> {
    check(state, user_id, organization_id, Some(MANAGE_MEMBERSHIPS)).await?;
    orgs::update_membership_role(state, ctx, organization_id, member_id, role).await
}

pub async fn remove_member(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    organization_id: &OrganizationId,
    member_id: &UserId,
) -> CoreResult<MembershipDetails> {
    check(state, user_id, organization_id, Some(MANAGE_MEMBERSHIPS)).await?;
    orgs::delete_membership(state, ctx, organization_id, member_id).await
}

/// The roles a member can be given, for any member of the organization: those of its role set
/// when it is tied to one (clerk-js offers them in its role picker).
pub async fn roles(
    state: &AppState,
    user_id: &UserId,
    organization_id: &OrganizationId,
) -> CoreResult<Vec<usher_core::roles::model::Role>> {
    check(state, user_id, organization_id, None).await?;
    let org = orgs::get_by_id(state, organization_id).await?;
    let set = crate::app::role_sets::of_organization(state, &org).await?;
    Ok(catalog(state)
        .await?
        .roles()
        .iter()
        .filter(|r| set.as_ref().is_none_or(|s| s.contains(&r.key)))
        .cloned()
        .collect())
}
