//! Testing Tokens: `POST /v1/testing_tokens`.

use axum::Json;
use axum::response::{IntoResponse, Response};

use super::call::Call;
use crate::error::ApiError;
use crate::wire::testing_tokens::TestingTokenJson;

pub async fn create(Call { state, .. }: Call) -> Result<Response, ApiError> {
    let t = crate::app::testing_tokens::create(&state)?;
    Ok(Json(TestingTokenJson::new(t)).into_response())
}
