//! Where the Frontend API sends a browser on rather than answering it: a social provider's
//! callback (`fapi/oauth.rs`) and an emailed link (`fapi/email_links.rs`) each carry one opaque
//! query parameter, and each answers with a 303 to where the flow goes next.

use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::IntoResponse;
use usher_core::CoreError;
use usher_core::ids::ClientId;

use super::browser::Browser;
use super::respond::{client_cookies, no_store};
use crate::app::frontend::clients::view;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The longest flow state or link token Usher hands out, with room to spare: anything longer is
/// not one of them.
const MAX_PARAM_LEN: usize = 256;

/// The query parameter `name` when it could be one Usher handed out; absent, empty or too long,
/// it is missing.
pub fn handed_out_param(value: Option<String>, name: &str) -> Result<String, ApiError> {
    value
        .filter(|v| !v.is_empty() && v.len() <= MAX_PARAM_LEN)
        .ok_or_else(|| CoreError::missing(name).into())
}

/// A 303 to `to`, with the cookies of the browser's client (`client_id`, the one the request
/// came with) as the flow left it: its new secret when the flow signed it in.
pub async fn see_other(
    state: &AppState,
    browser: &Browser,
    client_id: Option<ClientId>,
    to: String,
) -> ApiResult {
    let mut res = (StatusCode::SEE_OTHER, [(LOCATION, to)]).into_response();
    if let Some(id) = client_id
        && let Some(client) = state.store.get_client(&state.instance.id, &id).await?
    {
        let v = view(state, &browser.key, client, browser.azp()).await?;
        client_cookies(state, browser, &v, &mut res);
    }
    Ok(no_store(res))
}
