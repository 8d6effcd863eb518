//! `/v1/redirect_urls`: list, create, get, delete.

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;

use crate::app::redirect_urls as app;
use crate::error::ApiResult;
use crate::extract::auth::SecretKeyAuth;
use crate::extract::body::JsonBody;
use crate::extract::path::{Path, RedirectUrlPath};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::lists::list_response;
use crate::wire::redirect_urls::{deleted_json, redirect_url_json};
use crate::wire::requests::redirect_urls::CreateRedirectUrlRequest;

/// Oldest first; a bare array unless `paginated=true`, as Clerk's.
pub async fn list(
    State(state): State<AppState>,
    _auth: SecretKeyAuth,
    q: QueryParams,
) -> ApiResult {
    let page = q.page()?;
    let paginated = q.bool("paginated")?.unwrap_or(false);
    let all = app::list(&state).await?;
    let total = all.len() as i64;
    let items: Vec<_> = page.of(&all).map(redirect_url_json).collect();
    Ok(list_response(items, total, paginated))
}

pub async fn create(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    JsonBody(body): JsonBody<CreateRedirectUrlRequest>,
) -> ApiResult {
    let r = app::create(&state, &ctx, &body.url).await?;
    Ok(Json(redirect_url_json(&r)).into_response())
}

pub async fn get(
    State(state): State<AppState>,
    _auth: SecretKeyAuth,
    Path(p): Path<RedirectUrlPath>,
) -> ApiResult {
    let r = app::get(&state, &p.id).await?;
    Ok(Json(redirect_url_json(&r)).into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    Path(p): Path<RedirectUrlPath>,
) -> ApiResult {
    app::delete(&state, &ctx, &p.id).await?;
    Ok(Json(deleted_json(&p.id)).into_response())
}
