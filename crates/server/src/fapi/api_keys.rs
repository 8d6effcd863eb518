//! `/api_keys` on the Frontend API host, as clerk-js's `apiKeys` calls it (no `/v1`, a session
//! token as the bearer, JSON bodies, bare JSON answers — Clerk's "FAPI proxy" to its API keys
//! service). The subject defaults to the session's active organization, else its user.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::bearer::SessionBearer;
use crate::app::frontend::api_keys as app;
use crate::bapi::api_keys::{list_query, refused};
use crate::error::ApiResult;
use crate::extract::body::JsonBody;
use crate::extract::path::{ApiKeyPath, Path};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::api_keys::ApiKeyJson;
use crate::wire::lists::paginated;
use crate::wire::requests::api_keys::{FrontendCreateApiKeyRequest, FrontendRevokeApiKeyRequest};

fn default_subject(caller: &SessionBearer) -> String {
    caller
        .organization_id
        .as_ref()
        .map_or_else(|| caller.user_id.to_string(), |o| o.to_string())
}

pub async fn list(
    State(state): State<AppState>,
    caller: SessionBearer,
    q: QueryParams,
) -> ApiResult {
    let subject = q
        .one("subject")
        .map_or_else(|| default_subject(&caller), str::to_owned);
    let (keys, total) = app::list(&state, &caller.user_id, list_query(&q, subject)?).await?;
    let now = state.now();
    Ok(paginated(
        keys.iter().map(|k| ApiKeyJson::new(k, now)).collect(),
        total,
    ))
}

pub async fn create(
    State(state): State<AppState>,
    caller: SessionBearer,
    JsonBody(body): JsonBody<FrontendCreateApiKeyRequest>,
) -> ApiResult {
    let input = body.into_input(&default_subject(&caller));
    let (key, secret) = app::create(&state, &caller.ctx, &caller.user_id, input)
        .await
        .map_err(refused)?;
    // The Frontend API answers a create 201 (its spec), where the Backend API answers 200.
    let json = Json(ApiKeyJson::with_secret(&key, secret, state.now()));
    Ok((StatusCode::CREATED, json).into_response())
}

pub async fn revoke(
    State(state): State<AppState>,
    caller: SessionBearer,
    Path(p): Path<ApiKeyPath>,
    JsonBody(body): JsonBody<FrontendRevokeApiKeyRequest>,
) -> ApiResult {
    let key = app::revoke(
        &state,
        &caller.ctx,
        &caller.user_id,
        &p.api_key_id,
        body.revocation_reason,
    )
    .await
    .map_err(refused)?;
    Ok(Json(ApiKeyJson::new(&key, state.now())).into_response())
}
