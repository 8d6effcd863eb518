//! `/sign-in…`: password, an emailed code instead, the second step (authenticator app, backup
//! code, or the emailed code that confirms a new device), and a forgotten password (code, then
//! a new password). Each step is one `app::frontend::sign_ins` call on the browser's client;
//! where to go next is read from the sign-in's status.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use usher_core::CoreError;
use usher_core::clients::sign_ins::{SignIn, SignInStatus};
use usher_core::clients::{Client, Strategy};
use usher_core::users::User;

use super::html::{self, Field, Html};
use super::{Failure, Page, PageForm, general_alert, notice_text, skip_if_signed_in};
use crate::app::frontend::sign_ins::{self, CreateSignIn};
use crate::app::frontend::{ClientKey, get_user};
use crate::state::AppState;

/// The key naming `client` (a client this request may just have created).
fn key_for(page: &Page, client: &Client) -> ClientKey {
    ClientKey {
        existing: Some(client.id.clone()),
        new_token: page.browser.key.new_token.clone(),
        memo: Default::default(),
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

fn notice(h: &mut Html, page: &Page) {
    if let Some(n) = page.query("notice").and_then(notice_text) {
        html::notice(h, n);
    }
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
    notice(&mut h, page);
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
    html::button(&mut h, "Sign in", None);
    h.close("form");
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
        };
        let client = sign_ins::create(&state, &page.browser.ctx, &page.browser.key, req).await?;
        next_step(&state, &mut page, client).await
    }
    .await;
    match result {
        Ok(r) => r,
        Err(e) => {
            page.adopt_created_client(&state).await;
            let f = Failure::from_core(e, IDENTIFIER_FIELDS);
            render_sign_in(&state, &mut page, &identifier, Some(&f))
        }
    }
}

// ---- emailed codes (sign in with a code; reset a password) --------------------------------------

/// The two first factors that start with an emailed code.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CodeFlow {
    SignIn,
    Reset,
}

impl CodeFlow {
    fn strategy(self) -> Strategy {
        match self {
            CodeFlow::SignIn => Strategy::EmailCode,
            CodeFlow::Reset => Strategy::ResetPasswordEmailCode,
        }
    }
    fn base(self) -> &'static str {
        match self {
            CodeFlow::SignIn => "/sign-in/email-code",
            CodeFlow::Reset => "/sign-in/forgot-password",
        }
    }
    fn title(self) -> &'static str {
        match self {
            CodeFlow::SignIn => "Sign in with an email code",
            CodeFlow::Reset => "Reset your password",
        }
    }
}

fn render_identify(
    state: &AppState,
    page: &mut Page,
    flow: CodeFlow,
    identifier: &str,
    failure: Option<&Failure>,
) -> Response {
    let csrf = page.csrf(state);
    let mut h = Html::new();
    general_alert(&mut h, failure);
    let intro = match flow {
        CodeFlow::SignIn => "We will email you a code to sign in with.",
        CodeFlow::Reset => "We will email you a code to reset your password with.",
    };
    h.el("p", &[], intro);
    html::form_open(&mut h, &page.link(flow.base()), &csrf, None);
    Field::new("identifier", "Email address or username", "text")
        .value(identifier)
        .autocomplete("username")
        .error(failure.and_then(|f| f.on("identifier")))
        .autofocus(true)
        .render(&mut h);
    html::button(&mut h, "Send code", None);
    h.close("form");
    html::link_para(
        &mut h,
        &page.link("/sign-in"),
        "Back to sign in with a password",
    );
    page.html(status_of(failure), flow.title(), false, h)
}

async fn identify_page(state: AppState, mut page: Page, flow: CodeFlow) -> Response {
    if let Some(r) = skip_if_signed_in(&state, &mut page).await {
        return r;
    }
    render_identify(&state, &mut page, flow, "", None)
}

async fn identify_submit(
    state: AppState,
    mut page: Page,
    form: PageForm,
    flow: CodeFlow,
) -> Response {
    let identifier = form.trimmed("identifier").to_owned();
    if !page.csrf_ok(&state, &form) {
        return render_identify(
            &state,
            &mut page,
            flow,
            &identifier,
            Some(&Failure::forged()),
        );
    }
    if let Some(r) = skip_if_signed_in(&state, &mut page).await {
        return r;
    }
    let result = async {
        if identifier.is_empty() {
            return Err(CoreError::missing("identifier"));
        }
        let req = CreateSignIn {
            identifier: Some(identifier.clone()),
            ..CreateSignIn::default()
        };
        let client = sign_ins::create(&state, &page.browser.ctx, &page.browser.key, req).await?;
        let id = client
            .sign_in
            .as_ref()
            .map(|s| s.id.clone())
            .unwrap_or_default();
        let key = key_for(&page, &client);
        let client = sign_ins::prepare_first_factor(
            &state,
            &page.browser.ctx,
            &key,
            &id,
            &flow.strategy(),
            None,
        )
        .await?;
        let to = page.link(&format!("{}/verify", flow.base()));
        Ok(page.redirect_with_client(&state, client, &to).await)
    }
    .await;
    match result {
        Ok(r) => r,
        Err(e) => {
            page.adopt_created_client(&state).await;
            let f = Failure::from_core(e, &[("identifier", "identifier")]);
            render_identify(&state, &mut page, flow, &identifier, Some(&f))
        }
    }
}

/// The sign-in waiting for this flow's code, and where the code went.
async fn code_attempt(
    state: &AppState,
    page: &Page,
    flow: CodeFlow,
) -> Option<(SignIn, Option<String>)> {
    let si = open_sign_in(state, page).filter(|s| {
        s.status == SignInStatus::NeedsFirstFactor
            && s.first_factor
                .as_ref()
                .is_some_and(|f| f.strategy == flow.strategy())
    })?;
    let email = match &si.user_id {
        Some(id) => get_user(state, id).await.ok().and_then(|u| {
            email_of(
                &u,
                si.first_factor
                    .as_ref()
                    .and_then(|f| f.email_address_id.as_deref()),
            )
        }),
        None => None,
    };
    Some((si, email))
}

/// A "check your email" page: the code field, and a form to send a new code.
struct CodePage<'a> {
    title: &'a str,
    intro: String,
    action: String,
    resend: Option<String>,
    /// Sent as `strategy` with the code.
    strategy: Option<Strategy>,
    label: &'a str,
    hint: &'a str,
    numeric: bool,
    links: Vec<(String, &'a str)>,
}

fn render_code(
    state: &AppState,
    page: &mut Page,
    c: CodePage<'_>,
    failure: Option<&Failure>,
) -> Response {
    let csrf = page.csrf(state);
    let mut h = Html::new();
    notice(&mut h, page);
    general_alert(&mut h, failure);
    h.el("p", &[], &c.intro);
    html::form_open(&mut h, &c.action, &csrf, None);
    if let Some(s) = c.strategy.as_ref().map(Strategy::name) {
        h.open(
            "input",
            &[
                ("type", Some("hidden")),
                ("name", Some("strategy")),
                ("value", Some(&s)),
            ],
        );
    }
    let mut field = Field::new("code", c.label, "text")
        .hint(c.hint)
        .error(failure.and_then(|f| f.on("code")))
        .autofocus(true);
    if c.numeric {
        field = field.code();
    } else {
        field = field.autocomplete("off");
    }
    field.render(&mut h);
    html::button(&mut h, "Continue", None);
    h.close("form");
    if let Some(resend) = &c.resend {
        html::form_open(&mut h, resend, &csrf, Some("Send a new code"));
        h.open("p", &[]).text("Didn't get it? ");
        html::button(&mut h, "Send a new code", Some("secondary"));
        h.close("p").close("form");
    }
    for (href, text) in &c.links {
        html::link_para(&mut h, href, text);
    }
    page.html(status_of(failure), c.title, false, h)
}

fn email_code_page_for(page: &Page, flow: CodeFlow, email: Option<&str>) -> CodePage<'static> {
    let to = email.map_or_else(|| "your email address".to_owned(), str::to_owned);
    CodePage {
        title: match flow {
            CodeFlow::SignIn => "Check your email",
            CodeFlow::Reset => "Reset your password",
        },
        intro: format!("Enter the code we sent to {to}."),
        action: page.link(&format!("{}/verify", flow.base())),
        resend: Some(page.link(&format!("{}/resend", flow.base()))),
        strategy: None,
        label: "Code from the email",
        hint: "Six digits.",
        numeric: true,
        links: vec![(page.link("/sign-in"), "Use another method")],
    }
}

async fn code_page(state: AppState, mut page: Page, flow: CodeFlow) -> Response {
    match code_attempt(&state, &page, flow).await {
        Some((_, email)) => {
            let c = email_code_page_for(&page, flow, email.as_deref());
            render_code(&state, &mut page, c, None)
        }
        None => {
            if let Some(r) = skip_if_signed_in(&state, &mut page).await {
                return r;
            }
            let to = page.link(flow.base());
            page.redirect(&to)
        }
    }
}

async fn code_submit(state: AppState, mut page: Page, form: PageForm, flow: CodeFlow) -> Response {
    let Some((si, email)) = code_attempt(&state, &page, flow).await else {
        let to = page.link(flow.base());
        return page.redirect(&to);
    };
    let failure = if page.csrf_ok(&state, &form) {
        let code = form.trimmed("code");
        let result = if code.is_empty() {
            Err(CoreError::missing("code"))
        } else {
            sign_ins::attempt_first_factor(
                &state,
                &page.browser.ctx,
                &page.browser.key,
                &si.id,
                &flow.strategy(),
                code,
            )
            .await
        };
        match result {
            Ok(client) => match next_step(&state, &mut page, client).await {
                Ok(r) => return r,
                Err(e) => Failure::from_core(e, &[("code", "code")]),
            },
            Err(e) => Failure::from_core(e, &[("code", "code")]),
        }
    } else {
        Failure::forged()
    };
    let c = email_code_page_for(&page, flow, email.as_deref());
    render_code(&state, &mut page, c, Some(&failure))
}

async fn code_resend(state: AppState, mut page: Page, form: PageForm, flow: CodeFlow) -> Response {
    let Some((si, email)) = code_attempt(&state, &page, flow).await else {
        let to = page.link(flow.base());
        return page.redirect(&to);
    };
    let failure = if page.csrf_ok(&state, &form) {
        match sign_ins::prepare_first_factor(
            &state,
            &page.browser.ctx,
            &page.browser.key,
            &si.id,
            &flow.strategy(),
            None,
        )
        .await
        {
            Ok(_) => {
                let to = page.link(&format!("{}/verify?notice=code_sent", flow.base()));
                return page.redirect(&to);
            }
            Err(e) => Failure::from_core(e, &[]),
        }
    } else {
        Failure::forged()
    };
    let c = email_code_page_for(&page, flow, email.as_deref());
    render_code(&state, &mut page, c, Some(&failure))
}

pub async fn email_code_page(State(state): State<AppState>, page: Page) -> Response {
    identify_page(state, page, CodeFlow::SignIn).await
}
pub async fn email_code_submit(
    State(state): State<AppState>,
    page: Page,
    form: PageForm,
) -> Response {
    identify_submit(state, page, form, CodeFlow::SignIn).await
}
pub async fn email_code_verify_page(State(state): State<AppState>, page: Page) -> Response {
    code_page(state, page, CodeFlow::SignIn).await
}
pub async fn email_code_verify_submit(
    State(state): State<AppState>,
    page: Page,
    form: PageForm,
) -> Response {
    code_submit(state, page, form, CodeFlow::SignIn).await
}
pub async fn email_code_resend(
    State(state): State<AppState>,
    page: Page,
    form: PageForm,
) -> Response {
    code_resend(state, page, form, CodeFlow::SignIn).await
}
pub async fn forgot_page(State(state): State<AppState>, page: Page) -> Response {
    identify_page(state, page, CodeFlow::Reset).await
}
pub async fn forgot_submit(State(state): State<AppState>, page: Page, form: PageForm) -> Response {
    identify_submit(state, page, form, CodeFlow::Reset).await
}
pub async fn forgot_verify_page(State(state): State<AppState>, page: Page) -> Response {
    code_page(state, page, CodeFlow::Reset).await
}
pub async fn forgot_verify_submit(
    State(state): State<AppState>,
    page: Page,
    form: PageForm,
) -> Response {
    code_submit(state, page, form, CodeFlow::Reset).await
}
pub async fn forgot_resend(State(state): State<AppState>, page: Page, form: PageForm) -> Response {
    code_resend(state, page, form, CodeFlow::Reset).await
}

// ---- a new password after the reset code --------------------------------------------------------

fn render_new_password(
    state: &AppState,
    page: &mut Page,
    sign_out_others: bool,
    failure: Option<&Failure>,
) -> Response {
    let csrf = page.csrf(state);
    let hint = super::password_hint(state);
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
    html::button(&mut h, "Reset password", None);
    h.close("form");
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

/// What the second step asks for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Second {
    Totp,
    BackupCode,
    /// Client Trust: the emailed code confirming a device new to the user.
    DeviceCode,
}

impl Second {
    fn strategy(self) -> Strategy {
        match self {
            Second::Totp => Strategy::Totp,
            Second::BackupCode => Strategy::BackupCode,
            Second::DeviceCode => Strategy::EmailCode,
        }
    }
}

/// The sign-in waiting for a second step, its user, and which step to show (`wanted`: the
/// strategy the browser asked for).
async fn second_attempt(
    state: &AppState,
    page: &Page,
    wanted: Option<&str>,
) -> Option<(SignIn, User, Second)> {
    let si = open_sign_in(state, page).filter(|s| {
        matches!(
            s.status,
            SignInStatus::NeedsSecondFactor | SignInStatus::NeedsClientTrust
        )
    })?;
    let user = get_user(state, si.user_id.as_deref()?).await.ok()?;
    let second = if si.status == SignInStatus::NeedsClientTrust {
        Second::DeviceCode
    } else if wanted.is_some_and(|w| w.parse() == Ok(Strategy::BackupCode)) || !user.totp_enabled()
    {
        Second::BackupCode
    } else {
        Second::Totp
    };
    Some((si, user, second))
}

fn second_page(page: &Page, si: &SignIn, user: &User, second: Second) -> CodePage<'static> {
    let action = page.link("/sign-in/factor-two");
    match second {
        Second::Totp => CodePage {
            title: "Two-step verification",
            intro: "Enter the code from your authenticator app.".into(),
            action,
            resend: None,
            strategy: Some(Strategy::Totp),
            label: "Authentication code",
            hint: "Six digits, from your authenticator app.",
            numeric: true,
            links: {
                let mut l = Vec::new();
                if user.backup_code_enabled() {
                    l.push((
                        page.link("/sign-in/factor-two?method=backup_code"),
                        "Use a backup code instead",
                    ));
                }
                l.push((page.link("/sign-in"), "Start over"));
                l
            },
        },
        Second::BackupCode => CodePage {
            title: "Two-step verification",
            intro: "Enter one of your backup codes. Each code works once.".into(),
            action,
            resend: None,
            strategy: Some(Strategy::BackupCode),
            label: "Backup code",
            hint: "Eight letters and digits, as you saved them.",
            numeric: false,
            links: {
                let mut l = Vec::new();
                if user.totp_enabled() {
                    l.push((
                        page.link("/sign-in/factor-two"),
                        "Use your authenticator app instead",
                    ));
                }
                l.push((page.link("/sign-in"), "Start over"));
                l
            },
        },
        Second::DeviceCode => {
            let to = email_of(
                user,
                si.second_factor
                    .as_ref()
                    .and_then(|f| f.email_address_id.as_deref()),
            )
            .unwrap_or_else(|| "your email address".into());
            CodePage {
                title: "Confirm it's you",
                intro: format!(
                    "You are signing in on a new device. Enter the code we sent to {to} to confirm it."
                ),
                action,
                resend: Some(page.link("/sign-in/factor-two/resend")),
                strategy: Some(Strategy::EmailCode),
                label: "Code from the email",
                hint: "Six digits.",
                numeric: true,
                links: vec![(page.link("/sign-in"), "Start over")],
            }
        }
    }
}

pub async fn factor_two_page(State(state): State<AppState>, mut page: Page) -> Response {
    let wanted = page.query("method").map(str::to_owned);
    match second_attempt(&state, &page, wanted.as_deref()).await {
        Some((si, user, second)) => {
            let c = second_page(&page, &si, &user, second);
            render_code(&state, &mut page, c, None)
        }
        None => {
            if let Some(r) = skip_if_signed_in(&state, &mut page).await {
                return r;
            }
            let to = page.link("/sign-in");
            page.redirect(&to)
        }
    }
}

pub async fn factor_two_submit(
    State(state): State<AppState>,
    mut page: Page,
    form: PageForm,
) -> Response {
    let Some((si, user, second)) = second_attempt(&state, &page, form.get("strategy")).await else {
        let to = page.link("/sign-in");
        return page.redirect(&to);
    };
    let failure = if page.csrf_ok(&state, &form) {
        let code = form.trimmed("code");
        let result = if code.is_empty() {
            Err(CoreError::missing("code"))
        } else {
            sign_ins::attempt_second_factor(
                &state,
                &page.browser.ctx,
                &page.browser.key,
                &si.id,
                &second.strategy(),
                code,
            )
            .await
        };
        match result {
            Ok(client) => match next_step(&state, &mut page, client).await {
                Ok(r) => return r,
                Err(e) => Failure::from_core(e, &[("code", "code")]),
            },
            Err(e) => Failure::from_core(e, &[("code", "code")]),
        }
    } else {
        Failure::forged()
    };
    let c = second_page(&page, &si, &user, second);
    render_code(&state, &mut page, c, Some(&failure))
}

pub async fn factor_two_resend(
    State(state): State<AppState>,
    mut page: Page,
    form: PageForm,
) -> Response {
    let Some((si, user, second)) = second_attempt(&state, &page, None).await else {
        let to = page.link("/sign-in");
        return page.redirect(&to);
    };
    let failure = if !page.csrf_ok(&state, &form) {
        Failure::forged()
    } else if second != Second::DeviceCode {
        let to = page.link("/sign-in/factor-two");
        return page.redirect(&to);
    } else {
        match sign_ins::prepare_second_factor(
            &state,
            &page.browser.ctx,
            &page.browser.key,
            &si.id,
            &Strategy::EmailCode,
            None,
        )
        .await
        {
            Ok(_) => {
                let to = page.link("/sign-in/factor-two?notice=code_sent");
                return page.redirect(&to);
            }
            Err(e) => Failure::from_core(e, &[]),
        }
    };
    let c = second_page(&page, &si, &user, second);
    render_code(&state, &mut page, c, Some(&failure))
}
