//! `/v1/me/passkeys…`: the signed-in user registers, renames and deletes passkeys.

use axum::extract::State;
use axum::response::Response;
use usher_core::CoreError;
use usher_core::clients::Strategy;

use super::browser::Browser;
use super::form::Form;
use super::me::signed_in;
use super::respond::with_client;
use crate::app::passkeys as app;
use crate::error::ApiError;
use crate::extract::path::{PasskeyPath, Path};
use crate::state::AppState;
use crate::wire::passkeys::PasskeyJson;
use crate::wire::requests::passkeys::{PasskeyUpdateForm, PasskeyVerificationForm};
use crate::wire::users::DeletedObjectJson;

async fn respond<T: serde::Serialize>(
    state: &AppState,
    browser: &Browser,
    body: T,
) -> Result<Response, ApiError> {
    let client = browser.client.clone().ok_or(CoreError::SignedOut)?;
    let body = serde_json::to_value(body).unwrap_or_default();
    with_client(state, browser, client, |_, _| body.clone()).await
}

/// `POST /v1/me/passkeys`: a pending passkey whose verification's `nonce` holds the creation
/// options for the page that asked (its origin is the relying party).
pub async fn create(State(state): State<AppState>, browser: Browser) -> Result<Response, ApiError> {
    let s = signed_in(&state, &browser).await?;
    let (record, nonce) =
        app::create(&state, &browser.ctx, &s.user_id, browser.origin.as_deref()).await?;
    respond(
        &state,
        &browser,
        PasskeyJson::of_record(&record, Some(nonce)),
    )
    .await
}

/// `POST /v1/me/passkeys/{id}/attempt_verification`.
pub async fn attempt_verification(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<PasskeyPath>,
    form: Form,
) -> Result<Response, ApiError> {
    let s = signed_in(&state, &browser).await?;
    let form: PasskeyVerificationForm = form.read()?;
    if let Some(strategy) = &form.strategy
        && strategy.parse::<Strategy>().ok() != Some(Strategy::Passkey)
    {
        return Err(CoreError::StrategyInvalid { param: "strategy" }.into());
    }
    let record = app::verify(
        &state,
        &browser.ctx,
        &s.user_id,
        &p.passkey_id,
        &form.public_key_credential,
    )
    .await?;
    respond(&state, &browser, PasskeyJson::of_record(&record, None)).await
}

/// `PATCH /v1/me/passkeys/{id}`: a new name.
pub async fn update(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<PasskeyPath>,
    form: Form,
) -> Result<Response, ApiError> {
    let s = signed_in(&state, &browser).await?;
    let form: PasskeyUpdateForm = form.read()?;
    let name = form.name.unwrap_or_default();
    let record = app::rename(&state, &browser.ctx, &s.user_id, &p.passkey_id, &name).await?;
    respond(&state, &browser, PasskeyJson::of_record(&record, None)).await
}

/// `DELETE /v1/me/passkeys/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<PasskeyPath>,
) -> Result<Response, ApiError> {
    let s = signed_in(&state, &browser).await?;
    app::delete(&state, &browser.ctx, &s.user_id, &p.passkey_id).await?;
    let deleted = DeletedObjectJson::new("passkey", p.passkey_id.to_string());
    respond(&state, &browser, deleted).await
}
