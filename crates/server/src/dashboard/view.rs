//! The dashboard's document and the pieces its pages share, on the hosted pages' HTML builder
//! (every text and attribute value escaped): the chrome with the operator and the sign-out form,
//! times as `<time datetime>` in UTC (`time.js` shows them in the operator's time zone), a session's cells, and the previous/next pager.

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use usher_core::clock::Millis;
use usher_core::sessions::Session;

pub use crate::pages::html::{Field, Html, alert, field_error, form_open, link_para, notice};

/// Rows per page of the lists.
pub const PAGE_SIZE: i64 = 25;

/// The signed-in operator, as the chrome shows it.
pub struct Nav {
    pub email: String,
    pub role: &'static str,
    pub csrf: String,
    /// Whether the operator may change the instance (webhooks, keys, settings, templates): pages
    /// show those forms to admins only.
    pub configure: bool,
}

/// A whole page: the document, the status, HTML's content type.
pub fn page(status: StatusCode, title: &str, nav: Option<&Nav>, body: Html) -> Response {
    (
        status,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        document(title, nav, body),
    )
        .into_response()
}

fn document(title: &str, nav: Option<&Nav>, body: Html) -> String {
    let mut h = Html::new();
    h.raw("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .raw("<meta name=\"referrer\" content=\"no-referrer\">")
        .open("title", &[])
        .text(title)
        .text(" – Usher dashboard")
        .close("title")
        .raw("<link rel=\"stylesheet\" href=\"/dashboard/assets/dashboard.css\">")
        .raw("<script src=\"/dashboard/assets/time.js\" defer></script>")
        .raw("</head><body>")
        .raw("<a class=\"skip\" href=\"#main\">Skip to main content</a>")
        .raw("<header class=\"site\"><strong>Usher dashboard</strong>");
    if let Some(nav) = nav {
        h.raw("<nav aria-label=\"Dashboard\"><ul>")
            .raw("<li><a href=\"/dashboard/users\">Users</a></li>")
            .raw("<li><a href=\"/dashboard/organizations\">Organizations</a></li>")
            .raw("<li><a href=\"/dashboard/sessions\">Sessions</a></li>")
            .raw("<li><a href=\"/dashboard/security\">Security</a></li>")
            .raw("<li><a href=\"/dashboard/audit\">Audit log</a></li>")
            .raw("<li><a href=\"/dashboard/activity\">Activity</a></li>")
            .raw("<li><a href=\"/dashboard/webhooks\">Webhooks</a></li>")
            .raw("<li><a href=\"/dashboard/emails\">Emails and SMS</a></li>")
            .raw("<li><a href=\"/dashboard/templates\">Templates</a></li>")
            .raw("<li><a href=\"/dashboard/domains\">Domains</a></li>")
            .raw("<li><a href=\"/dashboard/keys\">Keys</a></li>")
            .raw("<li><a href=\"/dashboard/jwt-templates\">JWT templates</a></li>")
            .raw("<li><a href=\"/dashboard/settings\">Settings</a></li>")
            .raw("</ul></nav><div class=\"who\">")
            .el("span", &[], &nav.email)
            .el("span", &[("class", Some("badge"))], nav.role);
        form_open(&mut h, "/dashboard/sign-out", &nav.csrf, Some("Sign out"));
        h.el("button", &[("type", Some("submit"))], "Sign out")
            .close("form")
            .close("div");
    }
    h.raw("</header><main id=\"main\" tabindex=\"-1\">")
        .el("h1", &[], title)
        .append(body)
        .raw("</main></body></html>");
    h.into_string()
}

/// `2026-12-07T10:21:04Z`: UTC, to the second.
pub fn iso(ms: Millis) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ms.to_string())
}

/// `<time datetime=…>…</time>`, or a dash for no time.
pub fn time(h: &mut Html, ms: Option<Millis>) {
    match ms {
        Some(ms) => {
            let at = iso(ms);
            h.el(
                "time",
                &[("datetime", Some(&at)), ("title", Some(&at))],
                &at,
            );
        }
        None => {
            h.text("—");
        }
    }
}

/// A session's device, IP address and last-active cells, as both session tables show them.
pub fn session_cells(h: &mut Html, s: &Session) {
    h.el(
        "td",
        &[],
        s.user_agent.as_deref().unwrap_or("Unknown device"),
    )
    .el("td", &[], s.ip_address.as_deref().unwrap_or("—"))
    .open("td", &[]);
    time(h, Some(s.last_active_at));
    h.close("td");
}

/// How many items a list has: exactly, or more than the bound its count stopped at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    Exact(i64),
    MoreThan(i64),
}

impl From<i64> for Total {
    fn from(n: i64) -> Self {
        Self::Exact(n)
    }
}

impl Total {
    /// A count made with a bound `cap` (see `count_users_up_to`): above it, "more than `cap`".
    pub fn bounded(counted: i64, cap: i64) -> Self {
        if counted > cap {
            Self::MoreThan(cap)
        } else {
            Self::Exact(counted)
        }
    }
}

/// A link that looks like a button (`class`: `button`, or `button danger` for one that leads to
/// a destructive action's confirmation).
pub fn button_link(h: &mut Html, href: &str, class: &'static str, label: &str) {
    h.el("a", &[("href", Some(href)), ("class", Some(class))], label);
}

/// Opens a list's search form: its filters, sent back to the list's own page (`action`) as a
/// query string.
pub fn search_form(h: &mut Html, action: &str) {
    h.open(
        "form",
        &[
            ("method", Some("get")),
            ("action", Some(action)),
            ("class", Some("filters")),
            ("role", Some("search")),
        ],
    );
}

/// Opens a list's table: the wrapper that lets it scroll, the caption screen readers announce
/// (`None`: none) and the header row of `columns`. The names are constant markup, so a column can
/// hide its name from sight with `<span class="skip">`. Rows follow; [`table_end`] closes it.
pub fn table_start(h: &mut Html, caption: Option<&str>, columns: &[&'static str]) {
    h.open("div", &[("class", Some("table"))])
        .open("table", &[]);
    if let Some(caption) = caption {
        h.el("caption", &[("class", Some("skip"))], caption);
    }
    h.raw("<thead><tr>");
    for column in columns {
        h.raw("<th scope=\"col\">").raw(column).raw("</th>");
    }
    h.raw("</tr></thead><tbody>");
}

/// Closes what [`table_start`] opened.
pub fn table_end(h: &mut Html) {
    h.raw("</tbody></table></div>");
}

/// Previous/next links for a list at `offset` of `total`; `link(offset)` makes a page's URL.
pub fn pager(
    h: &mut Html,
    offset: i64,
    shown: usize,
    total: impl Into<Total>,
    link: impl Fn(i64) -> String,
) {
    h.open(
        "nav",
        &[("class", Some("pager")), ("aria-label", Some("Pages"))],
    );
    if offset > 0 {
        let prev = link((offset - PAGE_SIZE).max(0));
        h.el(
            "a",
            &[("href", Some(&prev)), ("rel", Some("prev"))],
            "Previous page",
        );
    } else {
        h.el("span", &[], "");
    }
    let last = offset + shown as i64;
    let from = if shown == 0 { 0 } else { offset + 1 };
    let (of, more) = match total.into() {
        Total::Exact(n) => (n.to_string(), last < n),
        Total::MoreThan(n) => (format!("more than {n}"), true),
    };
    h.el("span", &[], &format!("{from}–{last} of {of}"));
    if more {
        let next = link(last);
        h.el(
            "a",
            &[("href", Some(&next)), ("rel", Some("next"))],
            "Next page",
        );
    } else {
        h.el("span", &[], "");
    }
    h.close("nav");
}

/// A query string from its pairs (empty values left out).
pub fn query(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        s.append_pair(k, v);
    }
    s.finish()
}

/// A non-negative offset from a query parameter (anything else: 0).
pub fn offset(raw: Option<&str>) -> i64 {
    raw.and_then(|o| o.parse::<i64>().ok())
        .filter(|o| (0..=1_000_000).contains(o))
        .unwrap_or(0)
}

/// The query string's parameters (the first of each name).
pub fn params(raw: Option<&str>) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        out.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    out
}
