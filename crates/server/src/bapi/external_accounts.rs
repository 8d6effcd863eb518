//! `DELETE /v1/users/{user_id}/external_accounts/{external_account_id}` and
//! `GET /v1/users/{user_id}/oauth_access_tokens/{provider}`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::call::Call;
use crate::app::external_accounts as app;
use crate::error::ApiError;
use crate::extract::path::{Path, UserExternalAccountPath, UserProviderPath};
use crate::wire::external_accounts::access_token;

pub async fn delete(
    Call { state, ctx }: Call,
    Path(p): Path<UserExternalAccountPath>,
) -> Result<Response, ApiError> {
    app::delete(&state, &ctx, &p.user_id, &p.external_account_id).await?;
    Ok(Json(json!({
        "object": "external_account",
        "id": p.external_account_id,
        "deleted": true,
    }))
    .into_response())
}

pub async fn oauth_access_tokens(
    Call { state, ctx }: Call,
    Path(p): Path<UserProviderPath>,
) -> Result<Response, ApiError> {
    let tokens = app::access_tokens(&state, &ctx, &p.user_id, &p.provider).await?;
    let list: Vec<Value> = tokens
        .iter()
        .map(|(account, row, token)| access_token(account, token, row.expires_at, &row.scopes))
        .collect();
    Ok(Json(Value::Array(list)).into_response())
}
