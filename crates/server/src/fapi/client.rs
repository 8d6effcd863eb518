//! The environment, the client itself, and dev browsers.

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::browser::{Browser, ClientTransport};
use super::cookies;
use super::respond::{no_store, with_client};
use crate::app::context::RequestContext;
use crate::app::frontend::clients::{create_dev_browser, sign_out};
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::frontend::client::client as render_client;
use crate::wire::frontend::environment;

/// `GET /v1/environment`, and the `PATCH` development instances send on load: unwrapped.
pub async fn environment(State(state): State<AppState>) -> Result<Response, ApiError> {
    let providers = state.store.oauth_providers(&state.instance.id).await?;
    Ok(no_store(
        Json(environment::render(
            &state.current_instance(),
            &state.branding(),
            &providers,
        ))
        .into_response(),
    ))
}

/// `GET /v1/client`: `{response: null}` for a browser without a client yet.
pub async fn get(State(state): State<AppState>, browser: Browser) -> Result<Response, ApiError> {
    match browser.client.clone() {
        None => Ok(no_store(
            Json(json!({"response": null, "client": null})).into_response(),
        )),
        Some(c) => with_client(&state, &browser, c, render_client).await,
    }
}

/// `DELETE /v1/client`: signs out of everything and forgets the client cookie.
pub async fn destroy(
    State(state): State<AppState>,
    browser: Browser,
) -> Result<Response, ApiError> {
    if browser.client.is_some() {
        sign_out(&state, &browser.ctx, &browser.key).await?;
    }
    let mut res = no_store(Json(json!({"response": null, "client": null})).into_response());
    if browser.transport == ClientTransport::Cookie {
        for c in [
            cookies::clear(cookies::CLIENT),
            cookies::client_uat(&state.frontend, cookies::CLIENT_UAT, 0),
        ] {
            if let Some(v) = cookies::header(&c) {
                res.headers_mut().append(SET_COOKIE, v);
            }
        }
    }
    Ok(res)
}

/// `POST /v1/dev_browser`: clerk-js treats the id as an opaque token and sends it back as
/// `__clerk_db_jwt`.
pub async fn dev_browser(State(state): State<AppState>) -> Result<Response, ApiError> {
    let ctx = RequestContext::system("dev_browser");
    let token = create_dev_browser(&state, &ctx).await?;
    Ok(no_store(
        Json(json!({
            "object": "dev_browser",
            "id": token.as_str(),
            "token": token.as_str(),
        }))
        .into_response(),
    ))
}
