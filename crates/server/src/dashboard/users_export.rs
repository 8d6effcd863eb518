//! The users the list's filters select, as CSV (`/dashboard/users/export.csv`): streamed while
//! read page by page, oldest first, so a large instance is never held in memory. A cell that a
//! spreadsheet would run as a formula is prefixed with `'`.

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use usher_core::users::User;
use usher_core::users::query::{Page, UserFilter, UserOrder, UserOrderField};
use usher_core::{CoreError, CoreResult};

use super::view;
use super::{Desk, failure};
use crate::app::users as app;
use crate::state::AppState;

/// Users read per page.
const READ_PAGE: i64 = 500;

pub const COLUMNS: [&str; 11] = [
    "id",
    "email_addresses",
    "phone_numbers",
    "username",
    "first_name",
    "last_name",
    "created_at",
    "last_active_at",
    "banned",
    "locked",
    "external_id",
];

/// A cell a spreadsheet takes as text: one starting `=`, `@`, a tab or a carriage return, or `+`
/// or `-` not followed by a number (a phone number stays as it is), gets a leading `'`.
pub fn cell(s: &str) -> String {
    let mut chars = s.chars();
    let risky = match chars.next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !chars.all(|c| c.is_ascii_digit()),
        _ => false,
    };
    if risky { format!("'{s}") } else { s.to_owned() }
}

fn record(u: &User, now: i64) -> Vec<String> {
    let join = |items: Vec<&str>| items.join(" ");
    vec![
        u.id.to_string(),
        join(
            u.email_addresses
                .iter()
                .map(|e| e.email_address.as_str())
                .collect(),
        ),
        join(
            u.phone_numbers
                .iter()
                .map(|p| p.phone_number.as_str())
                .collect(),
        ),
        u.username.clone().unwrap_or_default(),
        u.first_name.clone().unwrap_or_default(),
        u.last_name.clone().unwrap_or_default(),
        view::iso(u.created_at),
        u.last_active_at.map(view::iso).unwrap_or_default(),
        u.banned.to_string(),
        u.is_locked(now).to_string(),
        u.external_id.clone().unwrap_or_default(),
    ]
    .into_iter()
    .map(|c| cell(&c))
    .collect()
}

fn rows(records: impl IntoIterator<Item = Vec<String>>) -> Bytes {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    for r in records {
        // Writing to a Vec cannot fail.
        let _ = w.write_record(&r);
    }
    Bytes::from(w.into_inner().unwrap_or_default())
}

/// Where the stream is: the next offset, or done.
struct Cursor {
    state: AppState,
    filter: UserFilter,
    offset: Option<i64>,
}

async fn read(state: &AppState, filter: &UserFilter, offset: i64) -> CoreResult<Vec<User>> {
    let order = UserOrder {
        field: UserOrderField::CreatedAt,
        descending: false,
    };
    let page = Page {
        limit: READ_PAGE,
        offset,
    };
    app::list(state, filter, order, &page).await
}

/// The page of CSV rows after `users`, read at `offset`.
fn after(c: &mut Cursor, offset: i64, users: &[User]) -> Bytes {
    let now = c.state.now();
    c.offset = (users.len() as i64 == READ_PAGE).then_some(offset + READ_PAGE);
    rows(users.iter().map(|u| record(u, now)))
}

async fn next_page(mut c: Cursor) -> Option<(Result<Bytes, std::io::Error>, Cursor)> {
    let offset = c.offset?;
    match read(&c.state, &c.filter, offset).await {
        Ok(users) => {
            let bytes = after(&mut c, offset, &users);
            Some((Ok(bytes), c))
        }
        Err(e) => {
            tracing::error!(error = %e, "the users CSV export failed part way");
            c.offset = None;
            Some((Err(std::io::Error::other("the export failed")), c))
        }
    }
}

pub async fn csv(State(state): State<AppState>, desk: Desk, RawQuery(q): RawQuery) -> Response {
    let params = view::params(q.as_deref());
    let (filter, bad) = super::users::filter_of(&state, &params);
    if !bad.is_empty() {
        let nav = desk.nav(&state);
        return failure(
            Some(&nav),
            CoreError::ParamValueInvalid {
                param: bad.join(", "),
                reason: "must be a date like 2026-12-07".into(),
            },
        );
    }
    // The first page is read before answering, so a failing store is a clean error page.
    let users = match read(&state, &filter, 0).await {
        Ok(u) => u,
        Err(e) => return failure(Some(&desk.nav(&state)), e),
    };
    let mut cursor = Cursor {
        state: state.clone(),
        filter,
        offset: None,
    };
    let first = after(&mut cursor, 0, &users);
    let header = rows([COLUMNS.iter().map(|c| (*c).to_owned()).collect()]);
    let head = stream::iter([Ok(header), Ok(first)]);
    let rest = stream::unfold(cursor, next_page);
    let body = Body::from_stream(futures_util::StreamExt::chain(head, rest));
    (
        StatusCode::OK,
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"users.csv\""),
            ),
        ],
        body,
    )
        .into_response()
}
