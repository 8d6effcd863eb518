//! The Frontend API listener. Browser-facing flows come later; today it publishes the instance's
//! public keys where Clerk's Frontend API does, and answers health checks.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use crate::state::AppState;
use crate::wire::jwks::JwksJson;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/.well-known/jwks.json", get(jwks))
        .route("/v1/jwks", get(jwks))
}

/// Public keys are public: no secret key needed here, as on Clerk's Frontend API.
async fn jwks(State(state): State<AppState>) -> Json<JwksJson> {
    Json(crate::bapi::public_jwks(&state))
}
