//! Organization invitations: read, let core decide, commit the invitation with its event and
//! audit entry in one transaction.

use usher_core::events::DomainEvent;
use usher_core::ids::random_hex;
use usher_core::ids::{OrganizationId, OrganizationInvitationId};
use usher_core::organizations::invitations::{
    self, InvitationQuery, Invitee, NewInvitation, OrganizationInvitation,
};
use usher_core::store::Write;
use usher_core::users::identifiers::IdentifierKind;
use usher_core::{CoreError, CoreResult};

use super::organizations::get_by_id;
use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::state::AppState;

const INVITATION: &str = "organization invitation";
/// Clerk's limit on one bulk request.
pub const MAX_BULK: usize = 10;

/// What the email's link needs besides the invitation: whether the address has an account.
pub(crate) async fn invitee(
    state: &AppState,
    organization_id: &OrganizationId,
    email: &str,
) -> CoreResult<(Invitee, bool)> {
    let ins = &state.instance.id;
    let email = email.trim().to_lowercase();
    let account = state
        .store
        .user_id_by_identifier(ins, IdentifierKind::Email, &email)
        .await?;
    let has_account = account.is_some();
    let is_member = match account {
        Some(user_id) => state
            .store
            .get_membership(ins, organization_id, &user_id)
            .await?
            .is_some(),
        None => false,
    };
    let pending = InvitationQuery {
        organization_id: Some(organization_id.clone()),
        email_address: Some(email),
        statuses: vec![invitations::InvitationStatus::Pending],
        now: state.now(),
        ..Default::default()
    };
    let (_, n) = state
        .store
        .list_organization_invitations(ins, &pending)
        .await?;
    Ok((
        Invitee {
            is_member,
            has_pending: n > 0,
        },
        has_account,
    ))
}

/// Creates every invitation in `inputs` or none (one transaction).
pub async fn create_many(
    state: &AppState,
    ctx: &RequestContext,
    organization_id: &OrganizationId,
    inputs: Vec<NewInvitation>,
) -> CoreResult<Vec<OrganizationInvitation>> {
    usher_core::bulk::count("invitations", inputs.len(), MAX_BULK, "invitations")?;
    let mut inputs = inputs;
    super::redirect_urls::check_links(state, inputs.iter_mut().map(|i| &mut i.redirect_url))
        .await?;
    let catalog =
        super::roles::catalog_for(state, inputs.iter().filter_map(|i| i.role.as_deref())).await?;
    with_retry(|| async {
        let org = get_by_id(state, organization_id).await?;
        let set = super::role_sets::of_organization(state, &org).await?;
        if let Some(inviter) = inputs.iter().find_map(|i| i.inviter_user_id.as_deref()) {
            super::users::get_named(state, inviter).await?;
        }
        let now = state.now();
        let mut made: Vec<OrganizationInvitation> = Vec::with_capacity(inputs.len());
        let mut change = Change::new(state, ctx);
        for input in &inputs {
            let email = input.email_address.clone().unwrap_or_default();
            let (mut who, has_account) = invitee(state, &org.id, &email).await?;
            who.has_pending |= made
                .iter()
                .any(|m| m.email_address == email.trim().to_lowercase());
            let mut input = input.clone();
            let mut defaulted = None;
            if let Some(set) = set.as_ref().filter(|_| input.role.is_none()) {
                input.role = Some(set.default_role_key.clone());
                defaulted = Some(super::roles::catalog_for(state, input.role.as_deref()).await?);
            }
            let catalog = defaulted.as_ref().unwrap_or(&catalog);
            if let Some(role) = input.role.as_deref().filter(|r| !r.is_empty()) {
                usher_core::organizations::roles::check(catalog, role)?;
                usher_core::roles::sets::check_member_role(set.as_ref(), "role", role)?;
            }
            let notify = input.sends_email();
            let mut inv = invitations::validate_new(&org, input, who, now)?;
            inv.role_name = catalog.get(&inv.role).map(|r| r.name.clone());
            let ticket = random_hex(32);
            inv.ticket_digest = invitations::ticket_digest(&ticket);
            let base = inv
                .redirect_url
                .clone()
                .unwrap_or_else(|| format!("{}/sign-up", state.frontend_api_url));
            let app_name = state.branding().application_name().to_owned();
            let email_msg = invitations::invitation_email(
                &inv,
                &org,
                &ticket,
                &base,
                has_account,
                &app_name,
                now,
            );
            if notify {
                super::mail::queue(&mut change, email_msg);
            }
            change
                .write(Write::InsertOrganizationInvitation(inv.clone()))
                .event(DomainEvent::OrganizationInvitationCreated(Box::new(
                    inv.clone(),
                )))
                .audit("organization.invitation.create", Some(&inv.id));
            made.push(inv);
        }
        change.commit_audited().await?;
        Ok(made)
    })
    .await
}

pub async fn get(
    state: &AppState,
    organization_id: &OrganizationId,
    id: &OrganizationInvitationId,
) -> CoreResult<OrganizationInvitation> {
    state
        .store
        .get_organization_invitation(&state.instance.id, id)
        .await?
        .filter(|i| &i.organization_id == organization_id)
        .ok_or(CoreError::NotFound {
            resource: INVITATION,
        })
}

pub async fn list(
    state: &AppState,
    query: &InvitationQuery,
) -> CoreResult<(Vec<OrganizationInvitation>, i64)> {
    Ok(state
        .store
        .list_organization_invitations(&state.instance.id, query)
        .await?)
}

pub async fn revoke(
    state: &AppState,
    ctx: &RequestContext,
    organization_id: &OrganizationId,
    id: &OrganizationInvitationId,
) -> CoreResult<OrganizationInvitation> {
    with_retry(|| async {
        let mut inv = get(state, organization_id, id).await?;
        invitations::revoke(&mut inv, state.now())?;
        let mut change = Change::new(state, ctx);
        change
            .write(Write::UpdateOrganizationInvitation(inv.clone()))
            .event(DomainEvent::OrganizationInvitationRevoked(Box::new(
                inv.clone(),
            )));
        change
            .commit("organization.invitation.revoke", Some(&inv.id))
            .await?;
        Ok(inv)
    })
    .await
}
