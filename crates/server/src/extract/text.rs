//! Text that reaches the store must mean the same on SQLite and PostgreSQL. PostgreSQL refuses
//! NUL in `text` and `jsonb` (a 5xx if it got that far), while SQLite stores it and its `LIKE`
//! stops reading at it, so `?query=%00` matched every user. Query strings (filters, ids, order
//! and paging) never need a control character, so any is refused, naming the parameter; bodies
//! may carry tabs and newlines (metadata, names), so only NUL is refused there.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use usher_core::CoreError;

use crate::error::ApiError;

pub const NAME_LIMIT: usize = 100;

/// A parameter name fit to echo back: its control characters replaced, at most 100 characters.
pub fn printable(name: &str) -> String {
    name.chars()
        .take(NAME_LIMIT)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

fn refused(name: &str, what: &str) -> ApiError {
    ApiError::from(CoreError::format(
        printable(name),
        format!("must not contain {what}"),
    ))
}

/// The first query parameter whose name or value holds a control character.
pub fn check_query(query: &str) -> Result<(), ApiError> {
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if k.chars().chain(v.chars()).any(char::is_control) {
            return Err(refused(&k, "control characters"));
        }
    }
    Ok(())
}

/// Middleware for every route on both listeners: the query string is checked before routing,
/// so no handler (and no filter) ever sees a control character.
pub async fn refuse_control_characters(req: Request, next: Next) -> Response {
    if let Some(q) = req.uri().query()
        && let Err(e) = check_query(q)
    {
        return e.into_response();
    }
    next.run(req).await
}

fn holds_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// Refuses NUL anywhere in a JSON body, naming the top-level field that holds it.
pub fn check_json_fields<'a>(
    fields: impl IntoIterator<Item = (&'a String, &'a Value)>,
) -> Result<(), ApiError> {
    for (k, v) in fields {
        if k.contains('\0') || holds_nul(v) {
            return Err(refused(k, "NUL characters"));
        }
    }
    Ok(())
}

/// Refuses NUL in a form's names and values, naming the field.
pub fn check_form_fields<'a>(
    fields: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> Result<(), ApiError> {
    for (k, v) in fields {
        if k.contains('\0') || v.contains('\0') {
            return Err(refused(k, "NUL characters"));
        }
    }
    Ok(())
}
