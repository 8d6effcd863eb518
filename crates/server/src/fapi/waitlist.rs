//! `POST /v1/waitlist`: an address joins the waitlist (clerk-js's `<Waitlist/>`).

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::browser::Browser;
use super::form::Form;
use super::respond::no_store;
use crate::app::waitlist;
use crate::error::ApiError;
use crate::state::AppState;
use crate::wire::requests::frontend::JoinWaitlistForm;
use crate::wire::waitlist::joined_json;

/// The same answer for a new address, one already waiting and one with an account: the entry's
/// id. The browser's client is neither read nor created.
pub async fn join(
    State(state): State<AppState>,
    browser: Browser,
    form: Form,
) -> Result<Response, ApiError> {
    let form: JoinWaitlistForm = form.read()?;
    let entry = waitlist::join(&state, &browser.ctx, &form.email_address).await?;
    Ok(no_store(Json(joined_json(&entry.id)).into_response()))
}
