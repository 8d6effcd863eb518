//! Frontend API responses: `{response, client}` with the whole client, `Cache-Control:
//! no-store`, and the client cookies when the browser names its client by cookie.

use axum::Json;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};
use usher_core::CoreError;
use usher_core::clients::Client;

use super::browser::{Browser, ClientTransport};
use super::cookies;
use crate::app::frontend::clients::view;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::wire::frontend::client::{
    ClientView, NO_MEMBERSHIPS, RenderContext, client as render_client,
};
use crate::wire::frontend::envelope;

/// A signed-in client's answer: `response` with the whole client (signed out: refused).
pub async fn respond(state: &AppState, browser: &Browser, response: Value) -> ApiResult {
    let client = browser.client.clone().ok_or(CoreError::SignedOut)?;
    with_client(state, browser, client, |_, _| response).await
}

/// A page of a list, `{data, total_count}`, answered as [`respond`].
pub async fn respond_page<T: Serialize>(
    state: &AppState,
    browser: &Browser,
    data: Vec<T>,
    total_count: i64,
) -> ApiResult {
    respond(
        state,
        browser,
        json!({ "data": data, "total_count": total_count }),
    )
    .await
}

pub fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Seconds of the last sign-in on the client (its active session's start), 0 when signed out.
pub fn client_uat(view: &ClientView) -> i64 {
    view.sessions
        .iter()
        .find(|(s, _)| Some(&s.id) == view.client.last_active_session_id.as_ref())
        .map_or(0, |(s, _)| s.created_at / 1000)
}

/// `__client` goes out when the client is keyed by the request's new secret: a client the
/// request created, or one whose secret it rotated (sign-in, sign-up, sign-out).
pub fn client_cookies(state: &AppState, browser: &Browser, view: &ClientView, res: &mut Response) {
    if browser.transport != ClientTransport::Cookie {
        return;
    }
    let cfg = &state.frontend;
    let mut set = Vec::new();
    if view.client.token_hash.as_deref() == Some(browser.key.new_token.hash().as_str()) {
        set.push(cookies::client(cfg, browser.key.new_token.as_str()));
    }
    let uat = client_uat(view);
    set.push(cookies::client_uat(cfg, cookies::CLIENT_UAT, uat));
    set.push(cookies::client_uat(
        cfg,
        &format!("{}_{}", cookies::CLIENT_UAT, state.instance.cookie_suffix()),
        uat,
    ));
    for c in set {
        if let Some(v) = cookies::header(&c) {
            res.headers_mut().append(SET_COOKIE, v);
        }
    }
}

/// What a response to `browser` is rendered with, its Frontend API version among it.
pub fn render_context<'a>(state: &'a AppState, browser: &Browser) -> RenderContext<'a> {
    RenderContext {
        settings: state.settings(),
        now: state.now(),
        api_version: browser.api_version,
        memberships: &NO_MEMBERSHIPS,
    }
}

/// Renders `response` (given the loaded client) inside the envelope, with the client cookies.
pub async fn with_client<F>(
    state: &AppState,
    browser: &Browser,
    client: Client,
    response: F,
) -> Result<Response, ApiError>
where
    F: FnOnce(&ClientView, &RenderContext<'_>) -> Value,
{
    let view = view(state, &browser.key, client, browser.azp()).await?;
    let cx = RenderContext {
        memberships: &view.memberships,
        ..render_context(state, browser)
    };
    let body = envelope(response(&view, &cx), render_client(&view, &cx));
    let mut res = no_store(Json(body).into_response());
    client_cookies(state, browser, &view, &mut res);
    Ok(res)
}
