use axum::Json;
use axum::extract::State;

use crate::extract::auth::SecretKeyAuth;
use crate::state::AppState;
use crate::wire::jwks::{JwkJson, JwksJson};

pub async fn get(State(state): State<AppState>, _auth: SecretKeyAuth) -> Json<JwksJson> {
    Json(jwks(&state))
}

pub fn jwks(state: &AppState) -> JwksJson {
    JwksJson {
        keys: state
            .keys()
            .all
            .iter()
            .map(|k| JwkJson::from(k.jwk()))
            .collect(),
    }
}
