//! API keys: `/api_keys` at the API root, as `@clerk/backend` calls it (also under `/v1`).
//! Refused fields answer 400, as Clerk's API keys service does (its spec lists no 422).

use axum::Json;
use axum::response::IntoResponse;
use usher_core::CoreError;
use usher_core::api_keys::{ApiKeyPatch, NewApiKey};

use super::call::Call;
use crate::app::api_keys::{self as app, ListQuery};
use crate::error::{ApiError, ApiResult};
use crate::extract::body::JsonBody;
use crate::extract::path::{ApiKeyPath, Path};
use crate::extract::query::QueryParams;
use crate::wire::api_keys::{ApiKeyJson, DeletedApiKeyJson, SecretJson};
use crate::wire::lists::paginated;
use crate::wire::requests::api_keys::{
    CreateApiKeyRequest, RevokeApiKeyRequest, UpdateApiKeyRequest, VerifyApiKeyRequest,
};

/// A field the domain refused is the request's fault: 400.
pub fn refused(e: CoreError) -> ApiError {
    match e {
        e @ (CoreError::ParamValueInvalid { .. }
        | CoreError::ParamFormatInvalid { .. }
        | CoreError::ParamMissing { .. }) => ApiError::query(e),
        other => other.into(),
    }
}

pub fn list_query(q: &QueryParams, subject: String) -> Result<ListQuery, ApiError> {
    let page = q.page()?;
    if q.one("type").is_some_and(|t| t != "api_key") {
        return Err(ApiError::query(CoreError::ParamValueInvalid {
            param: "type".into(),
            reason: "must be api_key".into(),
        }));
    }
    Ok(ListQuery {
        subject,
        include_invalid: q.bool("include_invalid")?.unwrap_or(false),
        query: q.one("query").map(str::to_owned),
        page,
    })
}

pub async fn list(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let subject = q.one("subject").map(str::to_owned).ok_or_else(|| {
        ApiError::query(CoreError::ParamMissing {
            param: "subject".into(),
        })
    })?;
    let (keys, total) = app::list(&state, list_query(&q, subject)?).await?;
    let now = state.now();
    Ok(paginated(
        keys.iter().map(|k| ApiKeyJson::new(k, now)).collect(),
        total,
    ))
}

pub async fn create(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<CreateApiKeyRequest>,
) -> ApiResult {
    let (key, secret) = app::create(&state, &ctx, NewApiKey::from(body))
        .await
        .map_err(refused)?;
    Ok(Json(ApiKeyJson::with_secret(&key, secret, state.now())).into_response())
}

pub async fn get(Call { state, .. }: Call, Path(p): Path<ApiKeyPath>) -> ApiResult {
    let key = app::get(&state, &p.api_key_id).await?;
    Ok(Json(ApiKeyJson::new(&key, state.now())).into_response())
}

pub async fn update(
    Call { state, ctx }: Call,
    Path(p): Path<ApiKeyPath>,
    JsonBody(body): JsonBody<UpdateApiKeyRequest>,
) -> ApiResult {
    let key = app::update(&state, &ctx, &p.api_key_id, ApiKeyPatch::from(body))
        .await
        .map_err(refused)?;
    Ok(Json(ApiKeyJson::new(&key, state.now())).into_response())
}

pub async fn delete(Call { state, ctx }: Call, Path(p): Path<ApiKeyPath>) -> ApiResult {
    let key = app::delete(&state, &ctx, &p.api_key_id).await?;
    Ok(Json(DeletedApiKeyJson::new(&key.id)).into_response())
}

pub async fn secret(Call { state, ctx }: Call, Path(p): Path<ApiKeyPath>) -> ApiResult {
    let secret = app::secret(&state, &ctx, &p.api_key_id).await?;
    Ok(Json(SecretJson { secret }).into_response())
}

pub async fn revoke(
    Call { state, ctx }: Call,
    Path(p): Path<ApiKeyPath>,
    JsonBody(body): JsonBody<RevokeApiKeyRequest>,
) -> ApiResult {
    let key = app::revoke(&state, &ctx, &p.api_key_id, body.revocation_reason)
        .await
        .map_err(refused)?;
    Ok(Json(ApiKeyJson::new(&key, state.now())).into_response())
}

pub async fn verify(
    Call { state, .. }: Call,
    JsonBody(body): JsonBody<VerifyApiKeyRequest>,
) -> ApiResult {
    let key = app::verify(&state, &body.secret).await?;
    Ok(Json(ApiKeyJson::new(&key, state.now())).into_response())
}
