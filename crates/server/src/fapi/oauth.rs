//! `GET /v1/oauth_callback`: where a social provider sends the browser back (the redirect URI
//! registered with it). The flow's use case answers where the browser goes next; the response
//! is a redirect there, with the client's new cookie when the sign-in completed.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::browser::Browser;
use super::redirect::{handed_out_param, see_other};
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
    let flow_state = handed_out_param(q.state, "state")?;
    let client_id = browser.client.as_ref().map(|c| c.id.clone());
    let cb = Callback {
        state: flow_state,
        code: q.code,
        error: q.error,
    };
    let to = oauth::callback(&state, &browser.ctx, &browser.key, client_id.as_ref(), cb).await?;
    see_other(&state, &browser, client_id, to).await
}
