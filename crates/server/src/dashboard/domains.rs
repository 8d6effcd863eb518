//! The instance's domains: the primary one (the Frontend API's host) and the satellites, a form
//! to add a satellite (a refused name shown beside it), and delete after a confirmation. Writes
//! run the Backend API's use cases, audited as the operator; support operators only see them.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use usher_core::CoreError;

use super::admin::{button_form, may_configure};
use super::jwt_templates::refusal;
use super::view::{self, Html, Nav};
use super::{Desk, failure, redirect};
use crate::app::domains::{self as app, Domain};
use crate::pages::PageForm;
use crate::state::AppState;

const ROOT: &str = "/dashboard/domains";

fn done_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "added" => "The satellite domain is added: its origin may call the Frontend API.",
        "deleted" => "The satellite domain is deleted.",
        _ => return None,
    })
}

pub async fn page(State(state): State<AppState>, desk: Desk, RawQuery(q): RawQuery) -> Response {
    let nav = desk.nav(&state);
    let params = view::params(q.as_deref());
    let done = params.get("done").and_then(|d| done_text(d));
    render(&state, &nav, done, None, ("", ""), StatusCode::OK).await
}

async fn render(
    state: &AppState,
    nav: &Nav,
    done: Option<&str>,
    refused: Option<&str>,
    (name, proxy): (&str, &str),
    status: StatusCode,
) -> Response {
    let domains = match app::list(state).await {
        Ok(d) => d,
        Err(e) => return failure(Some(nav), e),
    };
    let mut h = Html::new();
    if let Some(text) = done {
        view::notice(&mut h, text);
    }
    view::table_start(
        &mut h,
        Some("Domains"),
        &["Domain", "Kind", "Proxy URL", "Delete"],
    );
    for d in &domains {
        h.open("tr", &[])
            .el("th", &[("scope", Some("row"))], d.name());
        match d {
            Domain::Primary { .. } => {
                h.el("td", &[], "Primary")
                    .el("td", &[], "—")
                    .el("td", &[], "—");
            }
            Domain::Satellite(s) => {
                h.el("td", &[], "Satellite")
                    .el("td", &[], s.proxy_url.as_deref().unwrap_or("—"))
                    .open("td", &[]);
                if nav.configure {
                    let href = format!("{ROOT}/{}/delete", s.id);
                    h.el(
                        "a",
                        &[("href", Some(&href))],
                        &format!("Delete {}…", s.name),
                    );
                } else {
                    h.text("—");
                }
                h.close("td");
            }
        }
        h.close("tr");
    }
    view::table_end(&mut h);
    if nav.configure {
        h.el("h2", &[], "Add a satellite domain");
        if let Some(message) = refused {
            view::alert(&mut h, message);
        }
        view::form_open(&mut h, ROOT, &nav.csrf, Some("Add a satellite domain"));
        h.open(
            "input",
            &[
                ("type", Some("hidden")),
                ("name", Some("action")),
                ("value", Some("add")),
            ],
        );
        view::Field::new("name", "Domain name", "text")
            .value(name)
            .hint("A host name such as shop.example.com (with a port on a development instance), without https://.")
            .error(refused)
            .render(&mut h);
        view::Field::new("proxy_url", "Proxy URL", "url")
            .value(proxy)
            .optional()
            .render(&mut h);
        h.el("button", &[("type", Some("submit"))], "Add")
            .close("form");
    }
    view::page(status, "Domains", Some(nav), h)
}

/// The confirmation before a delete.
pub async fn confirm_delete(
    State(state): State<AppState>,
    desk: Desk,
    Path(id): Path<String>,
) -> Response {
    let nav = desk.nav(&state);
    let d = match app::get(&state, &id).await {
        Ok(Domain::Satellite(d)) => d,
        Ok(Domain::Primary { .. }) => {
            return failure(
                Some(&nav),
                CoreError::SystemReadOnly {
                    what: "the primary domain",
                },
            );
        }
        Err(e) => return failure(Some(&nav), e),
    };
    let mut h = Html::new();
    h.el(
        "p",
        &[],
        "Pages on this domain will no longer be able to call the Frontend API.",
    );
    button_form(
        &mut h,
        ROOT,
        &nav.csrf,
        &[("action", "delete"), ("id", &d.id)],
        "Delete",
        true,
    );
    view::link_para(&mut h, ROOT, "Cancel");
    view::page(
        StatusCode::OK,
        &format!("Delete {}?", d.name),
        Some(&nav),
        h,
    )
}

pub async fn act(State(state): State<AppState>, desk: Desk, form: PageForm) -> Response {
    let nav = match may_configure(&desk, &state, &form) {
        Ok(nav) => nav,
        Err(refused) => return *refused,
    };
    let ctx = &desk.ctx;
    match form.trimmed("action") {
        "add" => {
            let name = form.trimmed("name");
            let proxy = form.trimmed("proxy_url");
            let proxy_url = Some(proxy).filter(|p| !p.is_empty());
            match app::create(&state, ctx, name, Some(true), proxy_url).await {
                Ok(_) => redirect(&format!("{ROOT}?done=added")),
                Err(e) => match refusal(&e) {
                    Some(message) => {
                        render(
                            &state,
                            &nav,
                            None,
                            Some(&message),
                            (name, proxy),
                            StatusCode::UNPROCESSABLE_ENTITY,
                        )
                        .await
                    }
                    None => failure(Some(&nav), e),
                },
            }
        }
        "delete" => match app::delete(&state, ctx, form.trimmed("id")).await {
            Ok(()) => redirect(&format!("{ROOT}?done=deleted")),
            Err(e) => failure(Some(&nav), e),
        },
        _ => failure(Some(&nav), CoreError::NotFound { resource: "action" }),
    }
}
