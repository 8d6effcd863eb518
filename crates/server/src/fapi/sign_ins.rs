//! `/v1/client/sign_ins…`

use axum::extract::State;
use axum::response::Response;
use usher_core::clients::Strategy;

use super::browser::Browser;
use super::form::Form;
use super::respond::with_client;
use crate::app::frontend::email_links;
use crate::app::frontend::oauth::{self, Start};
use crate::app::frontend::passkey_sign_ins;
use crate::app::frontend::sign_ins::{self, CreateSignIn};
use crate::error::ApiError;
use crate::extract::path::{Path, SignInPath};
use crate::state::AppState;
use crate::wire::frontend::client::sign_in;
use crate::wire::requests::frontend::{
    AttemptFirstFactorForm, CreateSignInForm, PrepareFactorForm, ResetPasswordForm,
    StrategyCodeForm,
};

async fn respond(
    state: &AppState,
    browser: &Browser,
    client: usher_core::clients::Client,
) -> Result<Response, ApiError> {
    with_client(state, browser, client, |view, cx| {
        match &view.client.sign_in {
            Some(si) => sign_in(
                si,
                view.sign_in_user.as_ref(),
                cx.api_version,
                cx.settings.email_link_enabled,
            ),
            None => serde_json::Value::Null,
        }
    })
    .await
}

pub async fn create(
    State(state): State<AppState>,
    browser: Browser,
    form: Form,
) -> Result<Response, ApiError> {
    let form = form.read::<CreateSignInForm>()?;
    if let Some(provider) = form.oauth_provider() {
        let start = Start {
            provider,
            redirect_url: form.redirect_url.clone(),
            action_complete_redirect_url: form.action_complete_redirect_url.clone(),
        };
        let client = oauth::start(&state, &browser.ctx, &browser.key, start, false).await?;
        return respond(&state, &browser, client).await;
    }
    let req = CreateSignIn::from(form);
    // Without an identifier, a passkey sign-in starts at once (the button and autofill).
    if req.strategy == Some(Strategy::Passkey) && req.identifier.is_none() {
        let client = passkey_sign_ins::create(
            &state,
            &browser.ctx,
            &browser.key,
            browser.origin.as_deref(),
        )
        .await?;
        return respond(&state, &browser, client).await;
    }
    let client = sign_ins::create(&state, &browser.ctx, &browser.key, req).await?;
    respond(&state, &browser, client).await
}

pub async fn get(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<SignInPath>,
) -> Result<Response, ApiError> {
    let client = sign_ins::get(&state, &browser.key, &p.sign_in_id).await?;
    respond(&state, &browser, client).await
}

pub async fn prepare_first_factor(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<SignInPath>,
    form: Form,
) -> Result<Response, ApiError> {
    let form: PrepareFactorForm = form.read()?;
    if form.strategy == "passkey" {
        let origin = browser.origin.as_deref();
        let id = p.sign_in_id.as_str();
        let client =
            passkey_sign_ins::prepare(&state, &browser.ctx, &browser.key, id, origin).await?;
        return respond(&state, &browser, client).await;
    }
    let strategy = Strategy::requested(&form.strategy)?;
    if strategy == Strategy::EmailLink {
        let client = email_links::prepare_sign_in(
            &state,
            &browser.ctx,
            &browser.key,
            &p.sign_in_id,
            form.email_address_id.as_deref(),
            form.redirect_url.as_deref(),
        )
        .await?;
        return respond(&state, &browser, client).await;
    }
    let client = sign_ins::prepare_first_factor(
        &state,
        &browser.ctx,
        &browser.key,
        &p.sign_in_id,
        &strategy,
        form.identification_id(),
    )
    .await?;
    respond(&state, &browser, client).await
}

pub async fn attempt_first_factor(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<SignInPath>,
    form: Form,
) -> Result<Response, ApiError> {
    let form: AttemptFirstFactorForm = form.read()?;
    if form.strategy == "passkey" {
        let credential = form.public_key_credential()?;
        let id = p.sign_in_id.as_str();
        let client =
            passkey_sign_ins::attempt(&state, &browser.ctx, &browser.key, id, credential).await?;
        return respond(&state, &browser, client).await;
    }
    let strategy = Strategy::requested(&form.strategy)?;
    let secret = if strategy == Strategy::Password {
        form.password()?
    } else {
        form.code()?
    };
    let result = sign_ins::attempt_first_factor(
        &state,
        &browser.ctx,
        &browser.key,
        &p.sign_in_id,
        &strategy,
        secret,
    )
    .await;
    let client = result?;
    respond(&state, &browser, client).await
}

/// TOTP and backup codes need nothing prepared; Client Trust's email code is sent.
pub async fn prepare_second_factor(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<SignInPath>,
    form: Form,
) -> Result<Response, ApiError> {
    let form: PrepareFactorForm = form.read()?;
    let strategy = Strategy::requested(&form.strategy)?;
    let client = sign_ins::prepare_second_factor(
        &state,
        &browser.ctx,
        &browser.key,
        &p.sign_in_id,
        &strategy,
        form.identification_id(),
    )
    .await?;
    respond(&state, &browser, client).await
}

pub async fn attempt_second_factor(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<SignInPath>,
    form: Form,
) -> Result<Response, ApiError> {
    let form: StrategyCodeForm = form.read()?;
    let strategy = Strategy::requested(&form.strategy)?;
    let code = form.code.as_str();
    let result = sign_ins::attempt_second_factor(
        &state,
        &browser.ctx,
        &browser.key,
        &p.sign_in_id,
        &strategy,
        code,
    )
    .await;
    let client = result?;
    respond(&state, &browser, client).await
}

pub async fn reset_password(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<SignInPath>,
    form: Form,
) -> Result<Response, ApiError> {
    let form: ResetPasswordForm = form.read()?;
    let (password, sign_out) = (form.password, form.sign_out_of_other_sessions);
    let client = sign_ins::reset_password(
        &state,
        &browser.ctx,
        &browser.key,
        &p.sign_in_id,
        password,
        sign_out,
    )
    .await?;
    respond(&state, &browser, client).await
}
