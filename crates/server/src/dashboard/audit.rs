//! The audit log, newest first, filtered by actor, action and target (each an exact match), and
//! paged.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use usher_core::operators::AuditQuery;
use usher_core::users::query::Page;

use super::view::{self, Html, PAGE_SIZE};
use super::{Desk, failure};
use crate::state::AppState;

pub async fn page(State(state): State<AppState>, desk: Desk, RawQuery(q): RawQuery) -> Response {
    let nav = desk.nav(&state);
    let params = view::params(q.as_deref());
    let get = |k: &str| params.get(k).map(|v| v.trim()).unwrap_or("").to_owned();
    let (actor, action, target) = (get("actor"), get("action"), get("target"));
    let offset = view::offset(params.get("offset").map(String::as_str));
    let query = AuditQuery {
        actor: (!actor.is_empty()).then(|| actor.clone()),
        action: (!action.is_empty()).then(|| action.clone()),
        target_id: (!target.is_empty()).then(|| target.clone()),
        page: Page {
            limit: PAGE_SIZE,
            offset,
        },
    };
    let (entries, total) = match state.store.audit_entries(&state.instance.id, &query).await {
        Ok(r) => r,
        Err(e) => return failure(Some(&nav), e.into()),
    };
    let mut h = Html::new();
    view::search_form(&mut h, "/dashboard/audit");
    for (name, label, value, hint) in [
        (
            "actor",
            "Actor",
            &actor,
            "operator:ada@example.com, secret_key:…, cli",
        ),
        ("action", "Action", &action, "user.ban, session.revoke, …"),
        ("target", "Target", &target, "A user, session or other id."),
    ] {
        view::Field::new(name, label, "text")
            .value(value)
            .optional()
            .hint(hint)
            .render(&mut h);
    }
    h.el("button", &[("type", Some("submit"))], "Filter")
        .close("form");
    view::table_start(
        &mut h,
        Some("Audit log entries"),
        &["When", "Actor", "Action", "Target", "IP address"],
    );
    for e in &entries {
        h.open("tr", &[]).open("td", &[]);
        view::time(&mut h, Some(e.at));
        h.close("td")
            .el("td", &[], &e.actor)
            .el("td", &[], &e.action)
            .el("td", &[], e.target_id.as_deref().unwrap_or("—"))
            .el("td", &[], e.client_ip.as_deref().unwrap_or("—"))
            .close("tr");
    }
    view::table_end(&mut h);
    if entries.is_empty() {
        h.el("p", &[], "No entries match.");
    }
    view::pager(&mut h, offset, entries.len(), total, |o| {
        let o = o.to_string();
        format!(
            "/dashboard/audit?{}",
            view::query(&[
                ("actor", &actor),
                ("action", &action),
                ("target", &target),
                ("offset", &o)
            ])
        )
    });
    view::page(StatusCode::OK, "Audit log", Some(&nav), h)
}
