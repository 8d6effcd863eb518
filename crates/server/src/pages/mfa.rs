//! `/user/totp…` and `/user/backup-codes`: authenticator-app enrolment (the secret and its
//! `otpauth://` URI shown as text, proved with a code), the backup codes shown once, new
//! backup codes, and removing the app. Each step is an `app::frontend::me` use case.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use usher_core::ids::UserId;
use usher_core::users::User;
use usher_core::{CoreError, CoreResult};

use super::account::{Section, signed_in, signed_in_form};
use super::html::{self, Field, Html};
use super::{Failure, Page, PageForm, general_alert};
use crate::app::context::RequestContext;
use crate::app::frontend::me;
use crate::state::AppState;

/// The enrolment page, while the user's authenticator app is not proved yet.
fn render_enrolment(
    state: &AppState,
    page: &mut Page,
    user: &User,
    failure: Option<&Failure>,
) -> Response {
    let Some(t) = user.totp.as_ref().filter(|t| !t.verified) else {
        return page.redirect_page("/user");
    };
    let uri = me::totp_uri(user, &t.secret, state.branding().application_name());
    let csrf = page.csrf(state);
    let mut h = Html::new();
    general_alert(&mut h, failure);
    h.open("ol", &[]);
    h.open("li", &[])
        .el(
            "p",
            &[("id", Some("secret-label"))],
            "In your authenticator app, add an account with this secret key (time-based, six digits, every 30 seconds):",
        )
        .el(
            "p",
            &[
                ("class", Some("secret")),
                ("id", Some("totp-secret")),
                ("aria-labelledby", Some("secret-label")),
            ],
            &t.secret,
        )
        .el(
            "p",
            &[("id", Some("uri-label"))],
            "Or, if your app accepts a setup link, use this one:",
        )
        .el(
            "p",
            &[
                ("class", Some("secret")),
                ("id", Some("totp-uri")),
                ("aria-labelledby", Some("uri-label")),
            ],
            &uri,
        )
        .open("p", &[])
        .el("a", &[("href", Some(&uri))], "Open the setup link in your authenticator app")
        .close("p")
        .close("li");
    h.open("li", &[])
        .el("p", &[], "Then enter the code the app shows to finish.")
        .close("li");
    h.close("ol");
    html::form_open(
        &mut h,
        &page.path("/user/totp/verify"),
        &csrf,
        Some("Verify authenticator app"),
    );
    Field::six_digit_code(
        "Code from the authenticator app",
        failure.and_then(|f| f.on("code")),
    )
    .render(&mut h);
    html::submit_and_close(&mut h, "Verify and turn on");
    html::form_open(
        &mut h,
        &page.path("/user/totp/remove"),
        &csrf,
        Some("Cancel setup"),
    );
    h.open("p", &[]);
    html::button(&mut h, "Cancel setup", Some("secondary"));
    h.close("p").close("form");
    html::link_para(&mut h, &page.path("/user"), "Back to your account");
    let status = failure.map_or(StatusCode::OK, |f| f.status);
    page.html(status, "Add an authenticator app", true, h)
}

/// Backup codes, shown this once.
fn render_codes(page: &mut Page, codes: &[String], first: bool) -> Response {
    let mut h = Html::new();
    if first {
        html::notice(&mut h, "Two-step verification is on.");
    }
    h.el(
        "p",
        &[],
        "Save these backup codes somewhere safe. Each one signs you in once if you cannot use your authenticator app. They are shown only now.",
    );
    h.open(
        "ol",
        &[("class", Some("codes")), ("id", Some("backup-codes"))],
    );
    for c in codes {
        h.open("li", &[]).el("code", &[], c).close("li");
    }
    h.close("ol");
    html::link_para(
        &mut h,
        &page.path("/user"),
        "I have saved them: back to your account",
    );
    page.html(StatusCode::OK, "Your backup codes", true, h)
}

pub async fn enrol_page(State(state): State<AppState>, mut page: Page) -> Response {
    let (_, user) = match signed_in(&state, &mut page).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    render_enrolment(&state, &mut page, &user, None)
}

pub async fn enrol_start(
    State(state): State<AppState>,
    mut page: Page,
    form: PageForm,
) -> Response {
    two_step_post(&state, &mut page, &form, me::create_totp, |page, _| {
        page.redirect_page("/user/totp")
    })
    .await
}

pub async fn enrol_verify(
    State(state): State<AppState>,
    mut page: Page,
    form: PageForm,
) -> Response {
    let (session, user) = match signed_in(&state, &mut page).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let failure = if page.csrf_ok(&state, &form) {
        let code = form.trimmed("code");
        let result = if code.is_empty() {
            Err(CoreError::missing("code"))
        } else {
            me::verify_totp(&state, &page.browser.ctx, &session, code).await
        };
        match result {
            Ok((_, Some(codes))) => return render_codes(&mut page, &codes, true),
            Ok((_, None)) => return page.redirect_page("/user?notice=totp_enabled"),
            Err(e) => Failure::from_core(e, &[("code", "code")]),
        }
    } else {
        Failure::forged()
    };
    render_enrolment(&state, &mut page, &user, Some(&failure))
}

pub async fn remove(State(state): State<AppState>, mut page: Page, form: PageForm) -> Response {
    two_step_post(&state, &mut page, &form, me::delete_totp, |page, _| {
        page.redirect_page("/user?notice=totp_removed")
    })
    .await
}

pub async fn backup_codes(
    State(state): State<AppState>,
    mut page: Page,
    form: PageForm,
) -> Response {
    two_step_post(
        &state,
        &mut page,
        &form,
        me::create_backup_codes,
        |page, codes| render_codes(page, &codes, false),
    )
    .await
}

/// A form of `/user`'s two-step section: `act` runs for the signed-in user once the form's
/// CSRF token holds; its result answers through `done`, its error re-renders `/user` with it.
async fn two_step_post<T>(
    state: &AppState,
    page: &mut Page,
    form: &PageForm,
    act: impl AsyncFnOnce(&AppState, &RequestContext, &UserId) -> CoreResult<T>,
    done: impl FnOnce(&mut Page, T) -> Response,
) -> Response {
    let posted = match signed_in_form(state, page, form, Section::TwoStep).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let failure = match act(state, &page.browser.ctx, &posted.user.id).await {
        Ok(x) => return done(page, x),
        Err(e) => Failure::from_core(e, &[]),
    };
    posted.fail(state, page, &failure).await
}
