//! `/v1/me/external_accounts…`: what `<UserProfile/>` calls to connect another provider's
//! account (the answer carries the provider's URL; the callback links it), reauthorize one,
//! and unlink one (refused when it is the user's last way to sign in). Each answers Clerk's
//! `{response, client}` envelope.

use axum::extract::State;
use axum::response::Response;
use serde_json::{Value, json};
use usher_core::CoreError;

use super::browser::Browser;
use super::form::Form;
use super::respond::with_client;
use super::signed_in::signed_in;
use crate::app::external_accounts;
use crate::app::frontend::oauth_connect::{self as app, Connect, Pending};
use crate::error::ApiError;
use crate::extract::path::{MyExternalAccountPath, Path};
use crate::state::AppState;
use crate::wire::external_accounts::render_pending;
use crate::wire::requests::external_accounts::{
    ConnectExternalAccountForm, ReauthorizeExternalAccountForm,
};
use crate::wire::users::DeletedObjectJson;

type ApiResult = Result<Response, ApiError>;

async fn respond(state: &AppState, browser: &Browser, body: Value) -> ApiResult {
    let client = browser.client.clone().ok_or(CoreError::SignedOut)?;
    with_client(state, browser, client, |_, _| body.clone()).await
}

fn pending(p: &Pending) -> Value {
    render_pending(&p.account, &p.redirect_url, p.expire_at)
}

/// `POST /v1/me/external_accounts`.
pub async fn create(State(state): State<AppState>, browser: Browser, form: Form) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let f: ConnectExternalAccountForm = form.read()?;
    if f.enterprise_connection_id.is_some() && f.strategy.is_none() {
        // Enterprise connections (SAML) are not served: no such connection.
        return Err(CoreError::NotFound {
            resource: "enterprise connection",
        }
        .into());
    }
    let req = Connect {
        strategy: f.strategy.ok_or_else(|| CoreError::missing("strategy"))?,
        redirect_url: f.redirect_url,
        action_complete_redirect_url: f.action_complete_redirect_url,
        additional_scopes: form.all("additional_scope"),
    };
    let p = app::connect(&state, &browser.key, &s.user_id, req).await?;
    respond(&state, &browser, pending(&p)).await
}

/// `PATCH /v1/me/external_accounts/{id}/reauthorize`.
pub async fn reauthorize(
    State(state): State<AppState>,
    browser: Browser,
    Path(path): Path<MyExternalAccountPath>,
    form: Form,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let f: ReauthorizeExternalAccountForm = form.read()?;
    let p = app::reauthorize(
        &state,
        &browser.key,
        &s.user_id,
        &path.external_account_id,
        form.all("additional_scope"),
        f.redirect_url,
        f.action_complete_redirect_url,
    )
    .await?;
    respond(&state, &browser, pending(&p)).await
}

/// `DELETE /v1/me/external_accounts/{id}`.
pub async fn delete(
    State(state): State<AppState>,
    browser: Browser,
    Path(path): Path<MyExternalAccountPath>,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let id = path.external_account_id;
    external_accounts::delete(&state, &browser.ctx, &s.user_id, &id).await?;
    let body = json!(DeletedObjectJson {
        object: "external_account",
        id,
        deleted: true,
        external_id: None,
    });
    respond(&state, &browser, body).await
}
