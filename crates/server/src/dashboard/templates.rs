//! Email and SMS templates: the list by type (custom or built-in, delivered or not); a
//! template's page with its edit form (subject and body; an unknown variable refused beside the
//! form), a preview of the draft with sample values, revert after a confirmation, and the
//! delivery switch. Writes run the Backend API's use cases, audited as the operator; support
//! operators see the pages and previews but change nothing.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use usher_core::CoreError;
use usher_core::message_templates::{Template, TemplateType};

use super::admin::{button_form, may_configure};
use super::jwt_templates::{refusal, textarea};
use super::view::{self, Html, Nav};
use super::{Desk, failure, forged, redirect};
use crate::app::message_templates::{self as app, Preview, TemplateInput};
use crate::pages::PageForm;
use crate::state::AppState;

const ROOT: &str = "/dashboard/templates";

fn path_of(t: &Template) -> String {
    format!(
        "{ROOT}/{}/{}",
        t.builtin.template_type.as_str(),
        t.builtin.slug
    )
}

pub async fn list(State(state): State<AppState>, desk: Desk) -> Response {
    let nav = desk.nav(&state);
    let mut h = Html::new();
    for (kind, title) in [("email", "Email"), ("sms", "SMS")] {
        let templates = match app::list(&state, kind).await {
            Ok(t) => t,
            Err(e) => return failure(Some(&nav), e),
        };
        h.el("h2", &[], title);
        view::table_start(&mut h, Some(title), &["Template", "Text", "Delivery"]);
        for t in &templates {
            let href = path_of(t);
            h.open("tr", &[])
                .open("th", &[("scope", Some("row"))])
                .el("a", &[("href", Some(&href))], t.builtin.name)
                .text(" ")
                .el("code", &[], t.builtin.slug)
                .close("th")
                .el("td", &[], if t.is_custom() { "Custom" } else { "Built-in" })
                .el(
                    "td",
                    &[],
                    if t.delivered_by_clerk() {
                        "Sent by Usher"
                    } else {
                        "Webhook only"
                    },
                )
                .close("tr");
        }
        view::table_end(&mut h);
    }
    view::page(StatusCode::OK, "Email and SMS templates", Some(&nav), h)
}

/// What the form shows: the stored text, or what a refused save or a preview sent.
struct Draft {
    subject: String,
    body: String,
}

impl Draft {
    fn of(t: &Template) -> Self {
        Draft {
            subject: t.subject().unwrap_or_default().to_owned(),
            body: t.body().to_owned(),
        }
    }

    fn sent(form: &PageForm) -> Self {
        Draft {
            subject: form.trimmed("subject").to_owned(),
            body: form.get("body").unwrap_or_default().to_owned(),
        }
    }
}

fn done_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "saved" => "The template is saved: messages sent from now on use it.",
        "reverted" => "The template is back to its built-in text.",
        "toggled" => "The delivery setting is saved.",
        _ => return None,
    })
}

async fn template(state: &AppState, kind: &str, slug: &str) -> Result<Template, CoreError> {
    app::get(state, kind, slug).await
}

pub async fn show(
    State(state): State<AppState>,
    desk: Desk,
    Path((kind, slug)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Response {
    let nav = desk.nav(&state);
    let t = match template(&state, &kind, &slug).await {
        Ok(t) => t,
        Err(e) => return failure(Some(&nav), e),
    };
    let params = view::params(q.as_deref());
    let done = params.get("done").and_then(|d| done_text(d));
    render(&nav, &t, &Draft::of(&t), None, done, None, StatusCode::OK)
}

fn render(
    nav: &Nav,
    t: &Template,
    draft: &Draft,
    refused: Option<&str>,
    done: Option<&str>,
    preview: Option<&Preview>,
    status: StatusCode,
) -> Response {
    let b = t.builtin;
    let mut h = Html::new();
    if let Some(text) = done {
        view::notice(&mut h, text);
    }
    if let Some(message) = refused {
        view::alert(&mut h, message);
    }
    h.el(
        "p",
        &[],
        &format!(
            "{} template {} ({}). Variables: {}.",
            b.template_type.as_str().to_uppercase(),
            b.slug,
            if t.is_custom() { "custom" } else { "built-in" },
            b.available_variables
                .iter()
                .map(|v| format!("{{{{{v}}}}}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    let action = path_of(t);
    view::form_open(&mut h, &action, &nav.csrf, Some("Edit the template"));
    if b.template_type == TemplateType::Email {
        view::Field::new("subject", "Subject", "text")
            .value(&draft.subject)
            .render(&mut h);
    }
    let label = if b.template_type == TemplateType::Email {
        "Body (HTML)"
    } else {
        "Message"
    };
    textarea(&mut h, "body", label, &draft.body, refused);
    h.open("div", &[("class", Some("actions"))]).el(
        "button",
        &[
            ("type", Some("submit")),
            ("name", Some("action")),
            ("value", Some("preview")),
        ],
        "Preview",
    );
    if nav.configure {
        h.el(
            "button",
            &[
                ("type", Some("submit")),
                ("name", Some("action")),
                ("value", Some("save")),
            ],
            "Save",
        );
    }
    h.close("div").close("form");

    if let Some(p) = preview {
        h.el("h2", &[], "Preview");
        h.open("div", &[("id", Some("preview"))]);
        if let Some(subject) = &p.rendered.subject {
            h.open("p", &[])
                .el("strong", &[], "Subject: ")
                .el("span", &[("id", Some("preview-subject"))], subject)
                .close("p");
        }
        let text = p.rendered.body_plain.as_deref().unwrap_or(&p.rendered.body);
        h.el("pre", &[("id", Some("preview-body"))], text);
        h.close("div");
    }

    h.el("h2", &[], "Delivery");
    h.el(
        "p",
        &[],
        if t.delivered_by_clerk() {
            "Usher sends these messages."
        } else {
            "Usher does not send these messages: only the webhook (email.created or sms.created) carries them, for the application to send."
        },
    );
    if nav.configure {
        h.open("div", &[("class", Some("actions"))]);
        button_form(
            &mut h,
            &action,
            &nav.csrf,
            &[("action", "toggle")],
            if t.delivered_by_clerk() {
                "Stop sending (webhook only)"
            } else {
                "Send with Usher"
            },
            false,
        );
        if t.is_custom() {
            view::button_link(
                &mut h,
                &format!("{action}/revert"),
                "button danger",
                "Revert to the built-in text…",
            );
        }
        h.close("div");
    }
    view::link_para(&mut h, ROOT, "Back to templates");
    view::page(status, &format!("Template: {}", b.name), Some(nav), h)
}

/// The confirmation before a revert.
pub async fn confirm_revert(
    State(state): State<AppState>,
    desk: Desk,
    Path((kind, slug)): Path<(String, String)>,
) -> Response {
    let nav = desk.nav(&state);
    let t = match template(&state, &kind, &slug).await {
        Ok(t) => t,
        Err(e) => return failure(Some(&nav), e),
    };
    let action = path_of(&t);
    let mut h = Html::new();
    h.el(
        "p",
        &[],
        "The custom subject and body are deleted; messages sent from now on use the built-in text.",
    );
    button_form(
        &mut h,
        &action,
        &nav.csrf,
        &[("action", "revert")],
        "Revert",
        true,
    );
    view::link_para(&mut h, &action, "Cancel");
    view::page(
        StatusCode::OK,
        &format!("Revert {}?", t.builtin.name),
        Some(&nav),
        h,
    )
}

pub async fn act(
    State(state): State<AppState>,
    desk: Desk,
    Path((kind, slug)): Path<(String, String)>,
    form: PageForm,
) -> Response {
    let action = form.trimmed("action").to_owned();
    // A preview writes nothing: any signed-in operator may ask for one.
    let nav = if action == "preview" {
        let nav = desk.nav(&state);
        if !desk.csrf_ok(&state, &form) {
            return forged(Some(&nav));
        }
        nav
    } else {
        match may_configure(&desk, &state, &form) {
            Ok(nav) => nav,
            Err(refused) => return *refused,
        }
    };
    let t = match template(&state, &kind, &slug).await {
        Ok(t) => t,
        Err(e) => return failure(Some(&nav), e),
    };
    let ctx = &desk.ctx;
    let is_email = t.builtin.template_type == TemplateType::Email;
    let draft = Draft::sent(&form);
    let result = match action.as_str() {
        "preview" => {
            let subject = is_email.then(|| draft.subject.clone());
            return match app::preview(
                &state,
                &kind,
                &slug,
                subject,
                Some(draft.body.clone()),
                None,
                None,
            )
            .await
            {
                Ok(p) => render(&nav, &t, &draft, None, None, Some(&p), StatusCode::OK),
                Err(e) => refused(&nav, &t, &draft, e),
            };
        }
        "save" => {
            let input = TemplateInput {
                subject: is_email.then(|| draft.subject.clone()),
                body: Some(draft.body.clone()),
                ..Default::default()
            };
            match app::upsert(&state, ctx, &kind, &slug, input).await {
                Ok(_) => Ok("saved"),
                Err(e) => return refused(&nav, &t, &draft, e),
            }
        }
        "revert" => app::revert(&state, ctx, &kind, &slug)
            .await
            .map(|_| "reverted"),
        "toggle" => app::toggle_delivery(&state, ctx, &kind, &slug, None)
            .await
            .map(|_| "toggled"),
        _ => Err(CoreError::NotFound { resource: "action" }),
    };
    match result {
        Ok(done) => redirect(&format!("{}?done={done}", path_of(&t))),
        Err(e) => failure(Some(&nav), e),
    }
}

/// The form again with the refusal beside the body, or the failure page.
fn refused(nav: &Nav, t: &Template, draft: &Draft, e: CoreError) -> Response {
    match refusal(&e) {
        Some(message) => render(
            nav,
            t,
            draft,
            Some(&message),
            None,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        None => failure(Some(nav), e),
    }
}
