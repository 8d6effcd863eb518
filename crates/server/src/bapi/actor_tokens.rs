//! Actor Tokens: `POST /v1/actor_tokens`, `POST /v1/actor_tokens/{id}/revoke`.

use axum::Json;
use axum::response::{IntoResponse, Response};

use super::call::Call;
use crate::app::actor_tokens as app;
use crate::error::ApiError;
use crate::extract::body::JsonBody;
use crate::extract::path::{ActorTokenPath, Path};
use crate::wire::actor_tokens::ActorTokenJson;
use crate::wire::requests::actor_tokens::CreateActorTokenRequest;

pub async fn create(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<CreateActorTokenRequest>,
) -> Result<Response, ApiError> {
    let (user_id, input) = body.into_parts();
    let (token, ticket) = app::create(&state, &ctx, &user_id, input).await?;
    Ok(Json(ActorTokenJson::new(&token, Some(ticket))).into_response())
}

pub async fn revoke(
    Call { state, ctx }: Call,
    Path(p): Path<ActorTokenPath>,
) -> Result<Response, ApiError> {
    let token = app::revoke(&state, &ctx, &p.actor_token_id).await?;
    Ok(Json(ActorTokenJson::new(&token, None)).into_response())
}
