//! Sign-in Tokens: `POST /v1/sign_in_tokens`, `POST /v1/sign_in_tokens/{id}/revoke`.

use axum::Json;
use axum::response::{IntoResponse, Response};

use super::call::Call;
use crate::app::sign_in_tokens as app;
use crate::error::ApiError;
use crate::extract::body::JsonBody;
use crate::extract::path::{Path, SignInTokenPath};
use crate::wire::requests::sign_in_tokens::CreateSignInTokenRequest;
use crate::wire::sign_in_tokens::SignInTokenJson;

pub async fn create(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<CreateSignInTokenRequest>,
) -> Result<Response, ApiError> {
    let (token, ticket) = app::create(&state, &ctx, &body.user_id, body.expires_in_seconds).await?;
    Ok(Json(SignInTokenJson::new(&token, Some(ticket))).into_response())
}

pub async fn revoke(
    Call { state, ctx }: Call,
    Path(p): Path<SignInTokenPath>,
) -> Result<Response, ApiError> {
    let token = app::revoke(&state, &ctx, &p.sign_in_token_id).await?;
    Ok(Json(SignInTokenJson::new(&token, None)).into_response())
}
