//! `GET /v1/verify?token=…`: where an emailed link sends the browser. The use case verifies
//! the link and answers where the browser goes next (the link's `redirect_url` with
//! `__clerk_status`); the response is a redirect there, with the client's new cookie when the
//! link was opened by the browser whose sign-in it completed.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::browser::Browser;
use super::respond::{client_cookies, no_store};
use crate::app::frontend::clients::view;
use crate::app::frontend::email_links;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct VerifyQuery {
    #[serde(default)]
    token: Option<String>,
}

pub async fn verify(
    State(state): State<AppState>,
    browser: Browser,
    Query(q): Query<VerifyQuery>,
) -> Result<Response, ApiError> {
    let token = q
        .token
        .filter(|t| !t.is_empty() && t.len() <= 256)
        .ok_or_else(|| usher_core::CoreError::missing("token"))?;
    let client_id = browser.client.as_ref().map(|c| c.id.clone());
    let to = email_links::open(
        &state,
        &browser.ctx,
        &browser.key,
        client_id.as_ref(),
        &token,
    )
    .await?;
    let mut res = (StatusCode::SEE_OTHER, [(LOCATION, to)]).into_response();
    if let Some(id) = client_id
        && let Some(client) = state.store.get_client(&state.instance.id, &id).await?
    {
        let v = view(&state, &browser.key, client, browser.azp()).await?;
        client_cookies(&state, &browser, &v, &mut res);
    }
    Ok(no_store(res))
}
