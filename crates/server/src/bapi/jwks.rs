use axum::Json;

use super::call::Call;
use crate::state::AppState;
use crate::wire::jwks::{JwkJson, JwksJson};

pub async fn get(Call { state, .. }: Call) -> Json<JwksJson> {
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
