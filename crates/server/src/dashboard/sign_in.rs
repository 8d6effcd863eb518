//! Signing in (email address and password, then the TOTP code) and out. A wrong password and an
//! unknown address get the same answer; past the failure limit the address is locked out for the
//! window whatever is typed.

use axum::extract::FromRequestParts;
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use usher_core::operators::{ABSOLUTE_LIFETIME_MS, LOCKOUT_WINDOW_MS, PENDING_LIFETIME_MS};

use super::view::{self, Field, Html};
use super::{Desk, clear_cookie, failure, forged, redirect, same_origin, sent_token, with_cookie};
use crate::app::context::RequestContext;
use crate::app::operators::{self as app, Refusal};
use crate::pages::PageForm;
use crate::state::AppState;

const INCORRECT: &str = "Incorrect email address or password.";
const INCORRECT_CODE: &str = "Incorrect or expired code.";

/// A browser on the sign-in pages: the session token it holds (if any), whether its request
/// came from this origin, and the context to record.
pub struct Visitor {
    token: Option<String>,
    same_origin: bool,
    ctx: RequestContext,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Response> {
        Ok(Visitor {
            token: sent_token(&parts.headers),
            same_origin: same_origin(&parts.headers),
            ctx: crate::extract::auth::context(parts, "dashboard".into()),
        })
    }
}

fn locked_out_message() -> String {
    format!(
        "Too many failed attempts. Try again in {} minutes.",
        LOCKOUT_WINDOW_MS / 60_000
    )
}

fn sign_in_form(
    status: StatusCode,
    email: &str,
    error: Option<&str>,
    notice: Option<&str>,
) -> Response {
    let mut h = Html::new();
    if let Some(n) = notice {
        view::notice(&mut h, n);
    }
    if let Some(e) = error {
        view::alert(&mut h, e);
    }
    // No session yet: the form is bound to this origin by the browser's `Origin` instead.
    h.open(
        "form",
        &[
            ("method", Some("post")),
            ("action", Some("/dashboard/sign-in")),
            ("aria-label", Some("Sign in")),
        ],
    );
    Field::new("email", "Email address", "email")
        .value(email)
        .autocomplete("username")
        .autofocus(email.is_empty())
        .render(&mut h);
    Field::new("password", "Password", "password")
        .autocomplete("current-password")
        .autofocus(!email.is_empty())
        .render(&mut h);
    h.el("button", &[("type", Some("submit"))], "Continue")
        .close("form");
    view::page(status, "Sign in", None, h)
}

pub async fn page(
    axum::extract::State(state): axum::extract::State<AppState>,
    visitor: Visitor,
    RawQuery(q): RawQuery,
) -> Response {
    if let Some(t) = &visitor.token
        && let Ok(Some((s, _))) = app::session(&state, t).await
        && s.verified
    {
        return redirect("/dashboard/users");
    }
    let notice = (view::params(q.as_deref()).get("notice").map(String::as_str)
        == Some("signed_out"))
    .then_some("You have signed out.");
    sign_in_form(StatusCode::OK, "", None, notice)
}

pub async fn submit(
    axum::extract::State(state): axum::extract::State<AppState>,
    visitor: Visitor,
    form: PageForm,
) -> Response {
    if !visitor.same_origin {
        return forged(None);
    }
    let email = form.trimmed("email").to_owned();
    let password = form.get("password").unwrap_or("");
    match app::sign_in(&state, &visitor.ctx, &email, password).await {
        Ok(Ok(token)) => with_cookie(
            redirect("/dashboard/sign-in/code"),
            &super::session_cookie(&state, &token, PENDING_LIFETIME_MS / 1000),
        ),
        Ok(Err(Refusal::Incorrect)) => {
            sign_in_form(StatusCode::UNAUTHORIZED, &email, Some(INCORRECT), None)
        }
        Ok(Err(Refusal::LockedOut)) => sign_in_form(
            StatusCode::TOO_MANY_REQUESTS,
            &email,
            Some(&locked_out_message()),
            None,
        ),
        Err(e) => failure(None, e),
    }
}

fn code_form(status: StatusCode, error: Option<&str>) -> Response {
    let mut h = Html::new();
    h.el(
        "p",
        &[],
        "Enter the six-digit code your authenticator app shows for this dashboard.",
    );
    h.open(
        "form",
        &[
            ("method", Some("post")),
            ("action", Some("/dashboard/sign-in/code")),
            ("aria-label", Some("Verification code")),
        ],
    );
    Field::six_digit_code("Verification code", error).render(&mut h);
    h.el("button", &[("type", Some("submit"))], "Sign in")
        .close("form");
    view::link_para(&mut h, "/dashboard/sign-in", "Start again");
    view::page(status, "Two-step verification", None, h)
}

/// The pending session this browser's token names (a correct password, no code yet).
async fn pending(
    state: &AppState,
    visitor: &Visitor,
) -> Result<usher_core::operators::OperatorSession, Response> {
    let Some(token) = &visitor.token else {
        return Err(redirect("/dashboard/sign-in"));
    };
    match app::session(state, token).await {
        Ok(Some((s, _))) if !s.verified => Ok(s),
        Ok(Some(_)) => Err(redirect("/dashboard/users")),
        Ok(None) => Err(with_cookie(redirect("/dashboard/sign-in"), &clear_cookie())),
        Err(e) => Err(failure(None, e)),
    }
}

pub async fn code_page(
    axum::extract::State(state): axum::extract::State<AppState>,
    visitor: Visitor,
) -> Response {
    match pending(&state, &visitor).await {
        Ok(_) => code_form(StatusCode::OK, None),
        Err(r) => r,
    }
}

pub async fn code_submit(
    axum::extract::State(state): axum::extract::State<AppState>,
    visitor: Visitor,
    form: PageForm,
) -> Response {
    if !visitor.same_origin {
        return forged(None);
    }
    let session = match pending(&state, &visitor).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match app::verify_code(&state, &session, form.trimmed("code")).await {
        Ok(Ok(token)) => with_cookie(
            redirect("/dashboard/users"),
            &super::session_cookie(&state, &token, ABSOLUTE_LIFETIME_MS / 1000),
        ),
        Ok(Err(Refusal::Incorrect)) => code_form(StatusCode::UNAUTHORIZED, Some(INCORRECT_CODE)),
        Ok(Err(Refusal::LockedOut)) => {
            if let Err(e) = app::sign_out(&state, &session).await {
                return failure(None, e);
            }
            with_cookie(
                sign_in_form(
                    StatusCode::TOO_MANY_REQUESTS,
                    "",
                    Some(&locked_out_message()),
                    None,
                ),
                &clear_cookie(),
            )
        }
        Err(e) => failure(None, e),
    }
}

pub async fn sign_out(
    axum::extract::State(state): axum::extract::State<AppState>,
    desk: Desk,
    form: PageForm,
) -> Response {
    if !desk.csrf_ok(&state, &form) {
        return forged(Some(&desk.nav(&state)));
    }
    if let Err(e) = app::sign_out(&state, &desk.session).await {
        return failure(None, e);
    }
    with_cookie(
        redirect("/dashboard/sign-in?notice=signed_out"),
        &clear_cookie(),
    )
}
