//! An organization's domains on the Frontend API (clerk-js's "Verified domains"): members whose
//! role reads domains list them, members who manage domains add, verify, change and remove them.
//! A domain added here starts unverified, unlike on the Backend API (whose caller is the
//! application itself): a member proves it by a code emailed to an address at the domain.

use usher_core::ids::{OrganizationDomainId, OrganizationId, UserId};
use usher_core::organizations::access::{MANAGE_DOMAINS, READ_DOMAINS};
use usher_core::organizations::domains::{
    DomainQuery, EnrollmentMode, NewDomain, OrganizationDomain,
};
use usher_core::{CoreError, CoreResult};

use super::get_user;
use super::organizations::check;
use crate::app::context::RequestContext;
use crate::app::organization_domains as domains;
use crate::state::AppState;

fn enabled(state: &AppState) -> CoreResult<()> {
    if state.settings().organization_domains_enabled {
        Ok(())
    } else {
        Err(CoreError::NotAllowed {
            reason: "Organization domains are not enabled on this instance.",
        })
    }
}

/// The caller's membership must grant `permission`; the organization check comes first, so that
/// a non-member hears "not found" whatever the instance allows.
async fn allow(
    state: &AppState,
    user_id: &UserId,
    organization_id: &OrganizationId,
    permission: &'static str,
) -> CoreResult<()> {
    check(state, user_id, organization_id, Some(permission)).await?;
    enabled(state)
}

/// The organization's domains; `query.organization_id` is set to it.
pub async fn list(
    state: &AppState,
    user_id: &UserId,
    organization_id: &OrganizationId,
    mut query: DomainQuery,
) -> CoreResult<(Vec<OrganizationDomain>, i64)> {
    allow(state, user_id, organization_id, READ_DOMAINS).await?;
    query.organization_id = Some(organization_id.clone());
    domains::list(state, &query).await
}

pub async fn get(
    state: &AppState,
    user_id: &UserId,
    organization_id: &OrganizationId,
    id: &OrganizationDomainId,
) -> CoreResult<OrganizationDomain> {
    allow(state, user_id, organization_id, READ_DOMAINS).await?;
    domains::get(state, organization_id, id).await
}

/// `enrollment_mode` defaults to `manual_invitation` (clerk-js's `createDomain(name)` sends none).
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    organization_id: &OrganizationId,
    name: Option<String>,
    enrollment_mode: Option<String>,
) -> CoreResult<OrganizationDomain> {
    allow(state, user_id, organization_id, MANAGE_DOMAINS).await?;
    let input = NewDomain {
        name,
        enrollment_mode: Some(
            enrollment_mode.unwrap_or_else(|| EnrollmentMode::ManualInvitation.as_str().into()),
        ),
        verified: Some(false),
    };
    domains::create(state, ctx, organization_id, input).await
}

pub async fn delete(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    organization_id: &OrganizationId,
    id: &OrganizationDomainId,
) -> CoreResult<OrganizationDomain> {
    allow(state, user_id, organization_id, MANAGE_DOMAINS).await?;
    domains::delete(state, ctx, organization_id, id).await
}

pub async fn update_enrollment_mode(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    organization_id: &OrganizationId,
    id: &OrganizationDomainId,
    enrollment_mode: String,
    delete_pending: bool,
) -> CoreResult<OrganizationDomain> {
    allow(state, user_id, organization_id, MANAGE_DOMAINS).await?;
    domains::change_enrollment_mode(
        state,
        ctx,
        organization_id,
        id,
        enrollment_mode,
        delete_pending,
    )
    .await
}

pub async fn prepare_affiliation(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    organization_id: &OrganizationId,
    id: &OrganizationDomainId,
    email_address: &str,
) -> CoreResult<OrganizationDomain> {
    allow(state, user_id, organization_id, MANAGE_DOMAINS).await?;
    let caller = get_user(state, user_id).await?;
    domains::prepare_affiliation(state, ctx, organization_id, id, email_address, &caller).await
}

pub async fn attempt_affiliation(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    organization_id: &OrganizationId,
    id: &OrganizationDomainId,
    code: &str,
) -> CoreResult<OrganizationDomain> {
    allow(state, user_id, organization_id, MANAGE_DOMAINS).await?;
    domains::attempt_affiliation(state, ctx, organization_id, id, code).await
}
