//! `/v1/redirect_urls`: list, create, get, delete.

use axum::Json;
use axum::response::IntoResponse;

use super::call::Call;
use crate::app::redirect_urls as app;
use crate::error::ApiResult;
use crate::extract::body::JsonBody;
use crate::extract::path::{Path, RedirectUrlPath};
use crate::extract::query::QueryParams;
use crate::wire::lists::list_response;
use crate::wire::redirect_urls::{deleted_json, redirect_url_json};
use crate::wire::requests::redirect_urls::CreateRedirectUrlRequest;

/// Oldest first; a bare array unless `paginated=true`, as Clerk's.
pub async fn list(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let page = q.page()?;
    let paginated = q.bool("paginated")?.unwrap_or(false);
    let all = app::list(&state).await?;
    let total = all.len() as i64;
    let items: Vec<_> = page.of(&all).map(redirect_url_json).collect();
    Ok(list_response(items, total, paginated))
}

pub async fn create(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<CreateRedirectUrlRequest>,
) -> ApiResult {
    let r = app::create(&state, &ctx, &body.url).await?;
    Ok(Json(redirect_url_json(&r)).into_response())
}

pub async fn get(Call { state, .. }: Call, Path(p): Path<RedirectUrlPath>) -> ApiResult {
    let r = app::get(&state, &p.id).await?;
    Ok(Json(redirect_url_json(&r)).into_response())
}

pub async fn delete(Call { state, ctx }: Call, Path(p): Path<RedirectUrlPath>) -> ApiResult {
    app::delete(&state, &ctx, &p.id).await?;
    Ok(Json(deleted_json(&p.id)).into_response())
}
