//! JSON request bodies, read into typed request structs (`wire::requests`). Clerk's JS SDK sends
//! `Content-Type: application/json` even on body-less POSTs, so an empty body is an empty object.
//! Bodies are bounded, a key given twice is refused (serde_json keeps the last, which would let
//! `{"skip_password_checks":false,"skip_password_checks":true}` say two things), NUL is refused,
//! and every deserialization error becomes the `CoreError` naming the parameter at fault.
//!
//! serde + `serde_path_to_error` rather than `deserr`: serde is already how every wire struct is
//! written, `serde_path_to_error` is already in the tree (axum's `Json` uses it), and the four
//! distinctions Clerk makes (missing, format, value, unknown) come from serde's own missing and
//! unknown field errors plus the field helpers in `wire::requests::fields`.

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use serde::de::{DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, de};
use serde_json::{Map, Value};
use serde_path_to_error::Segment;
use usher_core::CoreError;

use crate::error::ApiError;
use crate::wire::requests::fields::Fault;

pub const BODY_LIMIT: usize = 1024 * 1024;

/// A request body read into `T`, a `#[serde(deny_unknown_fields)]` struct of `wire::requests`.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::to_bytes(req.into_body(), BODY_LIMIT)
            .await
            .map_err(|_| ApiError::body_too_large(BODY_LIMIT))?;
        Self::parse(&bytes)
    }
}

impl<T: DeserializeOwned> JsonBody<T> {
    pub fn parse(bytes: &[u8]) -> Result<Self, ApiError> {
        read_fields(json_object(bytes)?).map(Self)
    }
}

/// A body's fields read into `T`, naming the field at fault.
pub fn read_fields<T: DeserializeOwned>(fields: Map<String, Value>) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(Value::Object(fields))
        .map_err(|e| ApiError::from(param_error(&e)))
}

/// The body as a JSON object: empty is `{}`; not JSON, not an object, a duplicated key or a NUL
/// anywhere is refused.
pub fn json_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    // serde_json refuses nesting deeper than 128 levels, so deep JSON is an error, not a stack overflow.
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = serde_path_to_error::deserialize::<_, Strict>(&mut de);
    if parsed.is_ok()
        && let Err(e) = de.end()
    {
        return Err(ApiError::body_invalid(format!(
            "The request body is not valid JSON: {e}."
        )));
    }
    match parsed {
        Ok(Strict(Value::Object(map))) => {
            crate::extract::text::check_json_fields(&map)?;
            Ok(map)
        }
        Ok(_) => Err(ApiError::body_invalid(
            "The request body must be a JSON object.",
        )),
        Err(e) => match e
            .inner()
            .to_string()
            .strip_prefix(DUPLICATE)
            .and_then(|rest| rest.split_once(DUPLICATE))
        {
            Some((key, _)) => {
                let name = match top_key(e.path()) {
                    Some(parent) => format!("{parent}.{key}"),
                    None => key.to_owned(),
                };
                Err(CoreError::format(printable(&name), "is given more than once").into())
            }
            None => Err(ApiError::body_invalid(format!(
                "The request body is not valid JSON: {}.",
                e.inner()
            ))),
        },
    }
}

const DUPLICATE: &str = "\u{1}duplicate\u{1}";

/// A JSON value whose objects hold each key once.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Strict::deserialize(d).map(|s| s.0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Strict(v) = map.next_value()?;
            if out.contains_key(&key) {
                // Closed by the marker too: serde_json appends the line and column.
                return Err(de::Error::custom(format_args!(
                    "{DUPLICATE}{key}{DUPLICATE}"
                )));
            }
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// The top-level field a path starts in: the parameter Clerk names in `meta.param_name`.
fn top_key(path: &serde_path_to_error::Path) -> Option<&str> {
    match path.iter().next() {
        Some(Segment::Map { key }) => Some(key),
        _ => None,
    }
}

fn printable(name: &str) -> String {
    name.chars()
        .take(100)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}

/// The Clerk error for a body that does not fit its request struct.
fn param_error(e: &serde_path_to_error::Error<serde_json::Error>) -> CoreError {
    let message = e.inner().to_string();
    let at = top_key(e.path()).map(printable);
    let named = |name: &str| at.clone().unwrap_or_else(|| printable(name));
    let param = at.clone().unwrap_or_default();
    match Fault::read(&message) {
        Fault::Format(reason) => CoreError::format(param, reason),
        Fault::Value(reason) => CoreError::value(param, reason),
        Fault::Missing => CoreError::missing(param),
        Fault::MissingField(name) => CoreError::missing(named(name)),
        Fault::UnknownField(name) => CoreError::ParamUnknown { param: named(name) },
        Fault::Other(reason) => CoreError::format(param, reason),
    }
}

pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// Bodies that are not needed still have to be bounded and drained.
pub async fn discard(body: Body) -> Result<(), ApiError> {
    axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map(|_| ())
        .map_err(|_| ApiError::body_too_large(BODY_LIMIT))
}
