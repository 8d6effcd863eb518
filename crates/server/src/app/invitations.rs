//! Invitations to sign up to the instance (`/v1/invitations`): read, let core decide, commit the
//! invitation with its email and audit entry in one transaction. Redeeming the ticket happens in
//! the sign-up (`app::frontend::sign_ups`), whose commit marks the invitation accepted.

use usher_core::ids::{InvitationId, random_hex};
use usher_core::invitations::{
    self, Invitation, InvitationQuery, InvitationStatus, Invitee, MAX_BULK, NewInvitation,
};
use usher_core::store::Write;
use usher_core::users::identifiers::IdentifierKind;
use usher_core::users::query::Page;
use usher_core::{CoreError, CoreResult};

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::app::found;
use crate::state::AppState;

const INVITATION: &str = "invitation";

/// Whether the address has an account or a pending invitation.
async fn invitee(state: &AppState, email: &str) -> CoreResult<Invitee> {
    let ins = &state.instance.id;
    let email = email.trim().to_lowercase();
    let has_account = state
        .store
        .user_id_by_identifier(ins, IdentifierKind::Email, &email)
        .await?
        .is_some();
    let pending = InvitationQuery {
        email_address: Some(email),
        statuses: vec![InvitationStatus::Pending],
        now: state.now(),
        page: Page {
            limit: 1,
            offset: 0,
        },
        ..Default::default()
    };
    let (_, n) = state.store.list_invitations(ins, &pending).await?;
    Ok(Invitee {
        has_account,
        has_pending: n > 0,
    })
}

/// Creates every invitation in `inputs` or none (one transaction); each answer carries its
/// link (`url`, the ticket in it), which is not kept.
pub async fn create_many(
    state: &AppState,
    ctx: &RequestContext,
    inputs: Vec<NewInvitation>,
) -> CoreResult<Vec<Invitation>> {
    usher_core::bulk::count("invitations", inputs.len(), MAX_BULK, "invitations")?;
    let mut inputs = inputs;
    super::redirect_urls::check_links(state, inputs.iter_mut().map(|i| &mut i.redirect_url))
        .await?;
    with_retry(|| async {
        let mut made: Vec<Invitation> = Vec::with_capacity(inputs.len());
        let mut change = Change::new(state, ctx);
        for input in &inputs {
            let inv = add_into(&mut change, input, &made).await?;
            made.push(inv);
        }
        change.commit_audited().await?;
        Ok(made)
    })
    .await
}

/// Adds the invitation `input` describes to `change` (with its email and audit entry): the
/// invitation, its link (`url`) set. `made` are the invitations the same change adds already (an
/// address among them counts as pending).
pub async fn add_into(
    change: &mut Change<'_>,
    input: &NewInvitation,
    made: &[Invitation],
) -> CoreResult<Invitation> {
    let state = change.state();
    let now = state.now();
    let email = input.email_address.clone().unwrap_or_default();
    let mut who = invitee(state, &email).await?;
    who.has_pending |= made
        .iter()
        .any(|m| m.email_address == email.trim().to_lowercase());
    let mut inv = invitations::validate_new(input.clone(), who, now)?;
    let ticket = random_hex(32);
    inv.ticket_digest = invitations::ticket_digest(&ticket);
    let base = inv
        .redirect_url
        .clone()
        .unwrap_or_else(|| format!("{}/sign-up", state.frontend_api_url));
    let link = invitations::link(&base, &ticket);
    if input.sends_email() {
        let app_name = state.branding().application_name().to_owned();
        let msg = invitations::invitation_email(&inv, &link, &app_name, now);
        super::mail::queue(change, msg);
    }
    change
        .write(Write::InsertInvitation(inv.clone()))
        .audit("invitation.create", Some(&inv.id));
    inv.url = Some(link);
    Ok(inv)
}

pub async fn get(state: &AppState, id: &InvitationId) -> CoreResult<Invitation> {
    found(
        state.store.get_invitation(&state.instance.id, id).await?,
        INVITATION,
    )
}

pub async fn list(state: &AppState, query: &InvitationQuery) -> CoreResult<(Vec<Invitation>, i64)> {
    Ok(state
        .store
        .list_invitations(&state.instance.id, query)
        .await?)
}

pub async fn revoke(
    state: &AppState,
    ctx: &RequestContext,
    id: &InvitationId,
) -> CoreResult<Invitation> {
    with_retry(|| async {
        let mut inv = get(state, id).await?;
        inv.revoke(state.now())?;
        let mut change = Change::new(state, ctx);
        change.write(Write::UpdateInvitation(inv.clone()));
        change.commit("invitation.revoke", Some(&inv.id)).await?;
        Ok(inv)
    })
    .await
}

/// The pending invitation `ticket` names, or `None` when it names no instance invitation at
/// all (it may be an organization invitation's); a used, revoked or expired one is refused.
pub async fn by_ticket(state: &AppState, ticket: &str) -> CoreResult<Option<Invitation>> {
    let Some(inv) = state
        .store
        .invitation_by_ticket(&state.instance.id, &invitations::ticket_digest(ticket))
        .await?
    else {
        return Ok(None);
    };
    invitations::check_ticket(&inv, ticket, state.now())?;
    Ok(Some(inv))
}

/// The invitation `id` a sign-up was started with, read again as it completes: still pending,
/// else the ticket's error.
pub async fn still_redeemable(state: &AppState, id: &str) -> CoreResult<Invitation> {
    let id = InvitationId::parse(id).map_err(|_| CoreError::TicketInvalid)?;
    let inv = state
        .store
        .get_invitation(&state.instance.id, &id)
        .await?
        .ok_or(CoreError::TicketInvalid)?;
    match inv.status_at(state.now()) {
        InvitationStatus::Pending => Ok(inv),
        InvitationStatus::Expired => Err(CoreError::TicketExpired),
        _ => Err(CoreError::TicketInvalid),
    }
}

/// Marks `inv` accepted in `change` (its version guards a second acceptance).
pub fn accept_into(change: &mut Change<'_>, inv: &mut Invitation) -> CoreResult<()> {
    let now = change.state().now();
    inv.accept(now).map_err(|_| CoreError::TicketInvalid)?;
    change.write(Write::UpdateInvitation(inv.clone()));
    Ok(())
}
