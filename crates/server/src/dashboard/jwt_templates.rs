//! JWT templates: the list; a template's page with its edit form (claims JSON, lifetime, clock
//! skew; a refusal shown beside its field) and a live preview for a chosen user, rendered by the
//! code the token endpoint mints with and shown as decoded claims; and the session token
//! template with its budget meter (the worst case of its custom claims against the 1.2 KB the
//! tokens code allows). Saves run the Backend API's use cases, audited as the operator.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};
use usher_core::ids::{ClientId, JwtTemplateId, SessionId};
use usher_core::jwt_templates::render::{TokenRequest, claims_json, context};
use usher_core::jwt_templates::session_claims::{self as rules, BUDGET_BYTES};
use usher_core::jwt_templates::{JwtTemplate, TemplateInput};
use usher_core::sessions::{Session, SessionStatus};
use usher_core::users::User;
use usher_core::users::query::Page;
use usher_core::{CoreError, CoreResult};

use super::admin::may_configure;
use super::users::user_of;
use super::view::{self, Html, Nav};
use super::{Desk, failure, redirect};
use crate::app::{jwt_templates as app, session_claims};
use crate::error::ApiError;
use crate::pages::PageForm;
use crate::state::AppState;
use crate::wire::users::DEFAULT_AVATAR;

const ROOT: &str = "/dashboard/jwt-templates";
const SESSION_PAGE: &str = "/dashboard/jwt-templates/session";

fn template_id(raw: &str) -> CoreResult<JwtTemplateId> {
    JwtTemplateId::parse(raw).map_err(|_| CoreError::NotFound {
        resource: app::JWT_TEMPLATE,
    })
}

fn pretty(v: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// A refused value's message (shown beside the form), or `None` for another failure.
pub(super) fn refusal(e: &CoreError) -> Option<String> {
    matches!(
        e,
        CoreError::ParamValueInvalid { .. }
            | CoreError::ParamFormatInvalid { .. }
            | CoreError::ParamMissing { .. }
            | CoreError::IdentifierExists { .. }
            | CoreError::KeyTaken { .. }
    )
    .then(|| ApiError::from(e.clone()).detail.long_message.clone())
}

pub(super) fn textarea(
    h: &mut Html,
    name: &'static str,
    label: &str,
    value: &str,
    error: Option<&str>,
) {
    let id = format!("f-{name}");
    let error_id = format!("{id}-error");
    h.open("div", &[("class", Some("field"))])
        .el("label", &[("for", Some(&id))], label)
        .open(
            "textarea",
            &[
                ("id", Some(&id)),
                ("name", Some(name)),
                ("rows", Some("10")),
                ("spellcheck", Some("false")),
                ("aria-invalid", error.is_some().then_some("true")),
                ("aria-describedby", error.is_some().then_some(&error_id)),
            ],
        )
        .text(value)
        .close("textarea");
    if let Some(e) = error {
        view::field_error(h, &error_id, e);
    }
    h.close("div");
}

pub async fn list(State(state): State<AppState>, desk: Desk) -> Response {
    let nav = desk.nav(&state);
    let page = Page {
        limit: 100,
        offset: 0,
    };
    let (templates, total) = match app::list(&state, &page).await {
        Ok(r) => r,
        Err(e) => return failure(Some(&nav), e),
    };
    let mut h = Html::new();
    view::link_para(
        &mut h,
        SESSION_PAGE,
        "Session token template and its budget",
    );
    h.el("h2", &[], &format!("Templates ({total})"));
    if templates.is_empty() {
        h.el("p", &[], "No JWT templates.");
    }
    h.open("ul", &[]);
    for t in &templates {
        let href = format!("{ROOT}/{}", t.id);
        h.open("li", &[])
            .el("a", &[("href", Some(&href))], &t.name)
            .text(&format!(
                " — lifetime {} s, clock skew {} s",
                t.lifetime, t.allowed_clock_skew
            ))
            .close("li");
    }
    h.close("ul");
    view::page(StatusCode::OK, "JWT templates", Some(&nav), h)
}

/// What the edit form shows: the stored template, or the values a refused save sent.
struct Draft {
    name: String,
    claims: String,
    lifetime: String,
    skew: String,
}

impl Draft {
    fn of(t: &JwtTemplate) -> Self {
        Draft {
            name: t.name.clone(),
            claims: pretty(&t.claims),
            lifetime: t.lifetime.to_string(),
            skew: t.allowed_clock_skew.to_string(),
        }
    }

    fn sent(form: &PageForm) -> Self {
        Draft {
            name: form.trimmed("name").to_owned(),
            claims: form.get("claims").unwrap_or("").to_owned(),
            lifetime: form.trimmed("lifetime").to_owned(),
            skew: form.trimmed("allowed_clock_skew").to_owned(),
        }
    }

    fn input(&self) -> CoreResult<TemplateInput> {
        let claims: Value = serde_json::from_str(&self.claims)
            .map_err(|e| CoreError::format("claims", format!("must be JSON: {e}")))?;
        let number = |field: &str, raw: &str| {
            raw.parse::<i64>()
                .map_err(|_| CoreError::format(field, "must be a whole number of seconds"))
        };
        Ok(TemplateInput {
            name: self.name.clone(),
            claims,
            lifetime: Some(number("lifetime", &self.lifetime)?),
            allowed_clock_skew: Some(number("allowed_clock_skew", &self.skew)?),
            custom_signing_key: None,
            signing_algorithm: None,
            signing_key: None,
        })
    }
}

/// A session of no device, for a preview: template claims read only its actor.
fn preview_session(user: &User, now: i64) -> Session {
    Session {
        id: SessionId::new(),
        version: 0,
        client_id: ClientId::new(),
        user_id: user.id.clone(),
        status: SessionStatus::Active,
        last_active_organization_id: None,
        actor: None,
        last_active_at: now,
        expire_at: now,
        abandon_at: now,
        first_factor_verified_at: now,
        second_factor_verified_at: None,
        user_agent: None,
        ip_address: None,
        created_at: now,
        updated_at: now,
    }
}

/// The claims a token from `t` would carry for `user`, by the renderer the token endpoint uses.
fn preview(state: &AppState, t: &JwtTemplate, user: &User) -> CoreResult<Value> {
    let now = state.now();
    let session = preview_session(user, now);
    let ctx = context(user, DEFAULT_AVATAR, None, &session);
    let issuer = state.instance.issuer();
    let bytes = claims_json(&TokenRequest {
        template: t,
        context: &ctx,
        issuer: &issuer,
        subject: &user.id,
        authorized_party: None,
        lifetime_override: None,
        now,
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| CoreError::Crypto(format!("the rendered claims are not JSON: {e}")))
}

pub async fn show(
    State(state): State<AppState>,
    desk: Desk,
    Path(raw_id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let nav = desk.nav(&state);
    let params = view::params(q.as_deref());
    let t = match async { app::get(&state, &template_id(&raw_id)?).await }.await {
        Ok(t) => t,
        Err(e) => return failure(Some(&nav), e),
    };
    let user_id = params.get("user_id").map(|u| u.trim()).unwrap_or("");
    let previewed = if user_id.is_empty() {
        None
    } else {
        Some(
            async {
                let user = user_of(&state, user_id).await?;
                preview(&state, &t, &user)
            }
            .await,
        )
    };
    let done = params.get("done").is_some_and(|d| d == "saved");
    render(
        &nav,
        &t,
        &Draft::of(&t),
        None,
        done,
        user_id,
        previewed,
        StatusCode::OK,
    )
}

#[allow(clippy::too_many_arguments)]
fn render(
    nav: &Nav,
    t: &JwtTemplate,
    draft: &Draft,
    refused: Option<&str>,
    done: bool,
    user_id: &str,
    previewed: Option<CoreResult<Value>>,
    status: StatusCode,
) -> Response {
    let mut h = Html::new();
    if done {
        view::notice(&mut h, "The template is saved.");
    }
    if let Some(message) = refused {
        view::alert(&mut h, message);
    }
    let action = format!("{ROOT}/{}", t.id);
    view::form_open(&mut h, &action, &nav.csrf, Some("Edit the template"));
    view::Field::new("name", "Name", "text")
        .value(&draft.name)
        .render(&mut h);
    textarea(&mut h, "claims", "Claims (JSON)", &draft.claims, refused);
    view::Field::new("lifetime", "Lifetime (seconds)", "text")
        .value(&draft.lifetime)
        .render(&mut h);
    view::Field::new("allowed_clock_skew", "Allowed clock skew (seconds)", "text")
        .value(&draft.skew)
        .render(&mut h);
    h.el("button", &[("type", Some("submit"))], "Save")
        .close("form");

    h.el("h2", &[], "Preview");
    h.open(
        "form",
        &[
            ("method", Some("get")),
            ("action", Some(&action)),
            ("class", Some("filters")),
        ],
    );
    view::Field::new("user_id", "User id", "text")
        .value(user_id)
        .hint("The claims a token from the saved template would carry for this user.")
        .render(&mut h);
    h.el("button", &[("type", Some("submit"))], "Preview")
        .close("form");
    match previewed {
        Some(Ok(claims)) => {
            h.el("pre", &[("id", Some("preview"))], &pretty(&claims));
        }
        Some(Err(e)) => {
            view::alert(&mut h, &ApiError::from(e).detail.long_message);
        }
        None => {}
    }
    view::page(status, &format!("JWT template {}", t.name), Some(nav), h)
}

pub async fn save(
    State(state): State<AppState>,
    desk: Desk,
    Path(raw_id): Path<String>,
    form: PageForm,
) -> Response {
    let nav = match may_configure(&desk, &state, &form) {
        Ok(nav) => nav,
        Err(refused) => return *refused,
    };
    let t = match async { app::get(&state, &template_id(&raw_id)?).await }.await {
        Ok(t) => t,
        Err(e) => return failure(Some(&nav), e),
    };
    let draft = Draft::sent(&form);
    let saved = match draft.input() {
        Ok(input) => app::update(&state, &desk.ctx, &t.id, input).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(t) => redirect(&format!("{ROOT}/{}?done=saved", t.id)),
        Err(e) => match refusal(&e) {
            Some(message) => render(
                &nav,
                &t,
                &draft,
                Some(&message),
                false,
                "",
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            None => failure(Some(&nav), e),
        },
    }
}

/// The session token template with its budget: the worst case of the custom claims, as the
/// save rules compute it.
pub async fn session_page(
    State(state): State<AppState>,
    desk: Desk,
    RawQuery(q): RawQuery,
) -> Response {
    let nav = desk.nav(&state);
    let t = match session_claims::get(&state).await {
        Ok(t) => t,
        Err(e) => return failure(Some(&nav), e),
    };
    let done = view::params(q.as_deref())
        .get("done")
        .is_some_and(|d| d == "saved");
    let text = pretty(&t.claims);
    session_render(&nav, &t.claims, &text, None, done, StatusCode::OK)
}

fn session_render(
    nav: &Nav,
    stored: &Map<String, Value>,
    text: &str,
    refused: Option<&str>,
    done: bool,
    status: StatusCode,
) -> Response {
    let worst = rules::validate(&Value::Object(stored.clone()))
        .map(|(_, n)| n)
        .unwrap_or(0);
    let mut h = Html::new();
    if done {
        view::notice(&mut h, "The session token template is saved.");
    }
    if let Some(message) = refused {
        view::alert(&mut h, message);
    }
    h.el("h2", &[], "Budget");
    let (value, max) = (worst.to_string(), BUDGET_BYTES.to_string());
    let high = (BUDGET_BYTES * 3 / 4).to_string();
    h.open("p", &[])
        .el(
            "label",
            &[("for", Some("budget"))],
            "Custom claims, worst case",
        )
        .el(
            "meter",
            &[
                ("id", Some("budget")),
                ("min", Some("0")),
                ("max", Some(&max)),
                ("high", Some(&high)),
                ("value", Some(&value)),
            ],
            &format!("{worst} of {BUDGET_BYTES} bytes"),
        )
        .text(&format!(" {worst} of {BUDGET_BYTES} bytes"))
        .close("p");
    h.el(
        "p",
        &[("class", Some("hint"))],
        "Every session token carries these claims in the __session cookie, which browsers cap at about 4 KB: a save that could exceed the budget is refused.",
    );
    view::form_open(
        &mut h,
        SESSION_PAGE,
        &nav.csrf,
        Some("Session token template"),
    );
    textarea(&mut h, "claims", "Claims (JSON)", text, refused);
    h.el("button", &[("type", Some("submit"))], "Save")
        .close("form");
    view::page(status, "Session token template", Some(nav), h)
}

pub async fn session_save(State(state): State<AppState>, desk: Desk, form: PageForm) -> Response {
    let nav = match may_configure(&desk, &state, &form) {
        Ok(nav) => nav,
        Err(refused) => return *refused,
    };
    let text = form.get("claims").unwrap_or("{}");
    let saved = match serde_json::from_str::<Value>(text) {
        Ok(claims) => session_claims::update(&state, &desk.ctx, &claims).await,
        Err(e) => Err(CoreError::format("claims", format!("must be JSON: {e}"))),
    };
    match saved {
        Ok(_) => redirect(&format!("{SESSION_PAGE}?done=saved")),
        Err(e) => match refusal(&e) {
            Some(message) => {
                let stored = session_claims::get(&state)
                    .await
                    .map(|t| t.claims)
                    .unwrap_or_default();
                session_render(
                    &nav,
                    &stored,
                    text,
                    Some(&message),
                    false,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
            }
            None => failure(Some(&nav), e),
        },
    }
}
