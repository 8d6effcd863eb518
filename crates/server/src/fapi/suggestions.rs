//! `/v1/me/organization_suggestions…` and `/v1/organizations/{id}/membership_requests…`: what a
//! verified domain suggests to the signed-in user, the requests to join that accepting one makes,
//! and an organization's admins deciding them.

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde_json::json;
use usher_core::organizations::membership_requests::RequestStatus;
use usher_core::organizations::suggestions::SuggestionStatus;

use super::respond::{respond, respond_page};
use super::signed_in::SignedIn;
use crate::app::frontend::membership_requests as requests;
use crate::app::frontend::suggestions as app;
use crate::error::ApiResult;
use crate::extract::path::{MembershipRequestPath, MySuggestionPath, OrganizationPath};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::frontend::suggestions::{MembershipRequestJson, SuggestionJson};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/me/organization_suggestions", get(mine))
        .route(
            "/v1/me/organization_suggestions/{suggestion_id}/accept",
            post(accept),
        )
        .route(
            "/v1/organizations/{organization_id}/membership_requests",
            get(list_requests),
        )
        .route(
            "/v1/organizations/{organization_id}/membership_requests/{request_id}/accept",
            post(decide_request::<true>),
        )
        .route(
            "/v1/organizations/{organization_id}/membership_requests/{request_id}/reject",
            post(decide_request::<false>),
        )
}

async fn mine(State(state): State<AppState>, me: SignedIn, q: QueryParams) -> ApiResult {
    let wanted = q.statuses(
        SuggestionStatus::parse,
        "status must be pending or accepted",
    )?;
    let (list, total) = app::mine(&state, &me.session.user_id, wanted, q.page()?).await?;
    let data = list
        .iter()
        .map(|(s, o)| SuggestionJson::new(s, o))
        .collect();
    respond_page(&state, &me.browser, data, total).await
}

/// Answers the accepted suggestion; the request to join now waits for the admins.
async fn accept(State(state): State<AppState>, me: SignedIn<MySuggestionPath>) -> ApiResult {
    let (ctx, user) = (&me.browser.ctx, &me.session.user_id);
    let (sugg, org) = app::accept_mine(&state, ctx, user, &me.path.suggestion_id).await?;
    respond(&state, &me.browser, json!(SuggestionJson::new(&sugg, &org))).await
}

async fn list_requests(
    State(state): State<AppState>,
    me: SignedIn<OrganizationPath>,
    q: QueryParams,
) -> ApiResult {
    let wanted = q.statuses(
        RequestStatus::parse,
        "status must be one of pending, accepted or rejected",
    )?;
    let (user, org) = (&me.session.user_id, &me.path.organization_id);
    let (list, total) = requests::list(&state, user, org, wanted, q.page()?).await?;
    let data = list
        .iter()
        .map(|(r, u)| MembershipRequestJson::new(r, u.as_ref()))
        .collect();
    respond_page(&state, &me.browser, data, total).await
}

/// `POST …/membership_requests/{id}/accept` (`ACCEPT`) and `…/reject`.
async fn decide_request<const ACCEPT: bool>(
    State(state): State<AppState>,
    me: SignedIn<MembershipRequestPath>,
) -> ApiResult {
    let (ctx, user) = (&me.browser.ctx, &me.session.user_id);
    let (org, id) = (&me.path.organization_id, &me.path.request_id);
    let (r, u) = requests::decide(&state, ctx, user, org, id, ACCEPT).await?;
    let body = json!(MembershipRequestJson::new(&r, u.as_ref()));
    respond(&state, &me.browser, body).await
}
