//! `/v1/actor_tokens` bodies.

use serde::Deserialize;
use serde_json::Value;
use usher_core::actor_tokens::NewActorToken;

use super::fields;

/// `POST /v1/actor_tokens`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateActorTokenRequest {
    #[serde(with = "fields::required_string")]
    pub user_id: String,
    /// Any JSON here; core says what an actor must hold (an object with a string `sub`).
    #[serde(default)]
    pub actor: Option<Value>,
    #[serde(default, with = "fields::int")]
    pub expires_in_seconds: Option<i64>,
    #[serde(default, with = "fields::int")]
    pub session_max_duration_in_seconds: Option<i64>,
}

impl CreateActorTokenRequest {
    pub fn into_parts(self) -> (String, NewActorToken) {
        (
            self.user_id,
            NewActorToken {
                actor: self.actor,
                expires_in_seconds: self.expires_in_seconds,
                session_max_duration_in_seconds: self.session_max_duration_in_seconds,
            },
        )
    }
}
