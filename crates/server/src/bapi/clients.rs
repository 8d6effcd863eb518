//! `GET /v1/clients/handshake_payload`: the cookies a handshake decided on, fetched by the
//! app's backend with the nonce the browser brought back.

use axum::Json;
use axum::extract::Query;
use serde::Deserialize;
use serde_json::{Value, json};

use super::call::Call;
use crate::app::frontend::handshake::payload;
use crate::error::ApiError;

#[derive(Deserialize)]
pub struct NonceQuery {
    nonce: Option<String>,
}

pub async fn handshake_payload(
    Call { state, .. }: Call,
    Query(q): Query<NonceQuery>,
) -> Result<Json<Value>, ApiError> {
    let nonce = q
        .nonce
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::query(usher_core::CoreError::missing("nonce")))?;
    let directives = payload(&state, &nonce).await?;
    Ok(Json(json!({ "directives": directives })))
}
