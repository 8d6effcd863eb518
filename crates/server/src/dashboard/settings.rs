//! The instance's settings: every policy setting with its effective value, where it comes from
//! (`default`, `database` or this node's `flag`), what it does in one line and Usher's safe
//! default, each with a form to change it or to follow the default again; and the application
//! name the hosted pages and emails show. Changes go through the use cases of `PATCH
//! /v1/instance/settings` and `PATCH /v1/instance/branding` (validated as a whole, audited, held
//! by this server at once and reloaded by the others); a refused value is shown beside its field.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use usher_core::CoreError;
use usher_core::branding::BrandingPatch;
use usher_core::instance::InstanceSettings;
use usher_core::instance_settings::{self, SettingsPatch, Source};

use super::admin::may_configure;
use super::view::{self, Html, Nav};
use super::{Desk, failure, redirect};
use crate::app::{instance as branding_app, instance_settings as app};
use crate::error::ApiError;
use crate::pages::PageForm;
use crate::state::AppState;

/// What a setting does, in one line.
fn explain(key: &str) -> &'static str {
    match key {
        "session_token_lifetime_secs" => "How long a session token (JWT) is valid.",
        "session_max_lifetime_ms" => "How long a session lives at most, however active.",
        "session_inactivity_ms" => "A session unused for this long ends.",
        "lockout_duration_secs" => {
            "How long an account stays locked after too many failed attempts."
        }
        "max_verification_attempts" => "Failed password or code attempts before the account locks.",
        "password_min_length" => "Shortest password accepted.",
        "password_max_length" => "Longest password accepted.",
        "password_required" => "Creating a user through the Backend API needs a password.",
        "reject_breached_passwords" => {
            "Passwords on the list of common breached passwords are refused."
        }
        "client_trust" => "A password sign-in on a new device is confirmed by an emailed code.",
        "sign_out_other_sessions_on_security_change" => {
            "A password change or MFA enrolment signs the user's other sessions out."
        }
        "enumeration_protection" => "Sign-in does not reveal whether an account exists.",
        "organizations_enabled" => "Organizations on the Frontend API.",
        "organization_max_allowed_memberships" => {
            "Member limit of organizations users create (0: none)."
        }
        "organization_admin_delete" => "Organization admins may delete their organization.",
        "organization_domains_enabled" => "Verified organization domains on the Frontend API.",
        "force_organization_selection" => "Every session needs an active organization.",
        "allowed_origins" => "Web origins whose pages may call the Frontend API with credentials.",
        "degraded_mode_enabled" => {
            "Session tokens are minted from memory while the database is down."
        }
        "degraded_mode_window_secs" => "How long a session may be served from memory.",
        "degraded_mode_db_timeout_ms" => "A database read slower than this counts as an outage.",
        "retention_events_days" => "Days events are kept (0: forever).",
        "retention_webhook_deliveries_days" => {
            "Days finished webhook deliveries are kept (0: forever)."
        }
        "retention_emails_days" => "Days emails are kept (0: forever).",
        "retention_sms_days" => "Days text messages are kept (0: forever).",
        "retention_audit_days" => "Days audit entries are kept (0: forever).",
        "phone_numbers_enabled" => "Phone numbers as a way to sign up and sign in.",
        "phone_number_required" => "Sign-up needs a phone number.",
        "first_name_field" => "Sign-up asks for a first name: off, optional or required.",
        "last_name_field" => "Sign-up asks for a last name: off, optional or required.",
        "username_field" => "Sign-up asks for a username: off, optional or required.",
        "legal_consent_enabled" => "Sign-up needs the terms and privacy policy accepted.",
        _ => "",
    }
}

/// A value as the form shows and takes it: lists comma-separated.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// The refusal to show beside a field: the key it names and the message.
struct Refusal {
    key: String,
    message: String,
}

/// A value refused (shown beside its field), or `None` for another failure.
fn refusal(key: &str, e: &CoreError) -> Option<Refusal> {
    matches!(
        e,
        CoreError::ParamValueInvalid { .. }
            | CoreError::ParamFormatInvalid { .. }
            | CoreError::ParamMissing { .. }
    )
    .then(|| Refusal {
        key: key.to_owned(),
        message: ApiError::from(e.clone()).detail.long_message.clone(),
    })
}

pub async fn page(State(state): State<AppState>, desk: Desk, RawQuery(q): RawQuery) -> Response {
    let nav = desk.nav(&state);
    let params = view::params(q.as_deref());
    let done = params.get("done").is_some_and(|d| d == "saved");
    render(&state, &nav, done, None, StatusCode::OK).await
}

async fn render(
    state: &AppState,
    nav: &Nav,
    done: bool,
    refused: Option<&Refusal>,
    status: StatusCode,
) -> Response {
    let found = async {
        let resolved = app::get(state).await?;
        let branding = branding_app::branding(state).await?;
        Ok::<_, CoreError>((resolved, branding))
    };
    let (resolved, branding) = match found.await {
        Ok(r) => r,
        Err(e) => return failure(Some(nav), e),
    };
    let defaults = match serde_json::to_value(InstanceSettings::default()) {
        Ok(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    let error_for = |key: &str| refused.filter(|r| r.key == key).map(|r| r.message.as_str());
    let mut h = Html::new();
    if done {
        view::notice(
            &mut h,
            "The setting is saved. Every node picks it up at its next refresh.",
        );
    }
    if refused.is_some() {
        view::alert(
            &mut h,
            "The change was refused: nothing was saved. See the field below.",
        );
    }
    h.el("h2", &[], "Application name");
    if nav.configure {
        view::form_open(
            &mut h,
            "/dashboard/settings",
            &nav.csrf,
            Some("Application name"),
        );
        hidden(&mut h, "key", "application_name");
        view::Field::new("value", "Application name", "text")
            .value(branding.application_name())
            .hint("Shown on the hosted pages, in emails and by clerk-js.")
            .error(error_for("application_name"))
            .render(&mut h);
        h.el("button", &[("type", Some("submit"))], "Save")
            .close("form");
    } else {
        h.el("p", &[], branding.application_name());
    }

    h.el("h2", &[], "Policy settings");
    let mut columns = vec!["Setting", "Value", "Source", "Safe default"];
    if nav.configure {
        columns.push("Change");
    }
    view::table_start(&mut h, Some("Instance settings"), &columns);
    for key in instance_settings::keys() {
        let Some((value, source)) = resolved.get(&key) else {
            continue;
        };
        let default = defaults.get(&key).cloned().unwrap_or(Value::Null);
        let is_default = value == default;
        h.open("tr", &[("id", Some(&format!("setting-{key}")))])
            .open("th", &[("scope", Some("row"))])
            .el("code", &[], &key)
            .el("p", &[("class", Some("hint"))], explain(&key))
            .close("th")
            .el("td", &[], &shown(&value))
            .el("td", &[], source.as_str())
            .open("td", &[]);
        if is_default {
            h.el("strong", &[("class", Some("default"))], &shown(&default))
                .el("span", &[("class", Some("badge"))], "in effect");
        } else {
            h.text(&shown(&default));
        }
        h.close("td");
        if nav.configure {
            h.open("td", &[]);
            setting_form(&mut h, nav, &key, &shown(&value), source, error_for(&key));
            h.close("td");
        }
        h.close("tr");
    }
    view::table_end(&mut h);
    view::page(status, "Settings", Some(nav), h)
}

fn hidden(h: &mut Html, name: &'static str, value: &str) {
    h.open(
        "input",
        &[
            ("type", Some("hidden")),
            ("name", Some(name)),
            ("value", Some(value)),
        ],
    );
}

fn setting_form(
    h: &mut Html,
    nav: &Nav,
    key: &str,
    value: &str,
    source: Source,
    error: Option<&str>,
) {
    let id = format!("s-{key}");
    let error_id = format!("{id}-error");
    view::form_open(h, "/dashboard/settings", &nav.csrf, Some(key));
    hidden(h, "key", key);
    h.el("label", &[("for", Some(&id)), ("class", Some("skip"))], key)
        .open(
            "input",
            &[
                ("id", Some(&id)),
                ("name", Some("value")),
                ("type", Some("text")),
                ("value", Some(value)),
                ("aria-invalid", error.is_some().then_some("true")),
                ("aria-describedby", error.is_some().then_some(&error_id)),
                ("spellcheck", Some("false")),
            ],
        );
    if let Some(e) = error {
        view::field_error(h, &error_id, e);
    }
    h.open("div", &[("class", Some("actions"))]);
    h.el("button", &[("type", Some("submit"))], "Save");
    if source == Source::Database {
        h.el(
            "button",
            &[
                ("type", Some("submit")),
                ("name", Some("reset")),
                ("value", Some("true")),
            ],
            "Use default",
        );
    }
    h.close("div").close("form");
}

pub async fn save(State(state): State<AppState>, desk: Desk, form: PageForm) -> Response {
    let nav = match may_configure(&desk, &state, &form) {
        Ok(nav) => nav,
        Err(refused) => return *refused,
    };
    let key = form.trimmed("key").to_owned();
    let value = form.get("value").unwrap_or("");
    let result = if key == "application_name" {
        let patch = BrandingPatch {
            application_name: Some(Some(value.trim().to_owned())),
            ..BrandingPatch::default()
        };
        branding_app::update_branding(&state, &desk.ctx, &patch)
            .await
            .map(|_| ())
    } else {
        let parsed = if form.checked("reset") {
            Ok(None)
        } else {
            instance_settings::parse_value(&key, value).map(Some)
        };
        match parsed {
            Ok(v) => {
                let patch: SettingsPatch = [(key.clone(), v)].into_iter().collect();
                app::update(&state, &desk.ctx, &patch).await.map(|_| ())
            }
            Err(e) => Err(e),
        }
    };
    match result {
        Ok(()) => redirect("/dashboard/settings?done=saved"),
        Err(e) => match refusal(&key, &e) {
            Some(r) => {
                render(
                    &state,
                    &nav,
                    false,
                    Some(&r),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => failure(Some(&nav), e),
        },
    }
}
