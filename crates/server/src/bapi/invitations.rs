//! Invitations to sign up: `/v1/invitations…`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use usher_core::CoreError;
use usher_core::invitations::{Invitation, InvitationQuery, InvitationStatus};

use super::call::Call;
use crate::app::invitations as app;
use crate::error::{ApiError, ApiResult};
use crate::extract::body::JsonBody;
use crate::extract::path::{InstanceInvitationPath, Path};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::invitations::InvitationJson;
use crate::wire::lists::list_response;
use crate::wire::requests::invitations::{BulkInvitationRequest, CreateInvitationRequest};
use crate::wire::requests::organization_invitations::BulkInvitationRequest as Wrap;

fn one(state: &AppState, i: &Invitation) -> Response {
    Json(InvitationJson::new(i, state.now())).into_response()
}

pub async fn create(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<CreateInvitationRequest>,
) -> ApiResult {
    let made = app::create_many(&state, &ctx, vec![body.into_new()?]).await?;
    let inv = made
        .first()
        .ok_or(CoreError::NotFound {
            resource: "invitation",
        })
        .map_err(ApiError::from)?;
    Ok(one(&state, inv))
}

/// `POST /v1/invitations/bulk`: a JSON array of invitations, all made or none.
pub async fn create_bulk(Call { state, ctx }: Call, body: axum::body::Bytes) -> ApiResult {
    let JsonBody(body) = JsonBody::<BulkInvitationRequest>::parse(&Wrap::wrap(&body))?;
    let inputs = body
        .invitations
        .into_iter()
        .map(CreateInvitationRequest::into_new)
        .collect::<Result<Vec<_>, _>>()?;
    let made = app::create_many(&state, &ctx, inputs).await?;
    let now = state.now();
    let data: Vec<_> = made.iter().map(|i| InvitationJson::new(i, now)).collect();
    Ok(Json(data).into_response())
}

/// The list query of either scope's `GET`: `limit`, `offset`, `status` (any number), `query`, and
/// an `order_by` among `orders` (newest first is the only order; `order_hint` names it in the
/// error).
pub(super) fn query_from(
    state: &AppState,
    q: &QueryParams,
    orders: &[&str],
    order_hint: &str,
) -> Result<InvitationQuery, ApiError> {
    let page = q.page()?;
    let mut statuses = Vec::new();
    for s in q.all("status") {
        let status = InvitationStatus::parse(&s).ok_or_else(|| {
            ApiError::query(CoreError::value(
                "status",
                "must be one of pending, accepted, revoked, expired",
            ))
        })?;
        statuses.push(status);
    }
    if let Some(order) = q.one("order_by")
        && !orders.contains(&order)
    {
        return Err(ApiError::query(CoreError::value(
            "order_by",
            format!("only {order_hint} is supported"),
        )));
    }
    Ok(InvitationQuery {
        statuses,
        query: q.one("query").map(str::to_owned),
        now: state.now(),
        page,
        ..Default::default()
    })
}

/// `GET /v1/invitations`: newest first; a bare array unless `paginated=true`.
pub async fn list(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let query = query_from(
        &state,
        &q,
        &["-created_at", "created_at", "+created_at"],
        "-created_at",
    )?;
    let paginated = q.bool("paginated")?.unwrap_or(false);
    let (list, total) = app::list(&state, &query).await?;
    let now = state.now();
    let items: Vec<_> = list.iter().map(|i| InvitationJson::new(i, now)).collect();
    Ok(list_response(items, total, paginated))
}

pub async fn revoke(Call { state, ctx }: Call, Path(p): Path<InstanceInvitationPath>) -> ApiResult {
    let inv = app::revoke(&state, &ctx, &p.invitation_id).await?;
    Ok(one(&state, &inv))
}
