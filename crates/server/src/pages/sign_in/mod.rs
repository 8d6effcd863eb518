//! `/sign-in…`: password, an emailed code instead, the second step (authenticator app, backup
//! code, or the emailed code that confirms a new device), and a forgotten password (code, then
//! a new password); an invitation's ticket (`ticket`). Each step is one `app::frontend::sign_ins`
//! call on the browser's client; where to go next is read from the sign-in's status.

mod codes;
mod new_password;
mod second_factor;
mod ticket;

pub use codes::{
    EmailCode, ForgotPassword, code_page, code_resend, code_submit, identify_page, identify_submit,
};
pub use new_password::{new_password_page, new_password_submit};
pub use second_factor::{factor_two_page, factor_two_resend, factor_two_submit};
pub use ticket::submit as ticket_submit;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use usher_core::CoreError;
use usher_core::clients::sign_ins::{SignIn, SignInStatus};
use usher_core::clients::{Client, Strategy};
use usher_core::users::User;

use crate::app::frontend::ClientKey;
use crate::app::frontend::sign_ins::{self, CreateSignIn};
use crate::pages::html::{self, Field, Html};
use crate::pages::{Failure, Page, PageForm, general_alert, page_notice, skip_if_signed_in};
use crate::state::AppState;

/// The key naming `client` (a client this request may just have created).
fn key_for(page: &Page, client: &Client) -> ClientKey {
    ClientKey {
        existing: Some(client.id.clone()),
        new_token: page.browser.key.new_token.clone(),
        memo: Default::default(),
        keep_secret: false,
    }
}

/// The browser's sign-in attempt, unless it is finished with or abandoned.
fn open_sign_in(state: &AppState, page: &Page) -> Option<SignIn> {
    page.browser
        .client
        .as_ref()
        .and_then(|c| c.sign_in.clone())
        .filter(|s| s.status != SignInStatus::Complete && !s.is_abandoned(state.now()))
}

fn email_of(user: &User, email_address_id: Option<&str>) -> Option<String> {
    match email_address_id {
        Some(id) => user.email_addresses.iter().find(|e| e.id == id),
        None => user.primary_email(),
    }
    .map(|e| e.email_address.clone())
}

/// Creates the sign-in `req` describes for this browser, then answers with its next step.
async fn start(
    state: &AppState,
    page: &mut Page,
    req: CreateSignIn,
) -> Result<Response, CoreError> {
    let client = sign_ins::create(state, &page.browser.ctx, &page.browser.key, req).await?;
    next_step(state, page, client).await
}

/// After a step: where the sign-in's status sends the browser (preparing the device
/// confirmation email when Client Trust asks for one), with the client cookies.
async fn next_step(
    state: &AppState,
    page: &mut Page,
    client: Client,
) -> Result<Response, CoreError> {
    let Some(si) = client.sign_in.clone() else {
        let to = page.link("/sign-in");
        return Ok(page.redirect_with_client(state, client, &to).await);
    };
    let mut client = client;
    let to = match si.status {
        SignInStatus::Complete => page.target(),
        SignInStatus::NeedsClientTrust => {
            if si.second_factor.is_none() {
                client = sign_ins::prepare_second_factor(
                    state,
                    &page.browser.ctx,
                    &key_for(page, &client),
                    &si.id,
                    &Strategy::EmailCode,
                    None,
                )
                .await?;
            }
            page.link("/sign-in/factor-two")
        }
        SignInStatus::NeedsSecondFactor => page.link("/sign-in/factor-two"),
        SignInStatus::NeedsNewPassword => page.link("/sign-in/forgot-password/new-password"),
        _ => page.link("/sign-in"),
    };
    Ok(page.redirect_with_client(state, client, &to).await)
}

fn status_of(failure: Option<&Failure>) -> StatusCode {
    failure.map_or(StatusCode::OK, |f| f.status)
}

// ---- password ---------------------------------------------------------------------------------

fn render_sign_in(
    state: &AppState,
    page: &mut Page,
    identifier: &str,
    failure: Option<&Failure>,
) -> Response {
    let csrf = page.csrf(state);
    let mut h = Html::new();
    page_notice(&mut h, page);
    general_alert(&mut h, failure);
    html::form_open(&mut h, &page.link("/sign-in"), &csrf, None);
    let password_error = failure.and_then(|f| f.on("password"));
    Field::new("identifier", "Email address or username", "text")
        .value(identifier)
        .autocomplete("username")
        .error(failure.and_then(|f| f.on("identifier")))
        .autofocus(password_error.is_none())
        .render(&mut h);
    Field::new("password", "Password", "password")
        .autocomplete("current-password")
        .error(password_error)
        .autofocus(password_error.is_some())
        .render(&mut h);
    html::submit_and_close(&mut h, "Sign in");
    html::link_para(
        &mut h,
        &page.link("/sign-in/email-code"),
        "Use an email code instead",
    );
    html::link_para(
        &mut h,
        &page.link("/sign-in/forgot-password"),
        "Forgot your password?",
    );
    h.open("p", &[])
        .text("No account yet? ")
        .el("a", &[("href", Some(&page.link("/sign-up")))], "Sign up")
        .close("p");
    page.html(status_of(failure), "Sign in", false, h)
}

pub async fn page(State(state): State<AppState>, mut page: Page) -> Response {
    if let Some(r) = skip_if_signed_in(&state, &mut page).await {
        return r;
    }
    if let Some(t) = page.query("__clerk_ticket").map(str::to_owned) {
        return ticket::page_with_ticket(&state, &mut page, &t).await;
    }
    render_sign_in(&state, &mut page, "", None)
}

const IDENTIFIER_FIELDS: &[(&str, &str)] =
    &[("identifier", "identifier"), ("password", "password")];

pub async fn submit(State(state): State<AppState>, mut page: Page, form: PageForm) -> Response {
    let identifier = form.trimmed("identifier").to_owned();
    if !page.csrf_ok(&state, &form) {
        return render_sign_in(&state, &mut page, &identifier, Some(&Failure::forged()));
    }
    if let Some(r) = skip_if_signed_in(&state, &mut page).await {
        return r;
    }
    let result = async {
        if identifier.is_empty() {
            return Err(CoreError::missing("identifier"));
        }
        let password = form
            .get("password")
            .ok_or_else(|| CoreError::missing("password"))?;
        let req = CreateSignIn {
            identifier: Some(identifier.clone()),
            strategy: Some(Strategy::Password),
            password: Some(password.to_owned()),
            ticket: None,
        };
        start(&state, &mut page, req).await
    }
    .await;
    match result {
        Ok(r) => r,
        Err(e) => {
            let f = page.step_failure(&state, e, IDENTIFIER_FIELDS).await;
            render_sign_in(&state, &mut page, &identifier, Some(&f))
        }
    }
}

/// Which factor a code answers.
#[derive(Clone, Copy)]
enum Factor {
    First,
    Second,
}

/// Checks the form's code against `factor` of sign-in `sign_in_id`: where the sign-in goes
/// next, or what failed (named on the `code` field).
async fn submit_code(
    state: &AppState,
    page: &mut Page,
    form: &PageForm,
    factor: Factor,
    sign_in_id: &str,
    strategy: &Strategy,
) -> Result<Response, Failure> {
    const CODE_FIELD: &[(&str, &str)] = &[("code", "code")];
    if !page.csrf_ok(state, form) {
        return Err(Failure::forged());
    }
    let code = form.trimmed("code");
    let result = if code.is_empty() {
        Err(CoreError::missing("code"))
    } else {
        let (ctx, key) = (&page.browser.ctx, &page.browser.key);
        match factor {
            Factor::First => {
                sign_ins::attempt_first_factor(state, ctx, key, sign_in_id, strategy, code).await
            }
            Factor::Second => {
                sign_ins::attempt_second_factor(state, ctx, key, sign_in_id, strategy, code).await
            }
        }
    };
    match result {
        Ok(client) => next_step(state, page, client)
            .await
            .map_err(|e| Failure::from_core(e, CODE_FIELD)),
        Err(e) => Err(Failure::from_core(e, CODE_FIELD)),
    }
}
