//! An organization's membership requests, for a member who may manage its memberships: listing
//! them, accepting one (the request `accepted` and the membership, with the verified domains'
//! default role, in one transaction, within the organization's membership limit) and rejecting
//! one. A request of another organization is not found, as one that does not exist.

use usher_core::events::DomainEvent;
use usher_core::ids::{OrganizationId, OrganizationMembershipRequestId, UserId};
use usher_core::organizations::access::MANAGE_MEMBERSHIPS;
use usher_core::organizations::enrollment::DEFAULT_ROLE;
use usher_core::organizations::membership_requests::{
    self, MembershipRequest, RequestQuery, RequestStatus,
};
use usher_core::organizations::model::MembershipDetails;
use usher_core::store::Write;
use usher_core::users::User;
use usher_core::users::query::Page;
use usher_core::{CoreError, CoreResult};

use super::organizations::check;
use crate::app::context::RequestContext;
use crate::app::organizations::get_by_id;
use crate::app::{Change, with_retry};
use crate::state::AppState;

const REQUEST: &str = "organization membership request";

/// A request with its requester (none when the user is gone).
pub type WithUser = (MembershipRequest, Option<User>);

async fn with_user(state: &AppState, r: MembershipRequest) -> CoreResult<WithUser> {
    let user = state.store.get_user(&state.instance.id, &r.user_id).await?;
    Ok((r, user))
}

async fn get(
    state: &AppState,
    organization_id: &OrganizationId,
    id: &OrganizationMembershipRequestId,
) -> CoreResult<MembershipRequest> {
    state
        .store
        .get_membership_request(&state.instance.id, id)
        .await?
        .filter(|r| &r.organization_id == organization_id)
        .ok_or(CoreError::NotFound { resource: REQUEST })
}

/// `GET /v1/organizations/{id}/membership_requests`.
pub async fn list(
    state: &AppState,
    caller: &UserId,
    organization_id: &OrganizationId,
    statuses: Vec<RequestStatus>,
    page: Page,
) -> CoreResult<(Vec<WithUser>, i64)> {
    check(state, caller, organization_id, Some(MANAGE_MEMBERSHIPS)).await?;
    let query = RequestQuery {
        organization_id: Some(organization_id.clone()),
        statuses,
        page,
        ..Default::default()
    };
    let (list, total) = state
        .store
        .list_membership_requests(&state.instance.id, &query)
        .await?;
    let mut out = Vec::with_capacity(list.len());
    for r in list {
        out.push(with_user(state, r).await?);
    }
    Ok((out, total))
}

/// `POST …/membership_requests/{id}/accept` (`accept`) or `…/reject`: the request decided, with
/// an accepted one's membership in the same transaction.
pub async fn decide(
    state: &AppState,
    ctx: &RequestContext,
    caller: &UserId,
    organization_id: &OrganizationId,
    id: &OrganizationMembershipRequestId,
    accept: bool,
) -> CoreResult<WithUser> {
    check(state, caller, organization_id, Some(MANAGE_MEMBERSHIPS)).await?;
    with_retry(|| async {
        let mut r = get(state, organization_id, id).await?;
        let mut change = Change::new(state, ctx);
        let (audit, user) = if accept {
            let user = accept_into(state, &mut change, &mut r).await?;
            ("organization.membership_request.accept", Some(user))
        } else {
            membership_requests::reject(&mut r, state.now())?;
            change.write(Write::UpdateMembershipRequest(r.clone()));
            ("organization.membership_request.reject", None)
        };
        change.commit(audit, Some(&r.id)).await?;
        r.version += 1;
        match user {
            Some(user) => Ok((r, Some(user))),
            None => with_user(state, r).await,
        }
    })
    .await
}

/// Accepts `r` within `change`: the request and the new membership (the verified domains'
/// default role) with its `organizationMembership.created`. Gives the requester.
async fn accept_into(
    state: &AppState,
    change: &mut Change<'_>,
    r: &mut MembershipRequest,
) -> CoreResult<User> {
    let mut org = get_by_id(state, &r.organization_id).await?;
    let user = super::get_user(state, &r.user_id).await?;
    let m = membership_requests::accept(r, &org, DEFAULT_ROLE, state.now())?;
    org.members_count += 1;
    org.admins_count += i64::from(m.is_admin());
    let roles = crate::app::roles::catalog_for(state, [DEFAULT_ROLE]).await?;
    let details = MembershipDetails::new(m.clone(), org, Some(user.clone()), &roles);
    change
        .write(Write::UpdateMembershipRequest(r.clone()))
        .write(Write::InsertMembership(m))
        .event(DomainEvent::OrganizationMembershipCreated(Box::new(
            details,
        )));
    Ok(user)
}
