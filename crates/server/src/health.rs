//! Liveness and readiness.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::state::AppState;

/// The process is up and serving.
pub async fn healthz() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

/// The process can do its work: the database answers. In degraded mode the node still serves
/// signed-in sessions' tokens, so it stays in rotation: 200 with `"status": "degraded"`.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.degraded.is_active() && state.settings().degraded_mode_enabled {
        return Json(json!({
            "status": "degraded",
            "reason": "database",
            "cause": state.degraded.cause(),
        }))
        .into_response();
    }
    match state.store.ping().await {
        Ok(()) => Json(json!({"status": "ready"})).into_response(),
        Err(e) => {
            tracing::warn!(error = %usher_core::error::report(&e), "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "reason": "database"})),
            )
                .into_response()
        }
    }
}
