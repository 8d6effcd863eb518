//! Billing (entitlements only: Usher takes no payments). Clerk's routes: the plan list, a
//! user's or organization's subscription, canceling a subscription item. Usher's extensions,
//! since Clerk makes plans in its Dashboard and assigns them at checkout: `POST
//! /v1/billing/plans`, `GET /v1/billing/plans/{id or slug}`, and `POST
//! …/{user or organization}/billing/subscription_items` (`{plan_id}`) to assign a plan.

use axum::Json;
use axum::response::IntoResponse;
use usher_core::CoreError;
use usher_core::billing::{PayerType, PlanQuery};

use super::call::Call;
use crate::app::billing as app;
use crate::error::{ApiError, ApiResult};
use crate::extract::body::JsonBody;
use crate::extract::path::{OrganizationPath, Path, PlanRefPath, SubscriptionItemPath, UserPath};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::billing::{PlanJson, SubscriptionItemJson, SubscriptionJson};
use crate::wire::lists::paginated;
use crate::wire::requests::billing::{AssignPlanRequest, CreatePlanRequest};

/// `payer_type`, `limit` and `offset`, as both APIs' plan lists take them.
pub fn plan_query(q: &QueryParams) -> Result<PlanQuery, ApiError> {
    let page = q.page()?;
    let payer_type = match q.one("payer_type") {
        None => None,
        Some(raw) => Some(PayerType::parse(raw).ok_or_else(|| {
            ApiError::query(CoreError::ParamValueInvalid {
                param: "payer_type".into(),
                reason: "must be user or org".into(),
            })
        })?),
    };
    Ok(PlanQuery { payer_type, page })
}

pub async fn list_plans(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let (plans, total) = app::list_plans(&state, &plan_query(&q)?).await?;
    let ins = &state.instance.id;
    Ok(paginated(
        plans.iter().map(|p| PlanJson::new(p, ins)).collect(),
        total,
    ))
}

pub async fn create_plan(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<CreatePlanRequest>,
) -> ApiResult {
    let plan = app::create_plan(&state, &ctx, body.into()).await?;
    Ok(Json(PlanJson::new(&plan, &state.instance.id)).into_response())
}

pub async fn get_plan(Call { state, .. }: Call, Path(p): Path<PlanRefPath>) -> ApiResult {
    let plan = app::find_plan(&state, &p.plan_id)
        .await?
        .ok_or(CoreError::NotFound {
            resource: app::PLAN,
        })?;
    Ok(Json(PlanJson::new(&plan, &state.instance.id)).into_response())
}

async fn subscription_of(state: &AppState, payer_type: PayerType, payer_id: &str) -> ApiResult {
    let sub = app::subscription(state, payer_type, payer_id).await?;
    let json = SubscriptionJson::new(&sub, &state.instance.id).ok_or(CoreError::NotFound {
        resource: "subscription",
    })?;
    Ok(Json(json).into_response())
}

pub async fn user_subscription(Call { state, .. }: Call, Path(p): Path<UserPath>) -> ApiResult {
    subscription_of(&state, PayerType::User, &p.user_id).await
}

pub async fn organization_subscription(
    Call { state, .. }: Call,
    Path(p): Path<OrganizationPath>,
) -> ApiResult {
    subscription_of(&state, PayerType::Org, &p.organization_id).await
}

async fn assign(
    state: &AppState,
    ctx: &crate::app::context::RequestContext,
    payer_type: PayerType,
    payer_id: &str,
    plan: &str,
) -> ApiResult {
    let (item, plan) = app::assign(state, ctx, payer_type, payer_id, plan).await?;
    let json = SubscriptionItemJson::new(&item, Some(&plan), &state.instance.id);
    Ok(Json(json).into_response())
}

pub async fn assign_to_user(
    Call { state, ctx }: Call,
    Path(p): Path<UserPath>,
    JsonBody(body): JsonBody<AssignPlanRequest>,
) -> ApiResult {
    assign(&state, &ctx, PayerType::User, &p.user_id, &body.plan_id).await
}

pub async fn assign_to_organization(
    Call { state, ctx }: Call,
    Path(p): Path<OrganizationPath>,
    JsonBody(body): JsonBody<AssignPlanRequest>,
) -> ApiResult {
    assign(
        &state,
        &ctx,
        PayerType::Org,
        &p.organization_id,
        &body.plan_id,
    )
    .await
}

pub async fn cancel_item(
    Call { state, ctx }: Call,
    Path(p): Path<SubscriptionItemPath>,
    q: QueryParams,
) -> ApiResult {
    let end_now = q.bool("end_now")?.unwrap_or(false);
    let (item, plan) = app::cancel(&state, &ctx, &p.subscription_item_id, end_now).await?;
    let json = SubscriptionItemJson::new(&item, plan.as_ref(), &state.instance.id);
    Ok(Json(json).into_response())
}
