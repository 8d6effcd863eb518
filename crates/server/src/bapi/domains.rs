//! `/v1/domains`: list, add a satellite, update, delete.

use axum::Json;
use axum::response::{IntoResponse, Response};

use super::call::Call;
use crate::app::domains as app;
use crate::error::ApiError;
use crate::extract::body::JsonBody;
use crate::extract::path::{InstanceDomainPath, Path};
use crate::wire::domains::{deleted_json, domain_json};
use crate::wire::requests::domains::{AddDomainRequest, UpdateDomainRequest};

type ApiResult = Result<Response, ApiError>;

/// Every domain, the primary first, as `{data, total_count}`.
pub async fn list(Call { state, .. }: Call) -> ApiResult {
    let all = app::list(&state).await?;
    let data: Vec<_> = all.iter().map(|d| domain_json(&state, d)).collect();
    Ok(Json(serde_json::json!({
        "data": data,
        "total_count": all.len(),
    }))
    .into_response())
}

pub async fn create(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<AddDomainRequest>,
) -> ApiResult {
    let d = app::create(
        &state,
        &ctx,
        &body.name,
        body.is_satellite,
        body.proxy_url.as_deref(),
    )
    .await?;
    Ok(Json(domain_json(&state, &d)).into_response())
}

pub async fn update(
    Call { state, ctx }: Call,
    Path(p): Path<InstanceDomainPath>,
    JsonBody(body): JsonBody<UpdateDomainRequest>,
) -> ApiResult {
    let d = app::update(
        &state,
        &ctx,
        &p.domain_id,
        body.name.as_deref(),
        body.proxy_url.as_ref().map(|p| p.as_deref()),
    )
    .await?;
    Ok(Json(domain_json(&state, &d)).into_response())
}

pub async fn delete(Call { state, ctx }: Call, Path(p): Path<InstanceDomainPath>) -> ApiResult {
    app::delete(&state, &ctx, &p.domain_id).await?;
    Ok(Json(deleted_json(&p.domain_id)).into_response())
}
