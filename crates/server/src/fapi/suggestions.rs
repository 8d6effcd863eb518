//! `/v1/me/organization_suggestions…` and `/v1/organizations/{id}/membership_requests…`: what a
//! verified domain suggests to the signed-in user, the requests to join that accepting one makes,
//! and an organization's admins deciding them.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};
use usher_core::CoreError;
use usher_core::organizations::membership_requests::RequestStatus;
use usher_core::organizations::suggestions::SuggestionStatus;
use usher_core::users::query::Page;

use super::browser::Browser;
use super::me::signed_in;
use super::respond::with_client;
use crate::app::frontend::membership_requests as requests;
use crate::app::frontend::suggestions as app;
use crate::error::ApiError;
use crate::extract::path::{MembershipRequestPath, MySuggestionPath, OrganizationPath, Path};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::frontend::suggestions::{MembershipRequestJson, SuggestionJson};

type ApiResult = Result<Response, ApiError>;

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

async fn respond(state: &AppState, browser: &Browser, response: Value) -> ApiResult {
    let client = browser.client.clone().ok_or(CoreError::SignedOut)?;
    with_client(state, browser, client, |_, _| response).await
}

fn page(q: &QueryParams) -> Result<Page, ApiError> {
    Page::new(q.i64("limit")?, q.i64("offset")?).map_err(ApiError::query)
}

/// `status` may repeat (clerk-js splits a list into repeated keys); none: every status.
fn statuses<T>(
    q: &QueryParams,
    parse: fn(&str) -> Option<T>,
    allowed: &'static str,
) -> Result<Vec<T>, ApiError> {
    q.all("status")
        .iter()
        .flat_map(|s| s.split(','))
        .filter(|s| !s.is_empty())
        .map(|s| parse(s).ok_or_else(|| ApiError::query(CoreError::value("status", allowed))))
        .collect()
}

fn page_json<T: serde::Serialize>(data: Vec<T>, total: i64) -> Value {
    json!({ "data": data, "total_count": total })
}

async fn mine(State(state): State<AppState>, browser: Browser, q: QueryParams) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let wanted = statuses(
        &q,
        SuggestionStatus::parse,
        "status must be pending or accepted",
    )?;
    let (list, total) = app::mine(&state, &s.user_id, wanted, page(&q)?).await?;
    let data = list
        .iter()
        .map(|(s, o)| SuggestionJson::new(s, o))
        .collect();
    respond(&state, &browser, page_json(data, total)).await
}

/// Answers the accepted suggestion; the request to join now waits for the admins.
async fn accept(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<MySuggestionPath>,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let (sugg, org) = app::accept_mine(&state, &browser.ctx, &s.user_id, &p.suggestion_id).await?;
    respond(&state, &browser, json!(SuggestionJson::new(&sugg, &org))).await
}

async fn list_requests(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<OrganizationPath>,
    q: QueryParams,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let wanted = statuses(
        &q,
        RequestStatus::parse,
        "status must be one of pending, accepted or rejected",
    )?;
    let (list, total) =
        requests::list(&state, &s.user_id, &p.organization_id, wanted, page(&q)?).await?;
    let data = list
        .iter()
        .map(|(r, u)| MembershipRequestJson::new(r, u.as_ref()))
        .collect();
    respond(&state, &browser, page_json(data, total)).await
}

/// `POST …/membership_requests/{id}/accept` (`ACCEPT`) and `…/reject`.
async fn decide_request<const ACCEPT: bool>(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<MembershipRequestPath>,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let (ctx, org, id) = (&browser.ctx, &p.organization_id, &p.request_id);
    let (r, u) = if ACCEPT {
        requests::accept(&state, ctx, &s.user_id, org, id).await?
    } else {
        requests::reject(&state, ctx, &s.user_id, org, id).await?
    };
    respond(
        &state,
        &browser,
        json!(MembershipRequestJson::new(&r, u.as_ref())),
    )
    .await
}
