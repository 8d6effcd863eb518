//! `/v1/client/sign_ups…`

use axum::extract::State;
use axum::response::Response;
use usher_core::clients::{Client, Strategy};

use super::browser::Browser;
use super::form::Form;
use super::respond::with_client;
use crate::app::frontend::oauth::{self, Start};
use crate::app::frontend::sign_ups;
use crate::error::ApiError;
use crate::extract::path::{Path, SignUpPath};
use crate::state::AppState;
use crate::wire::frontend::client::sign_up;
use crate::wire::requests::frontend::{SignUpForm, StrategyCodeForm, StrategyForm};

async fn respond(
    state: &AppState,
    browser: &Browser,
    client: Client,
) -> Result<Response, ApiError> {
    with_client(state, browser, client, |view, cx| {
        match &view.client.sign_up {
            Some(su) => sign_up(su, cx),
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
    let form: SignUpForm = form.read()?;
    if form.transfer {
        let client = oauth::transfer(&state, &browser.ctx, &browser.key).await?;
        return respond(&state, &browser, client).await;
    }
    if let Some(Ok(Strategy::Oauth(provider))) = form.strategy.as_deref().map(str::parse) {
        let start = Start {
            provider,
            redirect_url: form.redirect_url.clone(),
            action_complete_redirect_url: form.action_complete_redirect_url.clone(),
        };
        let client = oauth::start(&state, &browser.ctx, &browser.key, start, true).await?;
        return respond(&state, &browser, client).await;
    }
    let ticket = form.ticket()?;
    let (fields, password) = form.into_parts();
    let client = sign_ups::upsert(
        &state,
        &browser.ctx,
        &browser.key,
        None,
        fields,
        password,
        ticket,
    )
    .await?;
    respond(&state, &browser, client).await
}

pub async fn update(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<SignUpPath>,
    form: Form,
) -> Result<Response, ApiError> {
    let form = form.read::<SignUpForm>()?;
    let ticket = form.ticket()?;
    let (fields, password) = form.into_parts();
    let client = sign_ups::upsert(
        &state,
        &browser.ctx,
        &browser.key,
        Some(&p.sign_up_id),
        fields,
        password,
        ticket,
    )
    .await?;
    respond(&state, &browser, client).await
}

pub async fn get(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<SignUpPath>,
) -> Result<Response, ApiError> {
    let client = browser
        .client
        .clone()
        .filter(|c| {
            c.sign_up
                .as_ref()
                .is_some_and(|s| s.id == p.sign_up_id.as_str())
        })
        .ok_or(usher_core::CoreError::NotFound {
            resource: "sign_up",
        })?;
    respond(&state, &browser, client).await
}

pub async fn prepare_verification(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<SignUpPath>,
    form: Form,
) -> Result<Response, ApiError> {
    let form: StrategyForm = form.read()?;
    let strategy = Strategy::requested(&form.strategy)?;
    if strategy == Strategy::EmailLink {
        let client = crate::app::frontend::email_links::prepare_sign_up(
            &state,
            &browser.ctx,
            &browser.key,
            &p.sign_up_id,
            form.redirect_url.as_deref(),
        )
        .await?;
        return respond(&state, &browser, client).await;
    }
    let client = sign_ups::prepare_verification(
        &state,
        &browser.ctx,
        &browser.key,
        &p.sign_up_id,
        &strategy,
    )
    .await?;
    respond(&state, &browser, client).await
}

pub async fn attempt_verification(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<SignUpPath>,
    form: Form,
) -> Result<Response, ApiError> {
    let form: StrategyCodeForm = form.read()?;
    let strategy = Strategy::requested(&form.strategy)?;
    let code = form.code.as_str();
    let client = sign_ups::attempt_verification(
        &state,
        &browser.ctx,
        &browser.key,
        &p.sign_up_id,
        &strategy,
        code,
    )
    .await?;
    respond(&state, &browser, client).await
}
