//! `GET /v1/oauth_callback`: where a social provider sends the browser back (the redirect URI
//! registered with it). The flow's use case answers where the browser goes next; the response
//! is a redirect there, with the client's new cookie when the sign-in completed.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::browser::Browser;
use super::respond::{client_cookies, no_store};
use crate::app::frontend::clients::view;
use crate::app::frontend::oauth::{self, Callback};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

pub async fn callback(
    State(state): State<AppState>,
    browser: Browser,
    Query(q): Query<CallbackQuery>,
) -> Result<Response, ApiError> {
    let flow_state = q
        .state
        .filter(|s| !s.is_empty() && s.len() <= 256)
        .ok_or_else(|| usher_core::CoreError::missing("state"))?;
    let client_id = browser.client.as_ref().map(|c| c.id.clone());
    let cb = Callback {
        state: flow_state,
        code: q.code,
        error: q.error,
    };
    let to = oauth::callback(&state, &browser.ctx, &browser.key, client_id.as_ref(), cb).await?;
    let mut res = (StatusCode::SEE_OTHER, [(LOCATION, to)]).into_response();
    if let Some(id) = client_id
        && let Some(client) = state.store.get_client(&state.instance.id, &id).await?
    {
        let v = view(&state, &browser.key, client, browser.azp()).await?;
        client_cookies(&state, &browser, &v, &mut res);
    }
    Ok(no_store(res))
}
