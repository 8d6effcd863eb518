//! The forms that write a user's fields: its three metadata objects edited as JSON (each must be
//! a JSON object; a bad one is refused inline with the parser's message and nothing is saved),
//! and a new user (email address, optional password, names).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use usher_core::operators::Action;
use usher_core::users::User;
use usher_core::users::create::NewUser;
use usher_core::users::model::Metadata;

use super::admin::may_act;
use super::users::{display_name, user_of};
use super::view::{self, Field, Html, Nav};
use super::{Desk, failure, forbidden, redirect};
use crate::app::users::{self as app, MetadataChange};
use crate::error::ApiError;
use crate::pages::PageForm;
use crate::state::AppState;

/// The metadata fields: form name, label, what the user's browser sees of it.
const METADATA: [(&str, &str, &str); 3] = [
    (
        "public_metadata",
        "Public metadata",
        "Readable by the user's browser and in session tokens; written only here and by the Backend API.",
    ),
    (
        "private_metadata",
        "Private metadata",
        "Never leaves the Backend API.",
    ),
    (
        "unsafe_metadata",
        "Unsafe metadata",
        "The user's browser may read and write it.",
    ),
];

fn pretty(m: &Metadata) -> String {
    serde_json::to_string_pretty(m).unwrap_or_else(|_| "{}".into())
}

/// A JSON object from a textarea (empty: `{}`), or why not.
pub fn parse_object(raw: &str) -> Result<Metadata, String> {
    if raw.trim().is_empty() {
        return Ok(Metadata::new());
    }
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(serde_json::Value::Object(m)) => Ok(m),
        Ok(_) => Err("Must be a JSON object, like {\"plan\": \"pro\"}.".into()),
        Err(e) => Err(format!("Not valid JSON: {e}.")),
    }
}

/// One labelled textarea with its hint and, when refused, its error (announced).
fn textarea(h: &mut Html, name: &str, label: &str, hint: &str, value: &str, error: Option<&str>) {
    let id = format!("f-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = match error {
        Some(_) => format!("{hint_id} {error_id}"),
        None => hint_id.clone(),
    };
    h.open("div", &[("class", Some("field"))])
        .el("label", &[("for", Some(&id))], label)
        .el(
            "p",
            &[("class", Some("hint")), ("id", Some(&hint_id))],
            hint,
        );
    if let Some(e) = error {
        h.el(
            "p",
            &[
                ("class", Some("error")),
                ("id", Some(&error_id)),
                ("role", Some("alert")),
            ],
            e,
        );
    }
    h.open(
        "textarea",
        &[
            ("id", Some(&id)),
            ("name", Some(name)),
            ("rows", Some("8")),
            ("spellcheck", Some("false")),
            ("aria-describedby", Some(&described)),
            ("aria-invalid", error.map(|_| "true")),
        ],
    )
    .text(value)
    .close("textarea")
    .close("div");
}

fn metadata_page(
    status: StatusCode,
    nav: &Nav,
    u: &User,
    values: [String; 3],
    errors: [Option<String>; 3],
    alert: Option<&str>,
) -> Response {
    let mut h = Html::new();
    if let Some(a) = alert {
        view::alert(&mut h, a);
    }
    h.el(
        "p",
        &[],
        "Each field is a JSON object and replaces what is stored. Leave one empty for {}.",
    );
    let action = format!("/dashboard/users/{}/metadata", u.id);
    view::form_open(&mut h, &action, &nav.csrf, Some("Metadata"));
    for (i, (name, label, hint)) in METADATA.iter().enumerate() {
        textarea(&mut h, name, label, hint, &values[i], errors[i].as_deref());
    }
    h.el("button", &[("type", Some("submit"))], "Save metadata")
        .close("form");
    let back = format!("/dashboard/users/{}", u.id);
    view::link_para(&mut h, &back, "Cancel");
    let title = format!("Metadata of {}", display_name(u));
    view::page(status, &title, Some(nav), h)
}

pub async fn metadata_form(
    State(state): State<AppState>,
    desk: Desk,
    Path(user_id): Path<String>,
) -> Response {
    let nav = desk.nav(&state);
    if !desk.may(Action::Edit) {
        return forbidden(&nav);
    }
    let u = match user_of(&state, &user_id).await {
        Ok(u) => u,
        Err(e) => return failure(Some(&nav), e),
    };
    let values = [
        pretty(&u.public_metadata),
        pretty(&u.private_metadata),
        pretty(&u.unsafe_metadata),
    ];
    metadata_page(StatusCode::OK, &nav, &u, values, Default::default(), None)
}

pub async fn metadata_submit(
    State(state): State<AppState>,
    desk: Desk,
    Path(user_id): Path<String>,
    form: PageForm,
) -> Response {
    let nav = match may_act(&desk, &state, &form, Action::Edit) {
        Ok(nav) => nav,
        Err(refused) => return *refused,
    };
    let u = match user_of(&state, &user_id).await {
        Ok(u) => u,
        Err(e) => return failure(Some(&nav), e),
    };
    let values = METADATA.map(|(name, _, _)| form.get(name).unwrap_or("").to_owned());
    let parsed: Vec<Result<Metadata, String>> = values.iter().map(|v| parse_object(v)).collect();
    if parsed.iter().any(Result::is_err) {
        let errors = [0, 1, 2].map(|i| parsed[i].as_ref().err().cloned());
        return metadata_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &nav,
            &u,
            values,
            errors,
            Some("Nothing was saved: correct the metadata marked below."),
        );
    }
    let mut objects = parsed.into_iter().flatten();
    let change = MetadataChange {
        public: objects.next(),
        private: objects.next(),
        unsafe_: objects.next(),
    };
    match app::update_metadata(&state, &desk.ctx, &u.id, change, false).await {
        Ok(u) => redirect(&format!("/dashboard/users/{}?done=metadata", u.id)),
        Err(e) => {
            let api = ApiError::from(e.clone());
            if api.status.is_client_error() {
                let message = format!("Nothing was saved: {}", api.detail.long_message);
                metadata_page(
                    api.status,
                    &nav,
                    &u,
                    values,
                    Default::default(),
                    Some(&message),
                )
            } else {
                failure(Some(&nav), e)
            }
        }
    }
}

fn new_user_page(
    status: StatusCode,
    nav: &Nav,
    form: Option<&PageForm>,
    alert: Option<&str>,
) -> Response {
    let value = |k: &str| form.map_or("", |f| f.trimmed(k));
    let mut h = Html::new();
    if let Some(a) = alert {
        view::alert(&mut h, a);
    }
    view::form_open(&mut h, "/dashboard/users/new", &nav.csrf, Some("New user"));
    Field::new("email_address", "Email address", "email")
        .value(value("email_address"))
        .autocomplete("off")
        .render(&mut h);
    Field::new("password", "Password", "password")
        .optional()
        .autocomplete("new-password")
        .hint("Optional: without one, the user signs in with a code or a link.")
        .render(&mut h);
    Field::new("first_name", "First name", "text")
        .value(value("first_name"))
        .optional()
        .render(&mut h);
    Field::new("last_name", "Last name", "text")
        .value(value("last_name"))
        .optional()
        .render(&mut h);
    h.el("button", &[("type", Some("submit"))], "Create user")
        .close("form");
    view::link_para(&mut h, "/dashboard/users", "Cancel");
    view::page(status, "New user", Some(nav), h)
}

pub async fn new_form(State(state): State<AppState>, desk: Desk) -> Response {
    let nav = desk.nav(&state);
    if !desk.may(Action::Create) {
        return forbidden(&nav);
    }
    new_user_page(StatusCode::OK, &nav, None, None)
}

pub async fn new_submit(State(state): State<AppState>, desk: Desk, form: PageForm) -> Response {
    let nav = match may_act(&desk, &state, &form, Action::Create) {
        Ok(nav) => nav,
        Err(refused) => return *refused,
    };
    let opt = |k: &str| Some(form.trimmed(k).to_owned()).filter(|v| !v.is_empty());
    let password = form.get("password").map(str::to_owned);
    let input = NewUser {
        email_addresses: opt("email_address").into_iter().collect(),
        first_name: opt("first_name"),
        last_name: opt("last_name"),
        skip_password_requirement: password.is_none(),
        password,
        ..NewUser::default()
    };
    match app::create(&state, &desk.ctx, input).await {
        Ok(u) => redirect(&format!("/dashboard/users/{}?done=create", u.id)),
        Err(e) => {
            let api = ApiError::from(e.clone());
            if api.status.is_client_error() {
                let message = format!("The user was not created: {}", api.detail.long_message);
                new_user_page(api.status, &nav, Some(&form), Some(&message))
            } else {
                failure(Some(&nav), e)
            }
        }
    }
}
