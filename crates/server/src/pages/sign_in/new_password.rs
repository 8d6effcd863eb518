//! A new password, after the reset code.

use axum::extract::State;
use axum::response::Response;
use usher_core::CoreError;
use usher_core::clients::sign_ins::{SignIn, SignInStatus};

use super::{next_step, open_sign_in, status_of};
use crate::app::frontend::sign_ins;
use crate::pages::html::{self, Field, Html};
use crate::pages::{Failure, Page, PageForm, general_alert};
use crate::state::AppState;

fn render_new_password(
    state: &AppState,
    page: &mut Page,
    sign_out_others: bool,
    failure: Option<&Failure>,
) -> Response {
    let csrf = page.csrf(state);
    let hint = super::super::password_hint(state);
    let mut h = Html::new();
    general_alert(&mut h, failure);
    html::form_open(
        &mut h,
        &page.link("/sign-in/forgot-password/new-password"),
        &csrf,
        None,
    );
    Field::new("password", "New password", "password")
        .autocomplete("new-password")
        .hint(&hint)
        .error(failure.and_then(|f| f.on("password")))
        .autofocus(true)
        .render(&mut h);
    html::checkbox(
        &mut h,
        "sign_out_of_other_sessions",
        "Sign out of all other devices",
        sign_out_others,
    );
    html::submit_and_close(&mut h, "Reset password");
    page.html(status_of(failure), "Set a new password", false, h)
}

fn awaiting_new_password(state: &AppState, page: &Page) -> Option<SignIn> {
    open_sign_in(state, page).filter(|s| s.status == SignInStatus::NeedsNewPassword)
}

pub async fn new_password_page(State(state): State<AppState>, mut page: Page) -> Response {
    if awaiting_new_password(&state, &page).is_none() {
        let to = page.link("/sign-in/forgot-password");
        return page.redirect(&to);
    }
    render_new_password(&state, &mut page, true, None)
}

pub async fn new_password_submit(
    State(state): State<AppState>,
    mut page: Page,
    form: PageForm,
) -> Response {
    let Some(si) = awaiting_new_password(&state, &page) else {
        let to = page.link("/sign-in/forgot-password");
        return page.redirect(&to);
    };
    let sign_out_others = form.checked("sign_out_of_other_sessions");
    let failure = if page.csrf_ok(&state, &form) {
        let result = match form.get("password") {
            None => Err(CoreError::missing("password")),
            Some(p) => {
                sign_ins::reset_password(
                    &state,
                    &page.browser.ctx,
                    &page.browser.key,
                    &si.id,
                    p.to_owned(),
                    sign_out_others,
                )
                .await
            }
        };
        match result {
            Ok(client) => match next_step(&state, &mut page, client).await {
                Ok(r) => return r,
                Err(e) => Failure::from_core(e, &[("password", "password")]),
            },
            Err(e) => Failure::from_core(e, &[("password", "password")]),
        }
    } else {
        Failure::forged()
    };
    render_new_password(&state, &mut page, sign_out_others, Some(&failure))
}

// ---- the second step ------------------------------------------------------------------------------
