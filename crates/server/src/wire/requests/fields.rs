//! How one request field is read: `#[serde(with = "fields::…")]` helpers that keep Clerk's
//! distinctions. `null` is an absent field except where a field is nullable (`null` clears it);
//! a wrong JSON type is `form_param_format_invalid`; a value the field cannot take is
//! `form_param_value_invalid`. serde reports missing and unknown fields itself; `Fault` carries
//! the other two kinds through serde's string-only custom errors to `extract::body`, which turns
//! every error into the `CoreError` naming the parameter.

use serde::Deserialize;
use serde::de::{Deserializer, Error};
use serde_json::Value;
use usher_core::users::model::Metadata;

use crate::extract::body::parse_rfc3339;

const FORMAT: &str = "\u{1}format\u{1}";
const VALUE: &str = "\u{1}value\u{1}";
const MISSING: &str = "\u{1}missing\u{1}";

/// What a field helper found wrong, as read back from a deserialization error's message.
#[derive(Debug, PartialEq, Eq)]
pub enum Fault<'a> {
    Format(&'a str),
    Value(&'a str),
    Missing,
    /// A field serde was told is required (`missing field `x``).
    MissingField(&'a str),
    /// `unknown field `x`, expected …`
    UnknownField(&'a str),
    /// Any other serde message (a type it checked itself).
    Other(&'a str),
}

impl<'a> Fault<'a> {
    pub fn read(message: &'a str) -> Self {
        if let Some(r) = message.strip_prefix(FORMAT) {
            Fault::Format(r)
        } else if let Some(r) = message.strip_prefix(VALUE) {
            Fault::Value(r)
        } else if message.starts_with(MISSING) {
            Fault::Missing
        } else if let Some(name) = quoted(message, "missing field `") {
            Fault::MissingField(name)
        } else if let Some(name) = quoted(message, "unknown field `") {
            Fault::UnknownField(name)
        } else {
            Fault::Other(message)
        }
    }
}

/// The name serde put between backticks after `prefix` (names may hold backticks themselves).
fn quoted<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = message.strip_prefix(prefix)?;
    ["`, expected", "`, there are no fields"]
        .iter()
        .find_map(|tail| rest.find(tail).map(|end| &rest[..end]))
        .or_else(|| rest.strip_suffix('`'))
}

pub fn format<E: Error>(reason: &str) -> E {
    E::custom(format_args!("{FORMAT}{reason}"))
}

pub fn value<E: Error>(reason: &str) -> E {
    E::custom(format_args!("{VALUE}{reason}"))
}

fn missing<E: Error>() -> E {
    E::custom(MISSING)
}

/// `Option<String>`: `null` is absent.
pub mod string {
    use super::*;
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s)),
            _ => Err(format("must be a string")),
        }
    }
}

/// A string that must be given: absent, `null` and `""` are all missing.
pub mod required_string {
    use super::*;
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Err(missing()),
            Value::String(s) => Ok(s),
            _ => Err(format("must be a string")),
        }
    }
}

/// `Option<Option<String>>`: absent is `None` (leave it), `null` or `""` is `Some(None)` (clear it).
pub mod nullable_string {
    use super::*;
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(Some(None)),
            Value::String(s) if s.is_empty() => Ok(Some(None)),
            Value::String(s) => Ok(Some(Some(s))),
            _ => Err(format("must be a string or null")),
        }
    }
}

/// `Option<bool>`.
pub mod boolean {
    use super::*;
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            Value::Bool(b) => Ok(Some(b)),
            _ => Err(format("must be a boolean")),
        }
    }
}

/// `bool`, false unless given as `true`.
pub mod flag {
    use super::*;
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        Ok(boolean::deserialize(d)?.unwrap_or(false))
    }
}

fn integer<E: Error>(v: &Value) -> Result<i64, E> {
    v.as_i64().ok_or_else(|| format("must be an integer"))
}

/// `Option<i64>`.
pub mod int {
    use super::*;
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            v => integer(&v).map(Some),
        }
    }
}

/// An `i64` that must be given.
pub mod required_int {
    use super::*;
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Err(missing()),
            v => integer(&v),
        }
    }
}

/// `Option<Option<i64>>`: `null` clears.
pub mod nullable_int {
    use super::*;
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(Some(None)),
            v => integer(&v).map(|n| Some(Some(n))),
        }
    }
}

const NOT_STRINGS: &str = "must be an array of strings";

/// The items of a JSON array, each a string; anything else is refused with `reason`.
pub fn strings<E: Error>(items: Vec<Value>, reason: &str) -> Result<Vec<String>, E> {
    items
        .into_iter()
        .map(|v| match v {
            Value::String(s) => Ok(s),
            _ => Err(format(reason)),
        })
        .collect()
}

/// An array of strings; `null` is absent, anything else is refused with `reason`.
pub fn optional_strings<'de, D: Deserializer<'de>>(
    d: D,
    reason: &str,
) -> Result<Option<Vec<String>>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Array(items) => strings(items, reason).map(Some),
        _ => Err(format(reason)),
    }
}

/// A string or an array of strings, as Clerk accepts for `email_address` and `phone_number`.
pub mod string_list {
    use super::*;
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(Vec::new()),
            Value::String(s) => Ok(vec![s]),
            Value::Array(items) => strings(items, NOT_STRINGS),
            _ => Err(format(NOT_STRINGS)),
        }
    }
}

/// An array of strings that must be given.
pub mod required_string_array {
    use super::*;
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Err(missing()),
            Value::Array(items) => strings(items, NOT_STRINGS),
            _ => Err(format(NOT_STRINGS)),
        }
    }
}

/// A metadata object; `null` is absent.
pub mod metadata {
    use super::*;
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Metadata>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            Value::Object(map) => Ok(Some(map)),
            _ => Err(format("must be a JSON object")),
        }
    }
}

const RFC3339: &str = "must be an RFC 3339 date-time, e.g. 2012-10-20T07:15:20.902Z";

fn date_time<E: Error>(v: Value) -> Result<i64, E> {
    match v {
        Value::String(s) => parse_rfc3339(&s).ok_or_else(|| format(RFC3339)),
        _ => Err(format("must be a string")),
    }
}

/// An RFC 3339 date-time, as epoch milliseconds.
pub mod rfc3339 {
    use super::*;
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            v => date_time(v).map(Some),
        }
    }
}

/// A date-time that `null` clears.
pub mod nullable_rfc3339 {
    use super::*;
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(Some(None)),
            v => date_time(v).map(|t| Some(Some(t))),
        }
    }
}

/// A parameter Clerk defines that Usher does not implement yet: accepted when absent or `null`,
/// refused with any value, so nothing a caller sends is silently dropped.
pub mod unsupported {
    use super::*;
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<(), D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(()),
            _ => Err(value("is not supported by this server yet")),
        }
    }
}

/// Frontend API forms: every value arrives as a string (`application/x-www-form-urlencoded`,
/// or a JSON object whose scalars are read as their text), and an empty value is absent unless a
/// field says otherwise.
pub mod form {
    use super::*;

    fn text_of<E: Error>(v: Value) -> Result<Option<String>, E> {
        match v {
            Value::Null => Ok(None),
            Value::String(s) if s.is_empty() => Ok(None),
            Value::String(s) => Ok(Some(s)),
            other => Ok(Some(other.to_string())),
        }
    }

    /// `Option<String>`: a non-empty value (passwords keep their spaces).
    pub mod text {
        use super::*;
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
            text_of(Value::deserialize(d)?)
        }
    }

    /// `Option<String>` present even when empty (`active_organization_id=` clears it).
    pub mod raw {
        use super::*;
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
            match Value::deserialize(d)? {
                Value::String(s) => Ok(Some(s)),
                v => text_of(v),
            }
        }
    }

    /// A non-empty value that must be given.
    pub mod required {
        use super::*;
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
            text_of(Value::deserialize(d)?)?.ok_or_else(missing)
        }
    }

    /// `true` or `false`; absent is false.
    pub mod flag {
        use super::*;
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
            match text_of(Value::deserialize(d)?)?.as_deref() {
                None | Some("false") => Ok(false),
                Some("true") => Ok(true),
                Some(_) => Err(format("must be true or false")),
            }
        }
    }

    /// A JSON object sent as a string (`unsafe_metadata`).
    pub mod metadata {
        use super::*;
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Metadata>, D::Error> {
            match text_of(Value::deserialize(d)?)? {
                None => Ok(None),
                Some(s) => match serde_json::from_str::<Value>(&s) {
                    Ok(Value::Object(m)) => Ok(Some(m)),
                    _ => Err(format("must be a JSON object")),
                },
            }
        }
    }
}
