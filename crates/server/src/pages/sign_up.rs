//! `/sign-up`: email address, password, the names and username the instance asks for (required
//! or optional, by its field settings) and the legal consent when it asks for one, then the
//! emailed code (`/sign-up/verify-email-address`); the user and their first session are created
//! by `app::frontend::sign_ups`, as for clerk-js.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use usher_core::CoreError;
use usher_core::clients::sign_ups::{SignUp, SignUpFields, SignUpStatus};
use usher_core::clients::{Client, Strategy};
use usher_core::instance::{FieldRule, InstanceSettings};

use super::html::{self, Field, Html};
use super::{Failure, Page, PageForm, general_alert, page_notice, skip_if_signed_in};
use crate::app::frontend::ClientKey;
use crate::app::frontend::{invitations, sign_ups};
use crate::state::AppState;

#[derive(Default)]
struct Typed {
    email_address: String,
    first_name: String,
    last_name: String,
    username: String,
    legal_accepted: bool,
}

impl Typed {
    fn from_form(form: &PageForm) -> Self {
        Self {
            email_address: form.trimmed("email_address").to_owned(),
            first_name: form.trimmed("first_name").to_owned(),
            last_name: form.trimmed("last_name").to_owned(),
            username: form.trimmed("username").to_owned(),
            legal_accepted: form.trimmed("legal_accepted") == "true",
        }
    }

    /// What the form carries besides the address, as the sign-up takes it. A required field left
    /// blank or a consent not given is refused here, beside its field, before anything is
    /// created or hashed.
    fn fields(&self, s: &InstanceSettings) -> Result<SignUpFields, CoreError> {
        for (name, rule) in name_fields(s) {
            if rule.required() && self.value(name).is_empty() {
                return Err(CoreError::missing(name));
            }
        }
        if s.legal_consent_enabled && !self.legal_accepted {
            return Err(CoreError::missing("legal_accepted"));
        }
        let given = |name: &str| {
            let v = self.value(name);
            (!v.is_empty()).then(|| v.to_owned())
        };
        Ok(SignUpFields {
            first_name: given("first_name"),
            last_name: given("last_name"),
            username: given("username"),
            legal_accepted: self.legal_accepted,
            ..SignUpFields::default()
        })
    }

    fn value(&self, name: &str) -> &str {
        match name {
            "first_name" => &self.first_name,
            "last_name" => &self.last_name,
            "username" => &self.username,
            _ => &self.email_address,
        }
    }
}

/// The name fields the form shows, in order, with the instance's rule for each (an `off` one is
/// not shown).
fn name_fields(s: &InstanceSettings) -> [(&'static str, FieldRule); 3] {
    [
        ("first_name", s.first_name_field),
        ("last_name", s.last_name_field),
        ("username", s.username_field),
    ]
}

fn name_label(name: &str, rule: FieldRule) -> String {
    let label = match name {
        "first_name" => "First name",
        "last_name" => "Last name",
        _ => "Username",
    };
    if rule.required() {
        label.to_owned()
    } else {
        format!("{label} (optional)")
    }
}

fn render_form(
    state: &AppState,
    page: &mut Page,
    typed: &Typed,
    failure: Option<&Failure>,
) -> Response {
    render(state, page, None, typed, failure)
}

/// The form of an invitation's link (`?__clerk_ticket=…`): the invited address, verified by the
/// ticket, is shown, not typed; the ticket rides along hidden.
fn render_ticket_form(
    state: &AppState,
    page: &mut Page,
    ticket: &str,
    email: &str,
    typed: &Typed,
    failure: Option<&Failure>,
) -> Response {
    render(state, page, Some(Invited { ticket, email }), typed, failure)
}

/// What an invitation's link brings to the form.
#[derive(Clone, Copy)]
struct Invited<'a> {
    ticket: &'a str,
    email: &'a str,
}

fn render(
    state: &AppState,
    page: &mut Page,
    invited: Option<Invited<'_>>,
    typed: &Typed,
    failure: Option<&Failure>,
) -> Response {
    let csrf = page.csrf(state);
    let hint = super::password_hint(state);
    let settings = state.settings();
    let shown: Vec<(&str, FieldRule)> = name_fields(&settings)
        .into_iter()
        .filter(|(_, rule)| rule.enabled())
        .collect();
    let on = |name: &str| failure.and_then(|f| f.on(name));
    let mut h = Html::new();
    general_alert(&mut h, failure);
    if let Some(inv) = invited {
        h.open("p", &[])
            .text("You were invited as ")
            .el("strong", &[], inv.email)
            .text(".")
            .close("p");
    }
    html::form_open(&mut h, &page.link("/sign-up"), &csrf, None);
    let mut fields: Vec<&str> = if invited.is_some() {
        vec!["password"]
    } else {
        vec!["email_address", "password"]
    };
    fields.extend(shown.iter().map(|(name, _)| *name));
    fields.push("legal_accepted");
    // The first field at fault takes the focus, else the first field of the form.
    let focus = fields
        .iter()
        .copied()
        .find(|n| on(n).is_some())
        .or(fields.first().copied());
    match invited {
        Some(inv) => {
            h.open(
                "input",
                &[
                    ("type", Some("hidden")),
                    ("name", Some("ticket")),
                    ("value", Some(inv.ticket)),
                ],
            );
        }
        None => Field::new("email_address", "Email address", "email")
            .value(&typed.email_address)
            .autocomplete("email")
            .error(on("email_address"))
            .autofocus(focus == Some("email_address"))
            .render(&mut h),
    }
    Field::new("password", "Password", "password")
        .autocomplete("new-password")
        .hint(&hint)
        .error(on("password"))
        .autofocus(focus == Some("password"))
        .render(&mut h);
    for (name, rule) in shown {
        let label = name_label(name, rule);
        let autocomplete = match name {
            "first_name" => "given-name",
            "last_name" => "family-name",
            _ => "username",
        };
        let mut field = Field::new(name, &label, "text")
            .value(typed.value(name))
            .autocomplete(autocomplete)
            .error(on(name))
            .autofocus(focus == Some(name));
        if !rule.required() {
            field = field.optional();
        }
        field.render(&mut h);
    }
    if settings.legal_consent_enabled {
        html::checkbox(
            &mut h,
            "legal_accepted",
            "I accept the terms of service and the privacy policy",
            typed.legal_accepted,
        );
        if let Some(e) = on("legal_accepted") {
            h.open("p", &[("class", Some("error")), ("role", Some("alert"))])
                .text(e)
                .close("p");
        }
    }
    if invited.is_some() {
        html::submit_and_close(&mut h, "Accept the invitation");
    } else {
        html::submit_and_close(&mut h, "Continue");
        h.open("p", &[])
            .text("Already have an account? ")
            .el("a", &[("href", Some(&page.link("/sign-in")))], "Sign in")
            .close("p");
    }
    let status = failure.map_or(StatusCode::OK, |f| f.status);
    page.html(status, "Create your account", false, h)
}

/// The ticket form again after a refusal, or the plain form when the ticket itself is refused.
async fn ticket_failure(
    state: &AppState,
    page: &mut Page,
    ticket: &str,
    typed: &Typed,
    failure: &Failure,
) -> Response {
    match invitations::by_ticket(state, ticket).await {
        Ok(inv) => render_ticket_form(
            state,
            page,
            ticket,
            &inv.email_address,
            typed,
            Some(failure),
        ),
        Err(e) => {
            let f = Failure::from_core(e, FIELDS);
            render_form(state, page, typed, Some(&f))
        }
    }
}

pub async fn page(State(state): State<AppState>, mut page: Page) -> Response {
    if let Some(r) = skip_if_signed_in(&state, &mut page).await {
        return r;
    }
    if let Some(ticket) = page.query("__clerk_ticket").map(str::to_owned) {
        return match invitations::by_ticket(&state, &ticket).await {
            Ok(inv) => match invitations::invitee_has_account(&state, &inv).await {
                // The email's link always names `/sign-up`; an invitee who has an account
                // signs in with the ticket instead.
                Ok(true) => {
                    let to = page.link(&ticket_path("/sign-in", &ticket));
                    page.redirect(&to)
                }
                Ok(false) => render_ticket_form(
                    &state,
                    &mut page,
                    &ticket,
                    &inv.email_address,
                    &Typed::default(),
                    None,
                ),
                Err(e) => page.failure_page(&state, e),
            },
            Err(e) => {
                let f = Failure::from_core(e, FIELDS);
                render_form(&state, &mut page, &Typed::default(), Some(&f))
            }
        };
    }
    render_form(&state, &mut page, &Typed::default(), None)
}

/// `path?__clerk_ticket=…`.
pub fn ticket_path(path: &str, ticket: &str) -> String {
    let q: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("__clerk_ticket", ticket)
        .finish();
    format!("{path}?{q}")
}

/// A sign-up by an invitation's ticket: the user, their session and the membership at once.
async fn submit_ticket(
    state: &AppState,
    mut page: Page,
    form: &PageForm,
    ticket: String,
    typed: Typed,
) -> Response {
    if !page.csrf_ok(state, form) {
        return ticket_failure(state, &mut page, &ticket, &typed, &Failure::forged()).await;
    }
    if let Some(r) = skip_if_signed_in(state, &mut page).await {
        return r;
    }
    let result = async {
        let password = form
            .get("password")
            .ok_or_else(|| CoreError::missing("password"))?;
        let fields = typed.fields(&state.settings())?;
        sign_ups::upsert(
            state,
            &page.browser.ctx,
            &page.browser.key,
            None,
            fields,
            Some(password.to_owned()),
            Some(ticket.clone()),
        )
        .await
    }
    .await;
    match result {
        Ok(client) => finish(state, &mut page, client).await,
        Err(e) => {
            let f = page.step_failure(state, e, FIELDS).await;
            ticket_failure(state, &mut page, &ticket, &typed, &f).await
        }
    }
}

const FIELDS: &[(&str, &str)] = &[
    ("email_address", "email_address"),
    ("password", "password"),
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("username", "username"),
    ("legal_accepted", "legal_accepted"),
];

pub async fn submit(State(state): State<AppState>, mut page: Page, form: PageForm) -> Response {
    let typed = Typed::from_form(&form);
    let ticket = form.trimmed("ticket").to_owned();
    if !ticket.is_empty() {
        return submit_ticket(&state, page, &form, ticket, typed).await;
    }
    if !page.csrf_ok(&state, &form) {
        return render_form(&state, &mut page, &typed, Some(&Failure::forged()));
    }
    if let Some(r) = skip_if_signed_in(&state, &mut page).await {
        return r;
    }
    let result = async {
        if typed.email_address.is_empty() {
            return Err(CoreError::missing("email_address"));
        }
        let password = form
            .get("password")
            .ok_or_else(|| CoreError::missing("password"))?;
        let fields = SignUpFields {
            email_address: Some(typed.email_address.clone()),
            ..typed.fields(&state.settings())?
        };
        let client = sign_ups::upsert(
            &state,
            &page.browser.ctx,
            &page.browser.key,
            None,
            fields,
            Some(password.to_owned()),
            None,
        )
        .await?;
        let id = client
            .sign_up
            .as_ref()
            .map(|s| s.id.clone())
            .unwrap_or_default();
        let key = ClientKey {
            existing: Some(client.id.clone()),
            new_token: page.browser.key.new_token.clone(),
            memo: Default::default(),
            keep_secret: false,
        };
        let client = sign_ups::prepare_verification(
            &state,
            &page.browser.ctx,
            &key,
            &id,
            &Strategy::EmailCode,
        )
        .await?;
        let to = page.link("/sign-up/verify-email-address");
        Ok(page.redirect_with_client(&state, client, &to).await)
    }
    .await;
    match result {
        Ok(r) => r,
        Err(e) => {
            let f = page.step_failure(&state, e, FIELDS).await;
            render_form(&state, &mut page, &typed, Some(&f))
        }
    }
}

/// The browser's sign-up waiting for its email code.
fn pending(state: &AppState, page: &Page) -> Option<SignUp> {
    page.browser
        .client
        .as_ref()
        .and_then(|c| c.sign_up.clone())
        .filter(|s| {
            s.status == SignUpStatus::MissingRequirements
                && !s.is_abandoned(state.now())
                && s.email_address.is_some()
                && s.email_verification.is_some()
        })
}

fn render_verify(
    state: &AppState,
    page: &mut Page,
    su: &SignUp,
    failure: Option<&Failure>,
) -> Response {
    let csrf = page.csrf(state);
    let mut h = Html::new();
    page_notice(&mut h, page);
    general_alert(&mut h, failure);
    h.open("p", &[])
        .text("Enter the code we sent to ")
        .el(
            "strong",
            &[],
            su.email_address.as_deref().unwrap_or("your email address"),
        )
        .text(".")
        .close("p");
    html::form_open(
        &mut h,
        &page.link("/sign-up/verify-email-address"),
        &csrf,
        None,
    );
    Field::six_digit_code("Code from the email", failure.and_then(|f| f.on("code"))).render(&mut h);
    html::submit_and_close(&mut h, "Verify");
    html::form_open(
        &mut h,
        &page.link("/sign-up/verify-email-address/resend"),
        &csrf,
        Some("Send a new code"),
    );
    h.open("p", &[]).text("Didn't get it? ");
    html::button(&mut h, "Send a new code", Some("secondary"));
    h.close("p").close("form");
    html::link_para(&mut h, &page.link("/sign-up"), "Use another email address");
    let status = failure.map_or(StatusCode::OK, |f| f.status);
    page.html(status, "Verify your email address", false, h)
}

pub async fn verify_page(State(state): State<AppState>, mut page: Page) -> Response {
    match pending(&state, &page) {
        Some(su) => render_verify(&state, &mut page, &su, None),
        None => {
            if let Some(r) = skip_if_signed_in(&state, &mut page).await {
                return r;
            }
            let to = page.link("/sign-up");
            page.redirect(&to)
        }
    }
}

async fn finish(state: &AppState, page: &mut Page, client: Client) -> Response {
    let to = if sign_ups::is_complete(&client) {
        page.target()
    } else {
        page.link("/sign-up")
    };
    page.redirect_with_client(state, client, &to).await
}

pub async fn verify_submit(
    State(state): State<AppState>,
    mut page: Page,
    form: PageForm,
) -> Response {
    let Some(su) = pending(&state, &page) else {
        let to = page.link("/sign-up");
        return page.redirect(&to);
    };
    let failure = if page.csrf_ok(&state, &form) {
        let code = form.trimmed("code");
        let result = if code.is_empty() {
            Err(CoreError::missing("code"))
        } else {
            sign_ups::attempt_verification(
                &state,
                &page.browser.ctx,
                &page.browser.key,
                &su.id,
                &Strategy::EmailCode,
                code,
            )
            .await
        };
        match result {
            Ok(client) => return finish(&state, &mut page, client).await,
            Err(e) => Failure::from_core(e, &[("code", "code")]),
        }
    } else {
        Failure::forged()
    };
    render_verify(&state, &mut page, &su, Some(&failure))
}

pub async fn resend(State(state): State<AppState>, mut page: Page, form: PageForm) -> Response {
    let Some(su) = pending(&state, &page) else {
        let to = page.link("/sign-up");
        return page.redirect(&to);
    };
    let failure = if page.csrf_ok(&state, &form) {
        match sign_ups::prepare_verification(
            &state,
            &page.browser.ctx,
            &page.browser.key,
            &su.id,
            &Strategy::EmailCode,
        )
        .await
        {
            Ok(_) => {
                let to = page.link("/sign-up/verify-email-address?notice=code_sent");
                return page.redirect(&to);
            }
            Err(e) => Failure::from_core(e, &[]),
        }
    } else {
        Failure::forged()
    };
    render_verify(&state, &mut page, &su, Some(&failure))
}
