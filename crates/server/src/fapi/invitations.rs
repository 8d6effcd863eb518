//! `/v1/me/organization_invitations…`: the signed-in user's invitations, and accepting one.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};
use usher_core::CoreError;
use usher_core::organizations::invitations::InvitationStatus;
use usher_core::users::query::Page;

use super::browser::Browser;
use super::me::signed_in;
use super::respond::with_client;
use crate::app::frontend::invitations as app;
use crate::error::ApiError;
use crate::extract::path::{MyInvitationPath, Path};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::frontend::organizations as wire;

type ApiResult = Result<Response, ApiError>;

async fn respond(state: &AppState, browser: &Browser, response: Value) -> ApiResult {
    let client = browser.client.clone().ok_or(CoreError::SignedOut)?;
    with_client(state, browser, client, |_, _| response).await
}

/// `status` may repeat (clerk-js splits a list into repeated keys); none: every status.
fn statuses(q: &QueryParams) -> Result<Vec<InvitationStatus>, ApiError> {
    q.all("status")
        .iter()
        .flat_map(|s| s.split(','))
        .filter(|s| !s.is_empty())
        .map(|s| {
            InvitationStatus::parse(s).ok_or_else(|| {
                ApiError::query(CoreError::value(
                    "status",
                    "status must be one of pending, accepted, revoked or expired",
                ))
            })
        })
        .collect()
}

pub async fn mine(State(state): State<AppState>, browser: Browser, q: QueryParams) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let page = Page::new(q.i64("limit")?, q.i64("offset")?).map_err(ApiError::query)?;
    let (list, total) = app::mine(&state, &s.user_id, statuses(&q)?, page).await?;
    let now = state.now();
    let data: Vec<Value> = list
        .iter()
        .map(|(i, o)| wire::user_invitation(i, o, now))
        .collect();
    respond(
        &state,
        &browser,
        json!({ "data": data, "total_count": total }),
    )
    .await
}

/// Answers the accepted invitation; the client's user now has the membership.
pub async fn accept(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<MyInvitationPath>,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let (inv, org) = app::accept_mine(&state, &browser.ctx, &s.user_id, &p.invitation_id).await?;
    respond(
        &state,
        &browser,
        wire::user_invitation(&inv, &org, state.now()),
    )
    .await
}
