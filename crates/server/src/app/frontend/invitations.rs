//! Organization invitations on the Frontend API: an organization's (listed, sent and revoked by
//! a member who may manage its memberships), the signed-in user's own (those to any of the
//! user's verified addresses), accepting one, and redeeming the ticket its email carries at
//! sign-up or sign-in. Accepting marks the invitation accepted and inserts the membership in the
//! caller's change, so both land in one transaction with whatever else it holds (the new user
//! and session of a sign-up); the invitation's version guards it, so a second acceptance, even a
//! concurrent one, finds it accepted.

use usher_core::events::DomainEvent;
use usher_core::ids::{OrganizationId, OrganizationInvitationId, UserId};
use usher_core::organizations::Organization;
use usher_core::organizations::access::MANAGE_MEMBERSHIPS;
use usher_core::organizations::invitations::{
    self, InvitationQuery, InvitationStatus, NewInvitation, OrganizationInvitation,
};
use usher_core::organizations::model::MembershipDetails;
use usher_core::roles::RoleCatalog;
use usher_core::store::Write;
use usher_core::users::User;
use usher_core::users::model::Verification;
use usher_core::users::query::Page;
use usher_core::{CoreError, CoreResult};

use super::get_user;
use super::organizations::{check, enabled};
use crate::app::context::RequestContext;
use crate::app::organizations::get_by_id;
use crate::app::{Change, with_retry};
use crate::state::AppState;

const INVITATION: &str = "organization invitation";

/// An invitation with the organization it invites to (its public data is shown with it).
pub type WithOrganization = (OrganizationInvitation, Organization);

fn verified_addresses(user: &User) -> Vec<String> {
    user.email_addresses
        .iter()
        .filter(|e| !matches!(e.verification, Verification::Unverified))
        .map(|e| e.email_address.to_lowercase())
        .collect()
}

async fn with_organization(
    state: &AppState,
    inv: OrganizationInvitation,
) -> CoreResult<WithOrganization> {
    let org = get_by_id(state, &inv.organization_id).await?;
    Ok((inv, org))
}

/// `GET /v1/organizations/{id}/invitations`: newest first, `statuses` empty for every status.
pub async fn of_organization(
    state: &AppState,
    user_id: &UserId,
    organization_id: &OrganizationId,
    statuses: Vec<InvitationStatus>,
    page: Page,
) -> CoreResult<(Vec<OrganizationInvitation>, i64)> {
    check(state, user_id, organization_id, Some(MANAGE_MEMBERSHIPS)).await?;
    let query = InvitationQuery {
        organization_id: Some(organization_id.clone()),
        statuses,
        now: state.now(),
        page,
        ..Default::default()
    };
    crate::app::organization_invitations::list(state, &query).await
}

/// `POST /v1/organizations/{id}/invitations[/bulk]`: one invitation per address, all with
/// `role`, sent by the caller; all made or none.
pub async fn invite(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    organization_id: &OrganizationId,
    email_addresses: Vec<String>,
    role: Option<String>,
) -> CoreResult<Vec<OrganizationInvitation>> {
    check(state, user_id, organization_id, Some(MANAGE_MEMBERSHIPS)).await?;
    if email_addresses.is_empty() {
        return Err(CoreError::missing("email_address"));
    }
    let inputs = email_addresses
        .into_iter()
        .map(|email| NewInvitation {
            email_address: Some(email),
            inviter_user_id: Some(user_id.to_string()),
            role: role.clone(),
            ..Default::default()
        })
        .collect();
    crate::app::organization_invitations::create_many(state, ctx, organization_id, inputs).await
}

/// Which of `email_addresses` an invitation refusal is about: those already invited (pending)
/// for a duplicate, those whose owner is a member for `AlreadyMember`, else none.
pub async fn addresses_at_fault(
    state: &AppState,
    organization_id: &OrganizationId,
    email_addresses: &[String],
    err: &CoreError,
) -> CoreResult<Vec<String>> {
    let mut out = Vec::new();
    for email in email_addresses {
        let (who, _) =
            crate::app::organization_invitations::invitee(state, organization_id, email).await?;
        let at_fault = match err {
            CoreError::InvitationDuplicate => who.has_pending,
            CoreError::AlreadyMember => who.is_member,
            _ => false,
        };
        if at_fault {
            out.push(email.trim().to_lowercase());
        }
    }
    Ok(out)
}

/// `POST /v1/organizations/{id}/invitations/{invitation_id}/revoke`.
pub async fn revoke(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    organization_id: &OrganizationId,
    id: &OrganizationInvitationId,
) -> CoreResult<OrganizationInvitation> {
    check(state, user_id, organization_id, Some(MANAGE_MEMBERSHIPS)).await?;
    crate::app::organization_invitations::revoke(state, ctx, organization_id, id).await
}

/// `GET /v1/me/organization_invitations`: newest first, `statuses` empty for every status.
pub async fn mine(
    state: &AppState,
    user_id: &UserId,
    statuses: Vec<InvitationStatus>,
    page: Page,
) -> CoreResult<(Vec<WithOrganization>, i64)> {
    enabled(state)?;
    let user = get_user(state, user_id).await?;
    let query = InvitationQuery {
        any_email_address: Some(verified_addresses(&user)),
        statuses,
        now: state.now(),
        page,
        ..Default::default()
    };
    let (list, total) = state
        .store
        .list_organization_invitations(&state.instance.id, &query)
        .await?;
    let mut out = Vec::with_capacity(list.len());
    for inv in list {
        // An invitation outlives nothing: its organization's deletion removes it too, but a
        // row read between the two is skipped rather than failing the page.
        if let Some(org) = state
            .store
            .get_organization(&state.instance.id, &inv.organization_id)
            .await?
        {
            out.push((inv, org));
        }
    }
    Ok((out, total))
}

/// Adds accepting `inv` for `user` to `change`: the invitation accepted, the membership with
/// the invited role, their events and an audit entry. `user` must own the invited address,
/// verified (a ticket's redeemer has it marked so first).
pub fn accept_into(
    change: &mut Change<'_>,
    inv: &mut OrganizationInvitation,
    org: &mut Organization,
    user: &User,
    roles: &RoleCatalog,
) -> CoreResult<MembershipDetails> {
    let now = change.state().now();
    let m = invitations::accept(inv, org, user, now)?;
    org.members_count += 1;
    org.admins_count += i64::from(m.is_admin());
    let details = MembershipDetails::new(m.clone(), org.clone(), Some(user.clone()), roles);
    change
        .write(Write::UpdateOrganizationInvitation(inv.clone()))
        .event(DomainEvent::OrganizationInvitationAccepted(Box::new(
            inv.clone(),
        )))
        .write(Write::InsertMembership(m))
        .event(DomainEvent::OrganizationMembershipCreated(Box::new(
            details.clone(),
        )))
        .audit("organization.invitation.accept", Some(&inv.id));
    Ok(details)
}

/// `POST /v1/me/organization_invitations/{id}/accept`. An invitation to an address the user
/// does not own (verified) is not found, as one that does not exist.
pub async fn accept_mine(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    id: &OrganizationInvitationId,
) -> CoreResult<WithOrganization> {
    enabled(state)?;
    with_retry(|| async {
        let user = get_user(state, user_id).await?;
        let mut inv = state
            .store
            .get_organization_invitation(&state.instance.id, id)
            .await?
            .filter(|i| verified_addresses(&user).contains(&i.email_address))
            .ok_or(CoreError::NotFound {
                resource: INVITATION,
            })?;
        let mut org = get_by_id(state, &inv.organization_id).await?;
        let roles = crate::app::roles::catalog_for(state, [inv.role.as_str()]).await?;
        let mut change = Change::new(state, ctx);
        accept_into(&mut change, &mut inv, &mut org, &user, &roles)?;
        change.commit_audited().await?;
        inv.version += 1;
        Ok((inv, org))
    })
    .await
}

/// The invitation a ticket was emailed with, while it can be redeemed.
pub async fn by_ticket(state: &AppState, ticket: &str) -> CoreResult<OrganizationInvitation> {
    let inv = state
        .store
        .organization_invitation_by_ticket(&state.instance.id, &invitations::ticket_digest(ticket))
        .await?
        .ok_or(CoreError::TicketInvalid)?;
    invitations::check_ticket(&inv, ticket, state.now())?;
    let org = state
        .store
        .get_organization(&state.instance.id, &inv.organization_id)
        .await?;
    if org.is_none() {
        return Err(CoreError::TicketInvalid);
    }
    Ok(inv)
}

/// Whether the address `inv` was sent to belongs to an account already: its link then signs
/// that account in rather than up.
pub async fn invitee_has_account(
    state: &AppState,
    inv: &OrganizationInvitation,
) -> CoreResult<bool> {
    Ok(state
        .store
        .user_id_by_identifier(
            &state.instance.id,
            usher_core::users::identifiers::IdentifierKind::Email,
            &inv.email_address,
        )
        .await?
        .is_some())
}

/// The invitation `id` a sign-up was started with, read again as it completes: still pending,
/// else the ticket's error (revoked or accepted meanwhile: invalid).
pub async fn still_redeemable(
    state: &AppState,
    id: &str,
) -> CoreResult<(OrganizationInvitation, Organization)> {
    let id = OrganizationInvitationId::parse(id).map_err(|_| CoreError::TicketInvalid)?;
    let inv = state
        .store
        .get_organization_invitation(&state.instance.id, &id)
        .await?
        .ok_or(CoreError::TicketInvalid)?;
    match inv.status_at(state.now()) {
        // An invitation whose organization is gone invites to nothing.
        InvitationStatus::Pending => match with_organization(state, inv).await {
            Err(CoreError::NotFound { .. }) => Err(CoreError::TicketInvalid),
            other => other,
        },
        InvitationStatus::Expired => Err(CoreError::TicketExpired),
        _ => Err(CoreError::TicketInvalid),
    }
}
