//! Billing on the Frontend API: the publicly visible plans clerk-js's `<PricingTable/>` lists
//! (`GET /v1/billing/plans`, bare `{data,total_count}` as clerk-js reads it, and one plan by id or
//! slug). Usher takes no payments: checkouts, payment methods and the payment flows answer
//! `payments_not_supported` (422).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use usher_core::CoreError;
use usher_core::billing::Plan;
use usher_core::users::query::Page;

use crate::app::billing as app;
use crate::bapi::billing::plan_query;
use crate::error::{ApiError, ApiResult};
use crate::extract::path::{Path, PlanRefPath};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::billing::PlanJson;
use crate::wire::lists::paginated;

/// The routes of Clerk's payment flows, under `/v1/me/billing` and
/// `/v1/organizations/{organization_id}/billing`.
pub const PAYMENT_ROUTES: [&str; 10] = [
    "/v1/me/billing/checkouts",
    "/v1/me/billing/checkouts/{id}",
    "/v1/me/billing/checkouts/{id}/confirm",
    "/v1/me/billing/payment_methods",
    "/v1/me/billing/payment_methods/initialize",
    "/v1/organizations/{organization_id}/billing/checkouts",
    "/v1/organizations/{organization_id}/billing/checkouts/{id}",
    "/v1/organizations/{organization_id}/billing/checkouts/{id}/confirm",
    "/v1/organizations/{organization_id}/billing/payment_methods",
    "/v1/organizations/{organization_id}/billing/payment_methods/initialize",
];

pub async fn list_plans(State(state): State<AppState>, q: QueryParams) -> ApiResult {
    // Only the plans shown to end users, paged and counted among themselves (an instance has a
    // handful of plans: they are read at once).
    let mut query = plan_query(&q)?;
    let page = std::mem::replace(
        &mut query.page,
        Page::new(Some(500), None).map_err(ApiError::query)?,
    );
    let (plans, _) = app::list_plans(&state, &query).await?;
    let shown: Vec<&Plan> = plans.iter().filter(|p| p.publicly_visible).collect();
    let total_count = i64::try_from(shown.len()).unwrap_or(i64::MAX);
    Ok(paginated(
        page.of(shown)
            .map(|p| PlanJson::new(p, &state.instance.id))
            .collect(),
        total_count,
    ))
}

pub async fn get_plan(State(state): State<AppState>, Path(p): Path<PlanRefPath>) -> ApiResult {
    let plan = app::find_plan(&state, &p.plan_id)
        .await?
        .filter(|p| p.publicly_visible)
        .ok_or(CoreError::NotFound {
            resource: app::PLAN,
        })?;
    Ok(Json(PlanJson::new(&plan, &state.instance.id)).into_response())
}

pub async fn payments_not_supported() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "payments_not_supported",
        "payments are not supported",
        "This instance takes no payments: plans are assigned to users and organizations through \
         the Backend API.",
    )
}
