//! The handshake's server side: the session to refresh, and payloads kept for the Backend API
//! to fetch by nonce.

use sha2::{Digest, Sha256};
use usher_core::clients::{Client, ClientToken};
use usher_core::error::Cause;
use usher_core::{CoreError, CoreResult};

use super::clients::token;
use crate::app::found;
use crate::state::AppState;

/// How long an app may take to fetch a payload by its nonce. A nonce can be fetched more than
/// once meanwhile (a reload must not sign the user out).
pub const NONCE_TTL_MS: i64 = 120_000;

/// A fresh token of the client's active session and the session's start (seconds), if the
/// client is signed in.
pub async fn refreshed_session(
    state: &AppState,
    client: &Client,
    azp: Option<&str>,
) -> CoreResult<Option<(String, i64)>> {
    let Some(sid) = client.last_active_session_id.as_ref() else {
        return Ok(None);
    };
    let Some(session) = state.store.get_session(&state.instance.id, sid).await? else {
        return Ok(None);
    };
    match token(state, client, sid, azp, None).await {
        Ok(jwt) => Ok(Some((jwt, session.created_at / 1000))),
        Err(
            CoreError::SessionNotActive { .. }
            | CoreError::UserBanned
            | CoreError::UserLocked { .. }
            | CoreError::NotFound { .. },
        ) => Ok(None),
        Err(e) => Err(e),
    }
}

fn nonce_hash(nonce: &str) -> String {
    hex::encode(Sha256::digest(nonce.as_bytes()))
}

/// Keeps `directives` for the Backend API and returns the nonce naming them.
pub async fn store_payload(state: &AppState, directives: &[String]) -> CoreResult<String> {
    let nonce = ClientToken::generate();
    let payload = serde_json::to_string(directives)
        .map_err(|e| CoreError::Storage(Cause::context("encoding a handshake payload", e)))?;
    state
        .store
        .put_handshake_nonce(
            &state.instance.id,
            &nonce_hash(nonce.as_str()),
            &payload,
            state.now() + NONCE_TTL_MS,
        )
        .await?;
    Ok(nonce.as_str().to_owned())
}

pub async fn payload(state: &AppState, nonce: &str) -> CoreResult<Vec<String>> {
    let found = found(
        state
            .store
            .handshake_payload(&state.instance.id, &nonce_hash(nonce), state.now())
            .await?,
        "handshake payload",
    )?;
    serde_json::from_str(&found)
        .map_err(|e| CoreError::Storage(Cause::context("decoding a stored handshake payload", e)))
}
