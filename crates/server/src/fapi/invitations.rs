//! `/v1/organizations/{id}/invitations…`: an organization's invitations, listed, sent and
//! revoked by its admins; `/v1/me/organization_invitations…`: the signed-in user's invitations,
//! and accepting one.

use axum::extract::State;
use serde_json::{Value, json};
use usher_core::CoreError;
use usher_core::ids::{OrganizationId, UserId};
use usher_core::organizations::invitations::{InvitationStatus, OrganizationInvitation};

use super::browser::Browser;
use super::respond::{respond, respond_page};
use super::signed_in::{SignedIn, SignedInForm};
use crate::app::frontend::invitations as app;
use crate::error::{ApiError, ApiResult};
use crate::extract::path::{InvitationPath, MyInvitationPath, OrganizationPath};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::frontend::organizations as wire;
use crate::wire::requests::frontend::InvitationForm;

const INVITATION_STATUSES: &str = "status must be one of pending, accepted, revoked or expired";

pub async fn mine(State(state): State<AppState>, me: SignedIn, q: QueryParams) -> ApiResult {
    let page = q.page()?;
    let statuses = q.statuses(InvitationStatus::parse, INVITATION_STATUSES)?;
    let (list, total) = app::mine(&state, &me.session.user_id, statuses, page).await?;
    let now = state.now();
    let data: Vec<Value> = list
        .iter()
        .map(|(i, o)| wire::user_invitation(i, o, now))
        .collect();
    respond_page(&state, &me.browser, data, total).await
}

/// Answers the accepted invitation; the client's user now has the membership.
pub async fn accept(State(state): State<AppState>, me: SignedIn<MyInvitationPath>) -> ApiResult {
    let (ctx, user) = (&me.browser.ctx, &me.session.user_id);
    let (inv, org) = app::accept_mine(&state, ctx, user, &me.path.invitation_id).await?;
    let body = wire::user_invitation(&inv, &org, state.now());
    respond(&state, &me.browser, body).await
}

pub async fn of_organization(
    State(state): State<AppState>,
    me: SignedIn<OrganizationPath>,
    q: QueryParams,
) -> ApiResult {
    let page = q.page()?;
    let statuses = q.statuses(InvitationStatus::parse, INVITATION_STATUSES)?;
    let (user, org) = (&me.session.user_id, &me.path.organization_id);
    let (list, total) = app::of_organization(&state, user, org, statuses, page).await?;
    respond_page(&state, &me.browser, invitations_json(&state, &list), total).await
}

/// An organization's invitations as its admins see them.
fn invitations_json(state: &AppState, list: &[OrganizationInvitation]) -> Vec<Value> {
    let now = state.now();
    list.iter()
        .map(|i| wire::organization_invitation(i, now))
        .collect()
}

/// Sends the invitations; a refusal names the addresses at fault as Clerk does, for
/// `<OrganizationProfile/>`'s invite form to show them: a duplicate's `meta.email_addresses`, a
/// member's address in the long message.
async fn invite_all(
    state: &AppState,
    browser: &Browser,
    user_id: &UserId,
    organization_id: &OrganizationId,
    email_addresses: Vec<String>,
    role: Option<String>,
) -> Result<Vec<OrganizationInvitation>, ApiError> {
    let err = match app::invite(
        state,
        &browser.ctx,
        user_id,
        organization_id,
        email_addresses.clone(),
        role,
    )
    .await
    {
        Ok(made) => return Ok(made),
        Err(e) => e,
    };
    let at_fault = app::addresses_at_fault(state, organization_id, &email_addresses, &err).await?;
    let duplicate = matches!(err, CoreError::InvitationDuplicate);
    let member = matches!(err, CoreError::AlreadyMember);
    let mut api = ApiError::from(err);
    if !at_fault.is_empty() {
        let list = at_fault.join(", ");
        if duplicate {
            api.detail.long_message = format!(
                "There are already pending invitations for the following email addresses: {list}"
            );
            api.detail
                .meta
                .insert("email_addresses".into(), json!(at_fault));
        } else if member {
            api.detail.long_message = format!("{list} is already a member of the organization.");
        }
    }
    Err(api)
}

/// `POST …/invitations`: one address, answered with its invitation.
pub async fn invite(
    State(state): State<AppState>,
    me: SignedInForm<InvitationForm, OrganizationPath>,
) -> ApiResult {
    let f = me.form;
    let email = f
        .email_address
        .ok_or_else(|| CoreError::missing("email_address"))?;
    let (user, org) = (&me.session.user_id, &me.path.organization_id);
    let made = invite_all(&state, &me.browser, user, org, vec![email], f.role).await?;
    let inv = made.first().ok_or(CoreError::NotFound {
        resource: "organization invitation",
    })?;
    let body = wire::organization_invitation(inv, state.now());
    respond(&state, &me.browser, body).await
}

/// `POST …/invitations/bulk` (what `<OrganizationProfile/>` sends): `email_address` repeated,
/// answered with a bare array of the invitations.
pub async fn invite_many(
    State(state): State<AppState>,
    me: SignedInForm<InvitationForm, OrganizationPath>,
) -> ApiResult {
    let emails = me.fields.all("email_address");
    let (user, org) = (&me.session.user_id, &me.path.organization_id);
    let made = invite_all(&state, &me.browser, user, org, emails, me.form.role).await?;
    let body = Value::Array(invitations_json(&state, &made));
    respond(&state, &me.browser, body).await
}

pub async fn revoke(State(state): State<AppState>, me: SignedIn<InvitationPath>) -> ApiResult {
    let (ctx, user, p) = (&me.browser.ctx, &me.session.user_id, &me.path);
    let inv = app::revoke(&state, ctx, user, &p.organization_id, &p.invitation_id).await?;
    let body = wire::organization_invitation(&inv, state.now());
    respond(&state, &me.browser, body).await
}
