//! The users list (searched by email address, phone number, username, id or name; filtered by
//! banned, locked, and when created and last active; paged) and a user's page (identifiers,
//! security, metadata, sessions, and the actions the operator's role allows).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use usher_core::ids::UserId;
use usher_core::operators::Action;
use usher_core::sessions::Session;
use usher_core::users::User;
use usher_core::users::query::{Page, UserFilter, UserOrder};
use usher_core::{CoreError, CoreResult};

use super::view::{self, Html, PAGE_SIZE};
use super::{Desk, failure};
use crate::app::users as app;
use crate::state::AppState;

/// A user's display name: first and last name, else the username, else the id.
pub fn display_name(u: &User) -> String {
    let name = [u.first_name.as_deref(), u.last_name.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if !name.is_empty() {
        name
    } else {
        u.username.clone().unwrap_or_else(|| u.id.to_string())
    }
}

fn status_badges(h: &mut Html, u: &User, now: i64) {
    if u.banned {
        h.el("span", &[("class", Some("badge"))], "Banned");
    }
    if u.is_locked(now) {
        h.el("span", &[("class", Some("badge"))], "Locked");
    }
}

/// The date filters of the users list: query parameter, label.
/// How far past the shown page the user list counts its matches (then says "more than …").
pub const COUNT_AHEAD: i64 = 1_000;

pub const DATE_FILTERS: [(&str, &str); 4] = [
    ("created_after", "Created on or after"),
    ("created_before", "Created before"),
    ("active_after", "Last active on or after"),
    ("active_before", "Last active before"),
];

/// The start (UTC) of a `YYYY-MM-DD` day, as `<input type=date>` sends it.
pub fn day_start(raw: &str) -> Option<i64> {
    let mut parts = raw.trim().splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    let month = time::Month::try_from(month).ok()?;
    let d = time::Date::from_calendar_date(year, month, day).ok()?;
    Some(d.midnight().assume_utc().unix_timestamp() * 1000)
}

/// The users list's filter from its query parameters; a date that does not parse is left out
/// (and named in the second value).
pub fn filter_of(
    state: &AppState,
    params: &std::collections::HashMap<String, String>,
) -> (UserFilter, Vec<&'static str>) {
    let get = |k: &str| params.get(k).map(|s| s.trim()).unwrap_or("");
    let text = get("query");
    let mut bad = Vec::new();
    let mut date = |k: &'static str| {
        let raw = get(k);
        if raw.is_empty() {
            return None;
        }
        let at = day_start(raw);
        if at.is_none() {
            bad.push(k);
        }
        at
    };
    let created_after = date("created_after");
    let created_before = date("created_before");
    let active_after = date("active_after");
    let active_before = date("active_before");
    let filter = UserFilter {
        banned: match get("banned") {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        locked_at: match get("locked") {
            "true" => Some((true, state.now())),
            "false" => Some((false, state.now())),
            _ => None,
        },
        created_at_after: created_after.map(|t| t - 1),
        created_at_before: created_before,
        last_active_at_since: active_after,
        last_active_at_before: active_before,
        ..UserFilter::search(text)
    };
    (filter, bad)
}

pub async fn list(State(state): State<AppState>, desk: Desk, RawQuery(q): RawQuery) -> Response {
    let params = view::params(q.as_deref());
    let text = params.get("query").map(|s| s.trim()).unwrap_or("");
    let banned = params.get("banned").map(String::as_str).unwrap_or("");
    let locked = params.get("locked").map(String::as_str).unwrap_or("");
    let offset = view::offset(params.get("offset").map(String::as_str));
    let (filter, bad_dates) = filter_of(&state, &params);
    let dates: Vec<(&str, &str, String)> = DATE_FILTERS
        .iter()
        .map(|(k, label)| (*k, *label, params.get(*k).cloned().unwrap_or_default()))
        .collect();
    let page = Page {
        limit: PAGE_SIZE,
        offset,
    };
    let found = async {
        let users = app::list(&state, &filter, UserOrder::default(), &page).await?;
        // Counted only so far past this page: a text most users share would otherwise read
        // every user for a number nobody pages through.
        let cap = offset + COUNT_AHEAD;
        let total = view::Total::bounded(app::count_up_to(&state, &filter, cap).await?, cap);
        Ok::<_, CoreError>((users, total))
    };
    let nav = desk.nav(&state);
    let (users, total) = match found.await {
        Ok(r) => r,
        Err(e) => return failure(Some(&nav), e),
    };
    let mut h = Html::new();
    if let Some(n) = params
        .get("done")
        .and_then(|d| super::actions::done_text(d))
    {
        view::notice(&mut h, n);
    }
    let export = format!("/dashboard/users/export.csv?{}", q.as_deref().unwrap_or(""));
    h.open("div", &[("class", Some("actions"))]);
    if desk.may(Action::Create) {
        view::button_link(&mut h, "/dashboard/users/new", "button", "New user");
    }
    view::button_link(&mut h, &export, "button", "Export these users as CSV");
    h.close("div");
    view::search_form(&mut h, "/dashboard/users");
    view::Field::new("query", "Search", "search")
        .value(text)
        .optional()
        .hint("Email address, phone number, username, id or name.")
        .render(&mut h);
    choice(
        &mut h,
        "banned",
        "Banned",
        banned,
        [("", "Any"), ("true", "Banned"), ("false", "Not banned")],
    );
    choice(
        &mut h,
        "locked",
        "Locked",
        locked,
        [("", "Any"), ("true", "Locked"), ("false", "Not locked")],
    );
    for (name, label, value) in &dates {
        view::Field::new(name, label, "date")
            .value(value)
            .optional()
            .error(
                bad_dates
                    .contains(name)
                    .then_some("Use a date like 2026-12-07."),
            )
            .render(&mut h);
    }
    h.el("button", &[("type", Some("submit"))], "Search")
        .close("form");

    let now = state.now();
    view::table_start(
        &mut h,
        Some("Users"),
        &["Name", "Email address", "Created", "Last active", "Status"],
    );
    for u in &users {
        let href = format!("/dashboard/users/{}", u.id);
        h.open("tr", &[]).open("th", &[("scope", Some("row"))]);
        h.el("a", &[("href", Some(&href))], &display_name(u))
            .close("th")
            .el(
                "td",
                &[],
                u.primary_email().map_or("", |e| e.email_address.as_str()),
            )
            .open("td", &[]);
        view::time(&mut h, Some(u.created_at));
        h.close("td").open("td", &[]);
        view::time(&mut h, u.last_active_at);
        h.close("td").open("td", &[]);
        status_badges(&mut h, u, now);
        h.close("td").close("tr");
    }
    view::table_end(&mut h);
    if users.is_empty() {
        h.el("p", &[], "No users match.");
    }
    view::pager(&mut h, offset, users.len(), total, |o| {
        let o = o.to_string();
        let mut pairs = vec![("query", text), ("banned", banned), ("locked", locked)];
        pairs.extend(dates.iter().map(|(k, _, v)| (*k, v.as_str())));
        pairs.push(("offset", &o));
        format!("/dashboard/users?{}", view::query(&pairs))
    });
    view::page(StatusCode::OK, "Users", Some(&nav), h)
}

/// A labelled `<select>` named `name` with `current` selected.
fn choice(h: &mut Html, name: &str, label: &str, current: &str, options: [(&str, &str); 3]) {
    let id = format!("f-{name}");
    h.open("div", &[("class", Some("field"))])
        .el("label", &[("for", Some(&id))], label)
        .open("select", &[("id", Some(&id)), ("name", Some(name))]);
    for (value, text) in options {
        h.el(
            "option",
            &[
                ("value", Some(value)),
                ("selected", (current == value).then_some("")),
            ],
            text,
        );
    }
    h.close("select").close("div");
}

/// The user a path names (a malformed id names none).
pub async fn user_of(state: &AppState, raw: &str) -> CoreResult<User> {
    let id = UserId::parse(raw).map_err(|_| CoreError::NotFound { resource: "user" })?;
    app::get(state, &id).await
}

pub async fn live_sessions(state: &AppState, u: &User) -> CoreResult<Vec<Session>> {
    let now = state.now();
    Ok(state
        .store
        .live_sessions_of_user(&state.instance.id, &u.id)
        .await?
        .into_iter()
        .filter(|s| s.status_at(now) == usher_core::sessions::SessionStatus::Active)
        .collect())
}

fn row(h: &mut Html, term: &str, value: &str) {
    h.el("dt", &[], term).el("dd", &[], value);
}

fn action_link(h: &mut Html, desk: &Desk, u: &User, action: Action, name: &str, label: &str) {
    if desk.may(action) {
        let href = format!("/dashboard/users/{}/confirm?action={name}", u.id);
        view::button_link(h, &href, "button danger", label);
    }
}

pub async fn show(
    State(state): State<AppState>,
    desk: Desk,
    Path(user_id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let nav = desk.nav(&state);
    let found = async {
        let u = user_of(&state, &user_id).await?;
        let sessions = live_sessions(&state, &u).await?;
        Ok::<_, CoreError>((u, sessions))
    };
    let (u, sessions) = match found.await {
        Ok(r) => r,
        Err(e) => return failure(Some(&nav), e),
    };
    let now = state.now();
    let mut h = Html::new();
    if let Some(n) = view::params(q.as_deref())
        .get("done")
        .and_then(|d| super::actions::done_text(d))
    {
        view::notice(&mut h, n);
    }
    h.open("p", &[]);
    status_badges(&mut h, &u, now);
    h.close("p");
    h.open("div", &[("class", Some("actions"))]);
    if u.banned {
        action_link(&mut h, &desk, &u, Action::Unban, "unban", "Unban");
    } else {
        action_link(&mut h, &desk, &u, Action::Ban, "ban", "Ban");
    }
    if u.is_locked(now) {
        action_link(&mut h, &desk, &u, Action::Unlock, "unlock", "Unlock");
    } else {
        action_link(&mut h, &desk, &u, Action::Lock, "lock", "Lock");
    }
    if !sessions.is_empty() {
        action_link(
            &mut h,
            &desk,
            &u,
            Action::SignOut,
            "sign-out-all",
            "Sign out of all devices",
        );
    }
    if u.totp_enabled() || !u.backup_codes.is_empty() || !u.second_factor_phones().is_empty() {
        action_link(&mut h, &desk, &u, Action::Edit, "reset-mfa", "Reset MFA");
    }
    if u.password_compromised {
        action_link(
            &mut h,
            &desk,
            &u,
            Action::Edit,
            "unset-compromised",
            "Clear password compromised",
        );
    } else if u.password.is_some() {
        action_link(
            &mut h,
            &desk,
            &u,
            Action::Edit,
            "set-compromised",
            "Mark password compromised",
        );
    }
    action_link(
        &mut h,
        &desk,
        &u,
        Action::Impersonate,
        "impersonate",
        "Impersonate",
    );
    action_link(&mut h, &desk, &u, Action::Delete, "delete", "Delete user");
    h.close("div");

    h.el("h2", &[], "Identifiers").open("dl", &[]);
    row(&mut h, "User id", u.id.as_str());
    row(&mut h, "Name", &display_name(&u));
    row(&mut h, "Username", u.username.as_deref().unwrap_or("—"));
    for e in &u.email_addresses {
        row(&mut h, "Email address", &e.email_address);
    }
    for p in &u.phone_numbers {
        row(&mut h, "Phone number", &p.phone_number);
    }
    row(
        &mut h,
        "External id",
        u.external_id.as_deref().unwrap_or("—"),
    );
    h.el("dt", &[], "Created").open("dd", &[]);
    view::time(&mut h, Some(u.created_at));
    h.close("dd")
        .el("dt", &[], "Last signed in")
        .open("dd", &[]);
    view::time(&mut h, u.last_sign_in_at);
    h.close("dd").el("dt", &[], "Last active").open("dd", &[]);
    view::time(&mut h, u.last_active_at);
    h.close("dd").close("dl");

    h.el("h2", &[], "Security").open("dl", &[]);
    let yes_no = |b: bool| if b { "Yes" } else { "No" };
    row(&mut h, "Password", yes_no(u.password.is_some()));
    row(
        &mut h,
        "Password compromised",
        yes_no(u.password_compromised),
    );
    row(&mut h, "Authenticator app", yes_no(u.totp_enabled()));
    row(
        &mut h,
        "Backup codes left",
        &u.backup_codes.len().to_string(),
    );
    h.close("dl");

    h.el("h2", &[], "Metadata");
    if desk.may(Action::Edit) {
        let edit = format!("/dashboard/users/{}/metadata", u.id);
        view::link_para(&mut h, &edit, "Edit metadata");
    }
    for (label, m) in [
        ("Public metadata", &u.public_metadata),
        ("Private metadata", &u.private_metadata),
        ("Unsafe metadata", &u.unsafe_metadata),
    ] {
        let json = serde_json::to_string_pretty(m).unwrap_or_default();
        h.el("h3", &[], label)
            .open("pre", &[])
            .el("code", &[], &json)
            .close("pre");
    }

    h.el("h2", &[], "Active sessions");
    if sessions.is_empty() {
        h.el("p", &[], "No active sessions.");
    } else {
        view::table_start(
            &mut h,
            None,
            &[
                "Device",
                "IP address",
                "Last active",
                "Signed in",
                "<span class=\"skip\">Action</span>",
            ],
        );
        for s in &sessions {
            h.open("tr", &[]);
            view::session_cells(&mut h, s);
            h.open("td", &[]);
            view::time(&mut h, Some(s.created_at));
            h.close("td").open("td", &[]);
            if desk.may(Action::SignOut) {
                let href = format!(
                    "/dashboard/users/{}/confirm?action=sign-out&session_id={}",
                    u.id, s.id
                );
                view::button_link(&mut h, &href, "button danger", "Sign out");
            }
            h.close("td").close("tr");
        }
        view::table_end(&mut h);
    }
    let audit = format!(
        "/dashboard/audit?{}",
        view::query(&[("target", u.id.as_str())])
    );
    view::link_para(&mut h, &audit, "This user in the audit log");
    view::page(StatusCode::OK, &display_name(&u), Some(&nav), h)
}
