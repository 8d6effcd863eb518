//! `/v1/client/sessions…`: select, end, remove, sign out, and session tokens.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use usher_core::CoreError;
use usher_core::clients::Client;
use usher_core::sessions::Session;

use super::browser::Browser;
use super::form::Form;
use super::respond::{no_store, with_client};
use crate::app::frontend::clients::{self, SessionAction};
use crate::app::jwt_templates::{self, MintFor};
use crate::error::ApiError;
use crate::extract::path::{Path, SessionPath, SessionTemplatePath};
use crate::state::AppState;
use crate::wire::frontend::client::{client as render_client, session};
use crate::wire::requests::frontend::{TokenForm, TouchForm};
use crate::wire::sessions::TokenJson;
use usher_core::ids::SessionId;

fn signed_out() -> ApiError {
    CoreError::SignedOut.into()
}

/// `DELETE /v1/client/sessions`: sign-out. The response is the client.
pub async fn sign_out(
    State(state): State<AppState>,
    browser: Browser,
) -> Result<Response, ApiError> {
    if browser.client.is_none() {
        return Err(signed_out());
    }
    let client = clients::sign_out(&state, &browser.ctx, &browser.key).await?;
    with_client(&state, &browser, client, render_client).await
}

/// The session `s` (null once its user is gone), enveloped with `client`.
async fn respond_session(
    state: &AppState,
    browser: &Browser,
    client: Client,
    s: &Session,
) -> Result<Response, ApiError> {
    let user = state.store.get_user(&state.instance.id, &s.user_id).await?;
    with_client(state, browser, client, |_, cx| match &user {
        Some(u) => session(s, u, None, cx),
        None => serde_json::Value::Null,
    })
    .await
}

async fn act(
    state: AppState,
    browser: Browser,
    id: &SessionId,
    action: SessionAction,
    form: Option<Form>,
) -> Result<Response, ApiError> {
    if browser.client.is_none() {
        return Err(signed_out());
    }
    let org = match form {
        Some(f) => f.read::<TouchForm>()?.active_organization_id.map(Some),
        None => None,
    };
    let (client, s) =
        clients::act_on_session(&state, &browser.ctx, &browser.key, id, action, org).await?;
    respond_session(&state, &browser, client, &s).await
}

pub async fn touch(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<SessionPath>,
    form: Form,
) -> Result<Response, ApiError> {
    act(
        state,
        browser,
        &p.session_id,
        SessionAction::Touch,
        Some(form),
    )
    .await
}

pub async fn end(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<SessionPath>,
) -> Result<Response, ApiError> {
    act(state, browser, &p.session_id, SessionAction::End, None).await
}

pub async fn remove(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<SessionPath>,
) -> Result<Response, ApiError> {
    act(state, browser, &p.session_id, SessionAction::Remove, None).await
}

pub async fn get(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<SessionPath>,
) -> Result<Response, ApiError> {
    let client = browser.client.clone().ok_or_else(signed_out)?;
    let s = clients::session_of(&state, &client, &p.session_id).await?;
    respond_session(&state, &browser, client, &s).await
}

/// A session token answered alone, not enveloped.
fn token_response(jwt: String) -> Response {
    no_store(
        Json(TokenJson {
            object: "token",
            jwt,
        })
        .into_response(),
    )
}

/// `POST /v1/client/sessions/{id}/tokens`: the token alone, not enveloped.
pub async fn token(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<SessionPath>,
    form: Form,
) -> Result<Response, ApiError> {
    let client = browser.client.as_ref().ok_or_else(signed_out)?;
    let form = form.read::<TokenForm>()?;
    let jwt = clients::token(
        &state,
        client,
        &p.session_id,
        browser.azp(),
        form.organization_id.as_deref(),
    )
    .await?;
    Ok(token_response(jwt))
}

/// `POST /v1/client/sessions/{id}/tokens/{template}`: `getToken({ template })`, a token from the
/// named JWT template for a session of this client, its `azp` the requesting origin.
pub async fn template_token(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<SessionTemplatePath>,
) -> Result<Response, ApiError> {
    let client = browser.client.as_ref().ok_or_else(signed_out)?;
    let jwt = jwt_templates::mint(
        &state,
        &MintFor {
            session_id: &p.session_id,
            template_name: &p.template_name,
            client: Some(&client.id),
            authorized_party: browser.azp(),
            lifetime_override: None,
        },
    )
    .await?;
    Ok(token_response(jwt))
}
