//! Testing Tokens: `POST /v1/testing_tokens`.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::extract::auth::SecretKeyAuth;
use crate::state::AppState;
use crate::wire::testing_tokens::TestingTokenJson;

pub async fn create(
    State(state): State<AppState>,
    _auth: SecretKeyAuth,
) -> Result<Response, ApiError> {
    let t = crate::app::testing_tokens::create(&state)?;
    Ok(Json(TestingTokenJson::new(t)).into_response())
}
