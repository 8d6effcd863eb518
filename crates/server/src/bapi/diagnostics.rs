//! `GET /v1/usher/diagnostics`: an Usher extension (secret key) behind `usher doctor` — this
//! server's measurements and their judgement (see `core::diagnostics`).

use axum::Json;
use axum::response::{IntoResponse, Response};

use super::call::Call;
use crate::app::diagnostics;
use crate::error::ApiError;
use crate::wire::diagnostics::DiagnosticsJson;

pub async fn get(Call { state, .. }: Call) -> Result<Response, ApiError> {
    let m = diagnostics::measure(&state).await?;
    let d = usher_core::diagnostics::judge(&m);
    Ok(Json(DiagnosticsJson::new(d, m)).into_response())
}
