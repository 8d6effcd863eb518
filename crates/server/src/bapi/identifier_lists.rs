//! `/v1/allowlist_identifiers` and `/v1/blocklist_identifiers`: list, create, delete.

use axum::Json;
use axum::response::IntoResponse;
use usher_core::identifier_lists::ListKind;

use super::call::Call;
use crate::app::identifier_lists as app;
use crate::error::ApiResult;
use crate::extract::body::JsonBody;
use crate::extract::path::{IdentifierListPath, Path};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::identifier_lists::{deleted_json, entry_json};
use crate::wire::lists::list_response;
use crate::wire::requests::identifier_lists::{AllowlistRequest, BlocklistRequest};

async fn list(state: &AppState, list: ListKind, paginated: bool) -> ApiResult {
    let entries = app::list(state, list).await?;
    let ins = state.instance.id.to_string();
    let items: Vec<_> = entries.iter().map(|e| entry_json(e, &ins)).collect();
    let total = items.len() as i64;
    Ok(list_response(items, total, paginated))
}

async fn create(
    state: &AppState,
    ctx: &crate::app::context::RequestContext,
    list: ListKind,
    identifier: &str,
) -> ApiResult {
    let e = app::add(state, ctx, list, identifier).await?;
    Ok(Json(entry_json(&e, &state.instance.id)).into_response())
}

/// A bare array unless `paginated=true`, as Clerk's list.
pub async fn list_allowed(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let paginated = q.bool("paginated")?.unwrap_or(false);
    list(&state, ListKind::Allow, paginated).await
}

/// Always `{data, total_count}`, as Clerk's.
pub async fn list_blocked(Call { state, .. }: Call) -> ApiResult {
    list(&state, ListKind::Block, true).await
}

pub async fn create_allowed(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<AllowlistRequest>,
) -> ApiResult {
    create(&state, &ctx, ListKind::Allow, &body.identifier).await
}

pub async fn create_blocked(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<BlocklistRequest>,
) -> ApiResult {
    create(&state, &ctx, ListKind::Block, &body.identifier).await
}

pub async fn delete_allowed(
    Call { state, ctx }: Call,
    Path(p): Path<IdentifierListPath>,
) -> ApiResult {
    app::remove(&state, &ctx, ListKind::Allow, &p.identifier_id).await?;
    Ok(Json(deleted_json(ListKind::Allow, &p.identifier_id)).into_response())
}

pub async fn delete_blocked(
    Call { state, ctx }: Call,
    Path(p): Path<IdentifierListPath>,
) -> ApiResult {
    app::remove(&state, &ctx, ListKind::Block, &p.identifier_id).await?;
    Ok(Json(deleted_json(ListKind::Block, &p.identifier_id)).into_response())
}
