//! `/v1/me…`: the signed-in user's profile, password and second factors.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use usher_core::CoreError;
use usher_core::users::User;

use super::browser::Browser;
use super::form::Form;
use super::respond::{no_store, render_context, respond, with_client};
use super::signed_in::signed_in;
use crate::app::frontend::clients::memberships_of;
use crate::app::frontend::devices;
use crate::app::frontend::get_user;
use crate::app::frontend::me::{self, ProfilePatch};
use crate::error::ApiError;
use crate::extract::path::{Path, SessionPath};
use crate::state::AppState;
use crate::wire::frontend::client::{
    RenderContext, session as render_session, session_with_activity, user as render_user,
};
use crate::wire::frontend::mfa;
use crate::wire::requests::frontend::{ChangePasswordForm, CodeForm, ProfileForm};

async fn respond_user(
    state: &AppState,
    browser: &Browser,
    user: User,
) -> Result<Response, ApiError> {
    let client = browser.client.clone().ok_or(CoreError::SignedOut)?;
    with_client(state, browser, client, |_, cx| render_user(&user, cx)).await
}

pub async fn get(State(state): State<AppState>, browser: Browser) -> Result<Response, ApiError> {
    let s = signed_in(&state, &browser).await?;
    let user = get_user(&state, &s.user_id).await?;
    respond_user(&state, &browser, user).await
}

pub async fn update(
    State(state): State<AppState>,
    browser: Browser,
    form: Form,
) -> Result<Response, ApiError> {
    let s = signed_in(&state, &browser).await?;
    let form = form.read::<ProfileForm>()?;
    let primary_email = form.primary_email_address_id.clone();
    let primary_phone = form.primary_phone_number_id.clone();
    let mut user = None;
    if form.changes_profile() || (primary_email.is_none() && primary_phone.is_none()) {
        let patch = ProfilePatch::from(form);
        user = Some(me::update_profile(&state, &browser.ctx, &s.user_id, patch).await?);
    }
    if primary_email.is_some() || primary_phone.is_some() {
        user = Some(
            crate::app::identifiers::set_primary_mine(
                &state,
                &browser.ctx,
                &s,
                primary_email.as_deref(),
                primary_phone.as_deref(),
            )
            .await?,
        );
    }
    let user = match user {
        Some(u) => u,
        None => get_user(&state, &s.user_id).await?,
    };
    respond_user(&state, &browser, user).await
}

pub async fn change_password(
    State(state): State<AppState>,
    browser: Browser,
    form: Form,
) -> Result<Response, ApiError> {
    let s = signed_in(&state, &browser).await?;
    let form: ChangePasswordForm = form.read()?;
    let user = me::change_password(
        &state,
        &browser.ctx,
        &s,
        form.current_password,
        form.new_password,
        form.sign_out_of_other_sessions,
    )
    .await?;
    respond_user(&state, &browser, user).await
}

pub async fn create_totp(
    State(state): State<AppState>,
    browser: Browser,
) -> Result<Response, ApiError> {
    let s = signed_in(&state, &browser).await?;
    let (t, uri) = me::create_totp(&state, &browser.ctx, &s.user_id).await?;
    respond(&state, &browser, mfa::totp(&t, Some(&uri), None)).await
}

pub async fn verify_totp(
    State(state): State<AppState>,
    browser: Browser,
    form: Form,
) -> Result<Response, ApiError> {
    let s = signed_in(&state, &browser).await?;
    let code = form.read::<CodeForm>()?.code;
    let (t, codes) = me::verify_totp(&state, &browser.ctx, &s, &code).await?;
    respond(&state, &browser, mfa::totp(&t, None, codes.as_deref())).await
}

pub async fn delete_totp(
    State(state): State<AppState>,
    browser: Browser,
) -> Result<Response, ApiError> {
    let s = signed_in(&state, &browser).await?;
    me::delete_totp(&state, &browser.ctx, &s.user_id).await?;
    respond(&state, &browser, json!({"object": "totp", "deleted": true})).await
}

pub async fn create_backup_codes(
    State(state): State<AppState>,
    browser: Browser,
) -> Result<Response, ApiError> {
    let s = signed_in(&state, &browser).await?;
    let codes = me::create_backup_codes(&state, &browser.ctx, &s.user_id).await?;
    let id = usher_core::ids::new_id(usher_core::ids::prefix::BACKUP_CODE);
    respond(
        &state,
        &browser,
        mfa::backup_codes(&id, &codes, state.now()),
    )
    .await
}

/// `GET /v1/me/sessions/active`: the user's live sessions on every device, as a bare array (no
/// envelope, no client): clerk-js maps over the payload itself and lists no devices otherwise.
pub async fn active_sessions(
    State(state): State<AppState>,
    browser: Browser,
) -> Result<Response, ApiError> {
    let s = signed_in(&state, &browser).await?;
    let user = get_user(&state, &s.user_id).await?;
    let sessions = state
        .store
        .live_sessions_of_user(&state.instance.id, &user.id)
        .await?;
    let memberships = memberships_of(&state, std::iter::once(&user.id)).await?;
    let cx = RenderContext {
        memberships: &memberships,
        ..render_context(&state, &browser)
    };
    let listed: Vec<serde_json::Value> = sessions
        .iter()
        .filter(|s| s.status_at(cx.now).is_live())
        .map(|s| session_with_activity(s, &user, &cx))
        .collect();
    Ok(no_store(Json(listed).into_response()))
}

/// `POST /v1/me/sessions/{id}/revoke`: signs one of the user's devices out (the user's own
/// sessions only; anyone else's is not found). Answers the revoked session.
pub async fn revoke_session(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<SessionPath>,
) -> Result<Response, ApiError> {
    let s = signed_in(&state, &browser).await?;
    let user = get_user(&state, &s.user_id).await?;
    let revoked = devices::sign_out_device(&state, &browser.ctx, &s, &p.session_id).await?;
    // The client's sessions are read afresh: a browser revoking its own session sees it gone.
    let client = browser.client.clone().ok_or(CoreError::SignedOut)?;
    with_client(&state, &browser, client, |_, cx| {
        render_session(&revoked, &user, None, cx)
    })
    .await
}
