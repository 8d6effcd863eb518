//! `/v1/me/passkeys…`: the signed-in user registers, renames and deletes passkeys.

use axum::extract::State;
use serde_json::json;
use usher_core::CoreError;
use usher_core::clients::Strategy;
use usher_core::passkeys::PasskeyRecord;

use super::browser::Browser;
use super::respond::respond;
use super::signed_in::{SignedIn, SignedInForm};
use crate::app::passkeys as app;
use crate::error::ApiResult;
use crate::extract::path::PasskeyPath;
use crate::state::AppState;
use crate::wire::passkeys::PasskeyJson;
use crate::wire::requests::passkeys::{PasskeyUpdateForm, PasskeyVerificationForm};
use crate::wire::users::DeletedObjectJson;

/// `POST /v1/me/passkeys`: a pending passkey whose verification's `nonce` holds the creation
/// options for the page that asked (its origin is the relying party).
pub async fn create(State(state): State<AppState>, me: SignedIn) -> ApiResult {
    let origin = me.browser.origin.as_deref();
    let (record, nonce) = app::create(&state, &me.browser.ctx, &me.session.user_id, origin).await?;
    let body = json!(PasskeyJson::of_record(&record, Some(nonce)));
    respond(&state, &me.browser, body).await
}

/// `POST /v1/me/passkeys/{id}/attempt_verification`.
pub async fn attempt_verification(
    State(state): State<AppState>,
    me: SignedInForm<PasskeyVerificationForm, PasskeyPath>,
) -> ApiResult {
    if let Some(strategy) = &me.form.strategy
        && strategy.parse::<Strategy>().ok() != Some(Strategy::Passkey)
    {
        return Err(CoreError::StrategyInvalid { param: "strategy" }.into());
    }
    let (ctx, user, id) = (&me.browser.ctx, &me.session.user_id, &me.path.passkey_id);
    let record = app::verify(&state, ctx, user, id, &me.form.public_key_credential).await?;
    respond_passkey(&state, &me.browser, &record).await
}

/// `PATCH /v1/me/passkeys/{id}`: a new name.
pub async fn update(
    State(state): State<AppState>,
    me: SignedInForm<PasskeyUpdateForm, PasskeyPath>,
) -> ApiResult {
    let (ctx, user, id) = (&me.browser.ctx, &me.session.user_id, &me.path.passkey_id);
    let name = me.form.name.as_deref().unwrap_or_default();
    let record = app::rename(&state, ctx, user, id, name).await?;
    respond_passkey(&state, &me.browser, &record).await
}

/// `DELETE /v1/me/passkeys/{id}`.
pub async fn delete(State(state): State<AppState>, me: SignedIn<PasskeyPath>) -> ApiResult {
    let (ctx, user, id) = (&me.browser.ctx, &me.session.user_id, &me.path.passkey_id);
    app::delete(&state, ctx, user, id).await?;
    let deleted = DeletedObjectJson::new("passkey", id.to_string());
    respond(&state, &me.browser, json!(deleted)).await
}

/// A registered passkey (its verification's `nonce` spent).
async fn respond_passkey(state: &AppState, browser: &Browser, record: &PasskeyRecord) -> ApiResult {
    respond(state, browser, json!(PasskeyJson::of_record(record, None))).await
}
