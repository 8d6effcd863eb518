//! The emails and text messages the instance sent, newest first, filtered by recipient and
//! status, paged, each with its body shown as text (escaped; the HTML part is never rendered).
//!
//! One-time codes are masked on production instances: an operator reading the list must not be
//! able to complete a user's sign-in or verification with them. On a development instance the
//! codes are shown, as the Backend API's `/v1/emails` shows them to the developer.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use usher_core::clock::Millis;
use usher_core::instance::Environment;
use usher_core::mail::{EmailMessage, EmailStatus};
use usher_core::sms::SmsMessage;

use super::view::{self, Html, PAGE_SIZE};
use super::{Desk, failure};
use crate::state::AppState;

/// What a masked code reads as.
const MASK: &str = "••••••";

/// `text` with the message's one-time code masked, unless the instance is in development.
fn masked(state: &AppState, text: &str, data: Option<&Value>) -> String {
    if state.instance.environment == Environment::Development {
        return text.to_owned();
    }
    match data.and_then(|d| d.get("otp_code")).and_then(Value::as_str) {
        Some(code) if !code.is_empty() => text.replace(code, MASK),
        _ => text.to_owned(),
    }
}

fn filters(h: &mut Html, action: &str, to_label: &str, to: &str, status: &str, options: &[&str]) {
    view::search_form(h, action);
    view::Field::new("to", to_label, "search")
        .value(to)
        .optional()
        .render(h);
    h.open("div", &[("class", Some("field"))])
        .el("label", &[("for", Some("f-status"))], "Status")
        .open(
            "select",
            &[("id", Some("f-status")), ("name", Some("status"))],
        )
        .el("option", &[("value", Some(""))], "Any");
    for o in options {
        h.el(
            "option",
            &[
                ("value", Some(o)),
                ("selected", (*o == status).then_some("")),
            ],
            o,
        );
    }
    h.close("select").close("div");
    h.el("button", &[("type", Some("submit"))], "Filter")
        .close("form");
}

fn note(h: &mut Html, state: &AppState) {
    let text = if state.instance.environment == Environment::Development {
        "A development instance: one-time codes are shown."
    } else {
        "One-time codes are masked on a production instance."
    };
    h.el("p", &[("class", Some("hint"))], text);
}

pub async fn emails(State(state): State<AppState>, desk: Desk, RawQuery(q): RawQuery) -> Response {
    let nav = desk.nav(&state);
    let params = view::params(q.as_deref());
    let to = params.get("to").map(|s| s.trim()).unwrap_or("");
    let status_raw = params.get("status").map(String::as_str).unwrap_or("");
    let status = EmailStatus::parse(status_raw);
    let offset = view::offset(params.get("offset").map(String::as_str));
    let found = state
        .store
        .emails_sent(
            &state.instance.id,
            (!to.is_empty()).then_some(to),
            status,
            PAGE_SIZE,
            offset,
        )
        .await;
    let (messages, total) = match found {
        Ok(r) => r,
        Err(e) => return failure(Some(&nav), e.into()),
    };
    let mut h = Html::new();
    view::link_para(&mut h, "/dashboard/sms", "Text messages sent");
    note(&mut h, &state);
    let shown_status = status.map_or("", EmailStatus::as_str);
    filters(
        &mut h,
        "/dashboard/emails",
        "Recipient",
        to,
        shown_status,
        &["queued", "sent", "logged", "failed"],
    );
    let shown = Shown {
        path: "/dashboard/emails",
        to,
        status: shown_status,
        offset,
        total,
    };
    shown.messages(&mut h, &messages, "No emails match.", |h, m| {
        email(h, &state, m)
    });
    view::page(StatusCode::OK, "Emails sent", Some(&nav), h)
}

fn email(h: &mut Html, state: &AppState, m: &EmailMessage) {
    Message {
        heading: &masked(state, &m.subject, Some(&m.data)),
        facts: &[
            ("To", &m.to_email_address),
            ("Status", m.status.as_str()),
            ("Template", &m.slug),
        ],
        created_at: m.created_at,
        last_error: m.last_error.as_deref(),
        body: &masked(state, &m.body_plain, Some(&m.data)),
    }
    .render(h);
}

pub async fn sms(State(state): State<AppState>, desk: Desk, RawQuery(q): RawQuery) -> Response {
    let nav = desk.nav(&state);
    let params = view::params(q.as_deref());
    let to = params.get("to").map(|s| s.trim()).unwrap_or("");
    let status = params
        .get("status")
        .map(String::as_str)
        .filter(|s| ["queued", "sent", "failed"].contains(s))
        .unwrap_or("");
    let offset = view::offset(params.get("offset").map(String::as_str));
    let found = state
        .store
        .sms_sent(
            &state.instance.id,
            (!to.is_empty()).then_some(to),
            (!status.is_empty()).then_some(status),
            PAGE_SIZE,
            offset,
        )
        .await;
    let (messages, total) = match found {
        Ok(r) => r,
        Err(e) => return failure(Some(&nav), e.into()),
    };
    let mut h = Html::new();
    view::link_para(&mut h, "/dashboard/emails", "Emails sent");
    note(&mut h, &state);
    h.el(
        "p",
        &[("class", Some("hint"))],
        "The status filter applies to texts sent through the SMS provider.",
    );
    filters(
        &mut h,
        "/dashboard/sms",
        "Phone number",
        to,
        status,
        &["queued", "sent", "failed"],
    );
    let shown = Shown {
        path: "/dashboard/sms",
        to,
        status,
        offset,
        total,
    };
    shown.messages(&mut h, &messages, "No text messages match.", |h, m| {
        text_message(h, &state, m)
    });
    view::page(StatusCode::OK, "Text messages sent", Some(&nav), h)
}

fn text_message(h: &mut Html, state: &AppState, m: &SmsMessage) {
    let data = Value::Object(m.data.clone());
    Message {
        heading: &m.to_phone_number,
        facts: &[("Status", &m.status), ("Template", &m.slug)],
        created_at: m.created_at,
        last_error: m.last_error.as_deref(),
        body: &masked(state, &m.message, Some(&data)),
    }
    .render(h);
}

/// One sent message as both lists show it: its heading, its facts, when it was made, its last
/// error if any, and its body as text.
struct Message<'a> {
    heading: &'a str,
    facts: &'a [(&'a str, &'a str)],
    created_at: Millis,
    last_error: Option<&'a str>,
    body: &'a str,
}

impl Message<'_> {
    fn render(&self, h: &mut Html) {
        h.open("article", &[("class", Some("message"))])
            .el("h2", &[], self.heading)
            .open("dl", &[]);
        for (term, value) in self.facts {
            h.el("dt", &[], term).el("dd", &[], value);
        }
        h.el("dt", &[], "Created").open("dd", &[]);
        view::time(h, Some(self.created_at));
        h.close("dd");
        if let Some(e) = self.last_error {
            h.el("dt", &[], "Last error").el("dd", &[], e);
        }
        h.close("dl").el("pre", &[], self.body).close("article");
    }
}

/// One page of a list of sent messages, with the filters it was asked for (kept by its pager).
struct Shown<'a> {
    path: &'a str,
    to: &'a str,
    status: &'a str,
    offset: i64,
    total: i64,
}

impl Shown<'_> {
    /// Each message (or `empty` when none matched), then the links to the pages around.
    fn messages<M>(&self, h: &mut Html, messages: &[M], empty: &str, one: impl Fn(&mut Html, &M)) {
        for m in messages {
            one(h, m);
        }
        if messages.is_empty() {
            h.el("p", &[], empty);
        }
        view::pager(h, self.offset, messages.len(), self.total, |o| {
            let o = o.to_string();
            format!(
                "{}?{}",
                self.path,
                view::query(&[("to", self.to), ("status", self.status), ("offset", &o)])
            )
        });
    }
}
