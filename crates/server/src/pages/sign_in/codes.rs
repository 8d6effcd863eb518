//! An emailed code: instead of the password (`/sign-in/email-code…`), or to reset a forgotten
//! one (`/sign-in/forgot…`).

use axum::extract::State;
use axum::response::Response;
use usher_core::CoreError;
use usher_core::clients::Strategy;
use usher_core::clients::sign_ins::{SignIn, SignInStatus};
use usher_core::ids::UserId;

use super::{Factor, email_of, key_for, open_sign_in, status_of, submit_code};
use crate::app::frontend::get_user;
use crate::app::frontend::sign_ins::{self, CreateSignIn};
use crate::pages::html::{self, Field, Html};
use crate::pages::{Failure, Page, PageForm, general_alert, page_notice, skip_if_signed_in};
use crate::state::AppState;

/// The two first factors that start with an emailed code.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum CodeFlow {
    SignIn,
    Reset,
}

/// Which of the two flows a route serves: the handlers below are routed once per flow,
/// `::<EmailCode>` under `/sign-in/email-code` and `::<ForgotPassword>` under
/// `/sign-in/forgot-password`.
pub trait Flow {
    const FLOW: CodeFlow;
}

/// Signing in with an emailed code instead of the password.
pub struct EmailCode;

impl Flow for EmailCode {
    const FLOW: CodeFlow = CodeFlow::SignIn;
}

/// Resetting a forgotten password with an emailed code.
pub struct ForgotPassword;

impl Flow for ForgotPassword {
    const FLOW: CodeFlow = CodeFlow::Reset;
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
    html::submit_and_close(&mut h, "Send code");
    html::link_para(
        &mut h,
        &page.link("/sign-in"),
        "Back to sign in with a password",
    );
    page.html(status_of(failure), flow.title(), false, h)
}

pub async fn identify_page<F: Flow>(State(state): State<AppState>, mut page: Page) -> Response {
    let flow = F::FLOW;
    if let Some(r) = skip_if_signed_in(&state, &mut page).await {
        return r;
    }
    render_identify(&state, &mut page, flow, "", None)
}

pub async fn identify_submit<F: Flow>(
    State(state): State<AppState>,
    mut page: Page,
    form: PageForm,
) -> Response {
    let flow = F::FLOW;
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
            let f = page
                .step_failure(&state, e, &[("identifier", "identifier")])
                .await;
            render_identify(&state, &mut page, flow, &identifier, Some(&f))
        }
    }
}

/// The sign-in waiting for this flow's code, and where the code went.
pub(super) async fn code_attempt(
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
        Some(id) => get_user(state, &UserId::from_stored(id.as_str()))
            .await
            .ok()
            .and_then(|u| {
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
pub(super) struct CodePage<'a> {
    pub(super) title: &'a str,
    pub(super) intro: String,
    pub(super) action: String,
    pub(super) resend: Option<String>,
    /// Sent as `strategy` with the code.
    pub(super) strategy: Option<Strategy>,
    pub(super) label: &'a str,
    pub(super) hint: &'a str,
    pub(super) numeric: bool,
    pub(super) links: Vec<(String, &'a str)>,
}

pub(super) fn render_code(
    state: &AppState,
    page: &mut Page,
    c: CodePage<'_>,
    failure: Option<&Failure>,
) -> Response {
    let csrf = page.csrf(state);
    let mut h = Html::new();
    page_notice(&mut h, page);
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
    html::submit_and_close(&mut h, "Continue");
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

pub async fn code_page<F: Flow>(State(state): State<AppState>, mut page: Page) -> Response {
    let flow = F::FLOW;
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

pub async fn code_submit<F: Flow>(
    State(state): State<AppState>,
    mut page: Page,
    form: PageForm,
) -> Response {
    let flow = F::FLOW;
    let Some((si, email)) = code_attempt(&state, &page, flow).await else {
        let to = page.link(flow.base());
        return page.redirect(&to);
    };
    let failure = match submit_code(
        &state,
        &mut page,
        &form,
        Factor::First,
        &si.id,
        &flow.strategy(),
    )
    .await
    {
        Ok(r) => return r,
        Err(f) => f,
    };
    let c = email_code_page_for(&page, flow, email.as_deref());
    render_code(&state, &mut page, c, Some(&failure))
}

pub async fn code_resend<F: Flow>(
    State(state): State<AppState>,
    mut page: Page,
    form: PageForm,
) -> Response {
    let flow = F::FLOW;
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
