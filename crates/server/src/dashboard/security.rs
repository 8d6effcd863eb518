//! Sessions and security: the instance's active sessions (paged; each signed out from here),
//! locked accounts (paged; unlocked through the user's confirmation), Usher's own security
//! events (`usher.security.*`, as the outbox still holds them) and the failed sign-ins of each of
//! the last 24 hours (the activity counters).

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use usher_core::CoreError;
use usher_core::activity::{ActivityKind, HOUR_MS, hour_of};
use usher_core::ids::SessionId;
use usher_core::operators::Action;
use usher_core::sessions::SessionStatus;
use usher_core::sessions::query::{SessionFilter, SessionQuery};
use usher_core::users::User;
use usher_core::users::query::{Page, UserFilter, UserOrder};

use super::admin::may_act;
use super::users::display_name;
use super::view::{self, Html, PAGE_SIZE};
use super::{Desk, failure, redirect};
use crate::app::{sessions as app_sessions, users as app_users};
use crate::pages::PageForm;
use crate::state::AppState;

/// Hours of failed sign-ins shown.
const HOURS: i64 = 24;
/// An event's data shown at most this long.
const SUMMARY_CHARS: usize = 160;

fn page_at(offset: i64) -> Page {
    Page {
        limit: PAGE_SIZE,
        offset,
    }
}

/// The users of `ids`, by id (one read).
async fn users_by_id(
    state: &AppState,
    ids: Vec<String>,
) -> Result<HashMap<String, User>, CoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let filter = UserFilter {
        user_ids: ids,
        ..UserFilter::default()
    };
    let users = app_users::list(state, &filter, UserOrder::default(), &page_at(0)).await?;
    Ok(users.into_iter().map(|u| (u.id.to_string(), u)).collect())
}

pub async fn sessions(
    State(state): State<AppState>,
    desk: Desk,
    RawQuery(q): RawQuery,
) -> Response {
    let nav = desk.nav(&state);
    let params = view::params(q.as_deref());
    let offset = view::offset(params.get("offset").map(String::as_str));
    let found = async {
        let (sessions, total) = app_sessions::list(
            &state,
            &SessionQuery {
                filter: SessionFilter {
                    status: Some(SessionStatus::Active),
                    ..SessionFilter::default()
                },
                page: page_at(offset),
                now: state.now(),
            },
        )
        .await?;
        let mut ids: Vec<String> = sessions.iter().map(|s| s.user_id.to_string()).collect();
        ids.sort();
        ids.dedup();
        let users = users_by_id(&state, ids).await?;
        Ok::<_, CoreError>((sessions, total, users))
    };
    let (sessions, total, users) = match found.await {
        Ok(r) => r,
        Err(e) => return failure(Some(&nav), e),
    };
    let mut h = Html::new();
    if params.get("done").map(String::as_str) == Some("sign-out") {
        view::notice(&mut h, "That session has been signed out.");
    }
    view::table_start(
        &mut h,
        Some("Active sessions"),
        &[
            "User",
            "Device",
            "IP address",
            "Last active",
            "<span class=\"skip\">Action</span>",
        ],
    );
    for s in &sessions {
        let href = format!("/dashboard/users/{}", s.user_id);
        let name = users
            .get(s.user_id.as_str())
            .map_or_else(|| s.user_id.to_string(), display_name);
        h.open("tr", &[])
            .open("th", &[("scope", Some("row"))])
            .el("a", &[("href", Some(&href))], &name)
            .close("th");
        view::session_cells(&mut h, s);
        h.open("td", &[]);
        if desk.may(Action::SignOut) {
            let label = format!("Sign out session {}", s.id);
            view::form_open(
                &mut h,
                "/dashboard/sessions/sign-out",
                &nav.csrf,
                Some(&label),
            );
            h.open(
                "input",
                &[
                    ("type", Some("hidden")),
                    ("name", Some("session_id")),
                    ("value", Some(s.id.as_str())),
                ],
            )
            .el(
                "button",
                &[("type", Some("submit")), ("class", Some("danger"))],
                "Sign out",
            )
            .close("form");
        }
        h.close("td").close("tr");
    }
    view::table_end(&mut h);
    if sessions.is_empty() {
        h.el("p", &[], "No active sessions.");
    }
    view::pager(&mut h, offset, sessions.len(), total, |o| {
        format!("/dashboard/sessions?offset={o}")
    });
    view::page(StatusCode::OK, "Active sessions", Some(&nav), h)
}

pub async fn sign_out(State(state): State<AppState>, desk: Desk, form: PageForm) -> Response {
    let nav = match may_act(&desk, &state, &form, Action::SignOut) {
        Ok(nav) => nav,
        Err(refused) => return *refused,
    };
    let Ok(id) = SessionId::parse(form.trimmed("session_id")) else {
        return failure(
            Some(&nav),
            CoreError::NotFound {
                resource: "session",
            },
        );
    };
    match app_sessions::revoke(&state, &desk.ctx, &id).await {
        Ok(_) => redirect("/dashboard/sessions?done=sign-out"),
        Err(e) => failure(Some(&nav), e),
    }
}

/// An event's data as compact JSON, cut short.
fn summary(data: &serde_json::Value) -> String {
    let s = data.to_string();
    match s.char_indices().nth(SUMMARY_CHARS) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s,
    }
}

pub async fn page(State(state): State<AppState>, desk: Desk, RawQuery(q): RawQuery) -> Response {
    let nav = desk.nav(&state);
    let params = view::params(q.as_deref());
    let locked_at = view::offset(params.get("locked").map(String::as_str));
    let events_at = view::offset(params.get("events").map(String::as_str));
    let now = state.now();
    let since = hour_of(now) - (HOURS - 1) * HOUR_MS;
    let found = async {
        let filter = UserFilter {
            locked_at: Some((true, now)),
            ..UserFilter::default()
        };
        let locked =
            app_users::list(&state, &filter, UserOrder::default(), &page_at(locked_at)).await?;
        let locked_total = app_users::count(&state, &filter).await?;
        let ins = &state.instance.id;
        let events = state
            .store
            .security_events(ins, &page_at(events_at))
            .await?;
        let activity = state.store.activity(ins, since, now + HOUR_MS).await?;
        Ok::<_, CoreError>((locked, locked_total, events, activity))
    };
    let (locked, locked_total, (events, events_total), activity) = match found.await {
        Ok(r) => r,
        Err(e) => return failure(Some(&nav), e),
    };
    let link =
        |locked: i64, events: i64| format!("/dashboard/security?locked={locked}&events={events}");
    let mut h = Html::new();

    h.el("h2", &[], "Locked accounts");
    view::table_start(
        &mut h,
        Some("Locked accounts"),
        &[
            "User",
            "Email address",
            "Locked until",
            "<span class=\"skip\">Action</span>",
        ],
    );
    for u in &locked {
        let href = format!("/dashboard/users/{}", u.id);
        h.open("tr", &[])
            .open("th", &[("scope", Some("row"))])
            .el("a", &[("href", Some(&href))], &display_name(u))
            .close("th")
            .el(
                "td",
                &[],
                u.primary_email().map_or("", |e| e.email_address.as_str()),
            )
            .open("td", &[]);
        view::time(&mut h, u.locked_until);
        h.close("td").open("td", &[]);
        if desk.may(Action::Unlock) {
            let unlock = format!("/dashboard/users/{}/confirm?action=unlock", u.id);
            view::button_link(&mut h, &unlock, "button danger", "Unlock");
        }
        h.close("td").close("tr");
    }
    view::table_end(&mut h);
    if locked.is_empty() {
        h.el("p", &[], "No locked accounts.");
    }
    view::pager(&mut h, locked_at, locked.len(), locked_total, |o| {
        link(o, events_at)
    });

    h.el("h2", &[], "Failed sign-ins per hour");
    h.el(
        "p",
        &[("class", Some("hint"))],
        "The last 24 hours, as the activity counters hold them (each server adds its counts every few seconds).",
    );
    view::table_start(
        &mut h,
        Some("Failed sign-ins per hour"),
        &["Hour starting", "Failed sign-ins", "Sign-ins"],
    );
    for n in 0..HOURS {
        let hour = hour_of(now) - n * HOUR_MS;
        let of = |kind: ActivityKind| {
            activity
                .iter()
                .filter(|c| c.hour == hour && c.kind == kind)
                .map(|c| c.count)
                .sum::<i64>()
        };
        h.open("tr", &[]).open("th", &[("scope", Some("row"))]);
        view::time(&mut h, Some(hour));
        h.close("th")
            .el("td", &[], &of(ActivityKind::SignInFailure).to_string())
            .el("td", &[], &of(ActivityKind::SignIn).to_string())
            .close("tr");
    }
    view::table_end(&mut h);

    h.el("h2", &[], "Security events");
    view::table_start(&mut h, Some("Security events"), &["When", "Event", "Data"]);
    for e in &events {
        h.open("tr", &[]).open("td", &[]);
        view::time(&mut h, Some(e.created_at));
        h.close("td")
            .el("td", &[], &e.event_type)
            .open("td", &[])
            .el("code", &[], &summary(&e.data))
            .close("td")
            .close("tr");
    }
    view::table_end(&mut h);
    if events.is_empty() {
        h.el("p", &[], "No security events are stored.");
    }
    view::pager(&mut h, events_at, events.len(), events_total, |o| {
        link(locked_at, o)
    });
    view::page(StatusCode::OK, "Security", Some(&nav), h)
}
