//! `GET /v1/verify?token=…`: where an emailed link sends the browser. The use case verifies
//! the link and answers where the browser goes next (the link's `redirect_url` with
//! `__clerk_status`); the response is a redirect there, with the client's new cookie when the
//! link was opened by the browser whose sign-in it completed.

use axum::extract::{Query, State};
use serde::Deserialize;

use super::browser::Browser;
use super::redirect::{handed_out_param, see_other};
use crate::app::frontend::email_links;
use crate::error::ApiResult;
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
) -> ApiResult {
    let token = handed_out_param(q.token, "token")?;
    let client_id = browser.client.as_ref().map(|c| c.id.clone());
    let (ctx, key) = (&browser.ctx, &browser.key);
    let to = email_links::open(&state, ctx, key, client_id.as_ref(), &token).await?;
    see_other(&state, &browser, client_id, to).await
}
