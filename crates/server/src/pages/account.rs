//! `/user`: the signed-in user's profile (names), email addresses, password, two-step
//! verification, organizations (the `organizations` module) and active devices; and
//! `/sign-out`. Changes go through `app::frontend::me`, `devices` and `clients`, as the Frontend
//! API's do.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use usher_core::CoreError;
use usher_core::ids::SessionId;
use usher_core::sessions::Session;
use usher_core::users::User;
use usher_core::users::model::Verification;

use super::html::{self, Field, Html};
use super::organizations::{self, Organizations};
use super::{Failure, Page, PageForm, general_alert, page_notice};
use crate::app::frontend::clients;
use crate::app::frontend::me::{self, ProfilePatch};
use crate::app::frontend::{devices, get_user};
use crate::state::AppState;

/// The parts of `/user`, each with its own form (and its own errors).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Profile,
    Password,
    TwoStep,
    Devices,
    Organizations,
}

/// The signed-in session and its user, or the redirect to sign in.
pub async fn signed_in(state: &AppState, page: &mut Page) -> Result<(Session, User), Response> {
    let session = match page.session(state).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            let to = format!(
                "{}?{}",
                page.path("/sign-in"),
                form_urlencoded::Serializer::new(String::new())
                    .append_pair("redirect_url", &page.path(super::HOME))
                    .finish()
            );
            return Err(page.redirect(&to));
        }
        Err(e) => return Err(page.failure_page(state, e)),
    };
    match get_user(state, &session.user_id).await {
        Ok(user) => Ok((session, user)),
        Err(e) => Err(page.failure_page(state, e)),
    }
}

/// `Chrome on Linux`, from a `User-Agent`.
pub fn device_name(user_agent: Option<&str>) -> String {
    match user_agent {
        Some(_) => usher_core::sessions::devices::describe(user_agent).name(),
        None => "Unknown device".into(),
    }
}

/// `2026-11-23 14:05 UTC`.
pub fn when(ms: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        ),
        Err(_) => "unknown".into(),
    }
}

pub struct UserView<'a> {
    pub session: &'a Session,
    pub user: &'a User,
    pub devices: &'a [Session],
    /// `None` when the instance has no organizations (no section).
    pub organizations: Option<&'a Organizations>,
    pub failure: Option<(Section, &'a Failure)>,
}

pub fn render(state: &AppState, page: &mut Page, v: &UserView<'_>) -> Response {
    let csrf = page.csrf(state);
    let user = v.user;
    let failure_in = |s: Section| v.failure.filter(|(at, _)| *at == s).map(|(_, f)| f);
    let mut h = Html::new();
    page_notice(&mut h, page);
    // A form posted to a section the page no longer shows (organizations turned off).
    if v.organizations.is_none() {
        general_alert(&mut h, failure_in(Section::Organizations));
    }
    let signed_in_as = user
        .primary_email()
        .map(|e| e.email_address.clone())
        .or_else(|| user.username.clone())
        .unwrap_or_else(|| user.id.to_string());
    h.open("p", &[])
        .text("Signed in as ")
        .el("strong", &[], &signed_in_as)
        .text(".")
        .close("p");

    // Profile.
    let f = failure_in(Section::Profile);
    h.open("section", &[("aria-labelledby", Some("profile"))])
        .el("h2", &[("id", Some("profile"))], "Profile");
    general_alert(&mut h, f);
    html::form_open(&mut h, &page.path("/user/profile"), &csrf, Some("Profile"));
    Field::new("first_name", "First name", "text")
        .value(user.first_name.as_deref().unwrap_or(""))
        .autocomplete("given-name")
        .optional()
        .error(f.and_then(|f| f.on("first_name")))
        .autofocus(f.is_some_and(|f| f.field == Some("first_name")))
        .render(&mut h);
    Field::new("last_name", "Last name", "text")
        .value(user.last_name.as_deref().unwrap_or(""))
        .autocomplete("family-name")
        .optional()
        .error(f.and_then(|f| f.on("last_name")))
        .autofocus(f.is_some_and(|f| f.field == Some("last_name")))
        .render(&mut h);
    html::button(&mut h, "Save profile", None);
    h.close("form").close("section");

    // Email addresses.
    h.open("section", &[("aria-labelledby", Some("emails"))])
        .el("h2", &[("id", Some("emails"))], "Email addresses")
        .open("ul", &[("class", Some("plain"))]);
    for e in &user.email_addresses {
        let primary = user.primary_email_address_id.as_deref() == Some(e.id.as_str());
        h.open("li", &[]).el("span", &[], &e.email_address);
        if primary {
            h.el("span", &[("class", Some("badge"))], "Primary");
        }
        let verified = match e.verification {
            Verification::Unverified => "Not verified",
            Verification::Admin
            | Verification::EmailCode
            | Verification::PhoneCode
            | Verification::Ticket
            | Verification::Oauth
            | Verification::EmailLink => "Verified",
        };
        h.el("span", &[("class", Some("badge"))], verified);
        h.close("li");
    }
    if user.email_addresses.is_empty() {
        h.el("li", &[], "No email address.");
    }
    h.close("ul").close("section");

    // Password.
    let f = failure_in(Section::Password);
    let hint = super::password_hint(state);
    h.open("section", &[("aria-labelledby", Some("password"))])
        .el("h2", &[("id", Some("password"))], "Password");
    general_alert(&mut h, f);
    html::form_open(
        &mut h,
        &page.path("/user/password"),
        &csrf,
        Some("Change password"),
    );
    if user.password.is_some() {
        Field::new("current_password", "Current password", "password")
            .autocomplete("current-password")
            .error(f.and_then(|f| f.on("current_password")))
            .autofocus(f.is_some_and(|f| f.field == Some("current_password")))
            .render(&mut h);
    }
    Field::new("new_password", "New password", "password")
        .autocomplete("new-password")
        .hint(&hint)
        .error(f.and_then(|f| f.on("new_password")))
        .autofocus(f.is_some_and(|f| f.field == Some("new_password")))
        .render(&mut h);
    html::checkbox(
        &mut h,
        "sign_out_of_other_sessions",
        "Sign out of all other devices",
        true,
    );
    html::button(
        &mut h,
        if user.password.is_some() {
            "Change password"
        } else {
            "Set password"
        },
        None,
    );
    h.close("form").close("section");

    // Two-step verification.
    let f = failure_in(Section::TwoStep);
    h.open("section", &[("aria-labelledby", Some("two-step"))])
        .el("h2", &[("id", Some("two-step"))], "Two-step verification");
    general_alert(&mut h, f);
    if user.totp_enabled() {
        h.el(
            "p",
            &[],
            "Authenticator app: on. Signing in asks for a code from it.",
        );
        let left = user.backup_codes.len();
        h.el(
            "p",
            &[],
            &format!(
                "{left} unused backup code{}.",
                if left == 1 { "" } else { "s" }
            ),
        );
        html::form_open(
            &mut h,
            &page.path("/user/backup-codes"),
            &csrf,
            Some("Backup codes"),
        );
        h.el(
            "p",
            &[("class", Some("hint"))],
            "New backup codes replace the old ones, which stop working.",
        );
        html::button(&mut h, "Generate new backup codes", Some("secondary"));
        h.close("form");
        html::form_open(
            &mut h,
            &page.path("/user/totp/remove"),
            &csrf,
            Some("Remove authenticator app"),
        );
        h.open("p", &[]);
        html::button(&mut h, "Remove authenticator app", Some("danger"));
        h.close("p").close("form");
    } else {
        if user.totp.is_some() {
            h.open("p", &[])
                .text("Setting up an authenticator app is not finished. ")
                .el(
                    "a",
                    &[("href", Some(&page.path("/user/totp")))],
                    "Continue setting it up",
                )
                .close("p");
        } else {
            h.el("p", &[], "Authenticator app: off.");
        }
        html::form_open(
            &mut h,
            &page.path("/user/totp"),
            &csrf,
            Some("Add an authenticator app"),
        );
        html::submit_and_close(&mut h, "Add an authenticator app");
    }
    h.close("section");

    if let Some(orgs) = v.organizations {
        organizations::render(
            &mut h,
            page,
            &csrf,
            orgs,
            failure_in(Section::Organizations),
        );
    }

    // Active devices.
    let f = failure_in(Section::Devices);
    h.open("section", &[("aria-labelledby", Some("devices"))])
        .el("h2", &[("id", Some("devices"))], "Active devices");
    general_alert(&mut h, f);
    h.open("ul", &[("class", Some("plain"))]);
    for d in v.devices {
        let heading_id = format!("device-{}", d.id);
        let name = device_name(d.user_agent.as_deref());
        let this = d.id == v.session.id;
        h.open("li", &[])
            .open("h3", &[("id", Some(&heading_id))])
            .text(&name);
        if this {
            h.el("span", &[("class", Some("badge"))], "This device");
        }
        h.close("h3");
        h.el(
            "p",
            &[("class", Some("meta"))],
            &format!("Browser: {}", d.user_agent.as_deref().unwrap_or("unknown")),
        );
        h.el(
            "p",
            &[("class", Some("meta"))],
            &format!(
                "IP address: {}",
                d.ip_address.as_deref().unwrap_or("unknown")
            ),
        );
        h.el(
            "p",
            &[("class", Some("meta"))],
            &format!("Last active: {}", when(d.last_active_at)),
        );
        h.el(
            "p",
            &[("class", Some("meta"))],
            &format!("Signed in: {}", when(d.created_at)),
        );
        if !this {
            html::form_open(&mut h, &page.path("/user/devices/sign-out"), &csrf, None);
            h.open(
                "input",
                &[
                    ("type", Some("hidden")),
                    ("name", Some("session_id")),
                    ("value", Some(&d.id)),
                ],
            );
            h.el(
                "button",
                &[
                    ("type", Some("submit")),
                    ("class", Some("danger")),
                    ("aria-describedby", Some(&heading_id)),
                ],
                "Sign out this device",
            );
            h.close("form");
        }
        h.close("li");
    }
    h.close("ul").close("section");

    // This device.
    h.open("section", &[("aria-labelledby", Some("sign-out"))])
        .el("h2", &[("id", Some("sign-out"))], "Sign out");
    html::form_open(&mut h, &page.path("/sign-out"), &csrf, Some("Sign out"));
    html::button(&mut h, "Sign out", None);
    h.close("form").close("section");

    let status = v.failure.map_or(StatusCode::OK, |(_, f)| f.status);
    page.html(status, "Your account", true, h)
}

/// A form posted from `/user` by a signed-in user, whose CSRF token held: who posted it and
/// the section of `/user` that shows its errors.
pub struct Posted {
    pub session: Session,
    pub user: User,
    pub section: Section,
}

impl Posted {
    /// Re-renders `/user` with `failure` shown in the form's section.
    pub async fn fail(&self, state: &AppState, page: &mut Page, failure: &Failure) -> Response {
        render_failure(
            state,
            page,
            &self.session,
            &self.user,
            self.section,
            failure,
        )
        .await
    }
}

/// A form posted from `/user`: who posted it once the form's CSRF token holds; otherwise the
/// answer (to sign in, or `/user` again with the forged form shown in `section`).
pub async fn signed_in_form(
    state: &AppState,
    page: &mut Page,
    form: &PageForm,
    section: Section,
) -> Result<Posted, Response> {
    let (session, user) = signed_in(state, page).await?;
    let posted = Posted {
        session,
        user,
        section,
    };
    if !page.csrf_ok(state, form) {
        return Err(posted.fail(state, page, &Failure::forged()).await);
    }
    Ok(posted)
}

/// Re-renders `/user` with `failure` shown in `section`.
async fn render_failure(
    state: &AppState,
    page: &mut Page,
    session: &Session,
    user: &User,
    section: Section,
    failure: &Failure,
) -> Response {
    let devices = devices::list(state, &user.id).await.unwrap_or_default();
    let orgs = organizations::load(state, user).await.ok().flatten();
    render(
        state,
        page,
        &UserView {
            session,
            user,
            devices: &devices,
            organizations: orgs.as_ref(),
            failure: Some((section, failure)),
        },
    )
}

pub async fn page(State(state): State<AppState>, mut page: Page) -> Response {
    let (session, user) = match signed_in(&state, &mut page).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let devices = match devices::list(&state, &user.id).await {
        Ok(d) => d,
        Err(e) => return page.failure_page(&state, e),
    };
    let orgs = match organizations::load(&state, &user).await {
        Ok(o) => o,
        Err(e) => return page.failure_page(&state, e),
    };
    render(
        &state,
        &mut page,
        &UserView {
            session: &session,
            user: &user,
            devices: &devices,
            organizations: orgs.as_ref(),
            failure: None,
        },
    )
}

pub async fn profile(State(state): State<AppState>, mut page: Page, form: PageForm) -> Response {
    let posted = match signed_in_form(&state, &mut page, &form, Section::Profile).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let failure = {
        let patch = ProfilePatch {
            first_name: Some(form.trimmed("first_name").to_owned()),
            last_name: Some(form.trimmed("last_name").to_owned()),
            username: None,
        };
        match me::update_profile(&state, &page.browser.ctx, &posted.user.id, patch).await {
            Ok(_) => return page.redirect_page("/user?notice=profile_saved"),
            Err(e) => Failure::from_core(
                e,
                &[("first_name", "first_name"), ("last_name", "last_name")],
            ),
        }
    };
    posted.fail(&state, &mut page, &failure).await
}

pub async fn password(State(state): State<AppState>, mut page: Page, form: PageForm) -> Response {
    let posted = match signed_in_form(&state, &mut page, &form, Section::Password).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let failure = {
        let result = match form.get("new_password") {
            None => Err(CoreError::missing("new_password")),
            Some(new) => {
                me::change_password(
                    &state,
                    &page.browser.ctx,
                    &posted.session,
                    form.get("current_password").map(str::to_owned),
                    new.to_owned(),
                    form.checked("sign_out_of_other_sessions"),
                )
                .await
            }
        };
        match result {
            Ok(_) => return page.redirect_page("/user?notice=password_changed"),
            // The current password was wrong (its error names `password`, as on the API).
            Err(CoreError::PasswordIncorrect) => Failure::from_core(
                CoreError::PasswordIncorrect,
                &[("password", "current_password")],
            ),
            Err(e) => Failure::from_core(
                e,
                &[
                    ("password", "new_password"),
                    ("new_password", "new_password"),
                    ("current_password", "current_password"),
                ],
            ),
        }
    };
    posted.fail(&state, &mut page, &failure).await
}

/// Ends one of the user's sessions on another device (or this one: then this is a sign-out).
pub async fn sign_out_device(
    State(state): State<AppState>,
    mut page: Page,
    form: PageForm,
) -> Response {
    let posted = match signed_in_form(&state, &mut page, &form, Section::Devices).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let failure = {
        let id = form.trimmed("session_id").to_owned();
        if id == posted.session.id {
            return sign_out_now(&state, &mut page).await;
        }
        // A malformed id names none of the user's sessions.
        let result = match SessionId::parse(&id) {
            Ok(id) => {
                devices::sign_out_device(&state, &page.browser.ctx, &posted.session, &id).await
            }
            Err(_) => Err(usher_core::CoreError::NotFound {
                resource: "session",
            }),
        };
        match result {
            Ok(_) => return page.redirect_page("/user?notice=device_signed_out#devices"),
            Err(e) => Failure::from_core(e, &[]),
        }
    };
    posted.fail(&state, &mut page, &failure).await
}

async fn sign_out_now(state: &AppState, page: &mut Page) -> Response {
    let to = page
        .redirect_target()
        .unwrap_or_else(|| page.path("/sign-in?notice=signed_out"));
    if page.browser.client.is_none() {
        return page.redirect(&to);
    }
    match clients::sign_out(state, &page.browser.ctx, &page.browser.key).await {
        Ok(client) => page.redirect_with_client(state, client, &to).await,
        Err(e) => page.failure_page(state, e),
    }
}

/// `POST /sign-out`: ends every session of this browser's client.
pub async fn sign_out(State(state): State<AppState>, mut page: Page, form: PageForm) -> Response {
    if page.csrf_ok(&state, &form) {
        return sign_out_now(&state, &mut page).await;
    }
    let csrf = page.csrf(&state);
    let mut h = Html::new();
    general_alert(&mut h, Some(&Failure::forged()));
    html::form_open(&mut h, &page.link("/sign-out"), &csrf, Some("Sign out"));
    html::submit_and_close(&mut h, "Sign out");
    page.html(StatusCode::FORBIDDEN, "Sign out", false, h)
}
