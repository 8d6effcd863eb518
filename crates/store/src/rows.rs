//! Serialisation of domain records to the `doc` column, shared by every backend.

use serde::Serialize;
use serde::de::DeserializeOwned;
use usher_core::error::Cause;
use usher_core::store::{StoreError, StoreResult};

pub fn to_doc<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Backend {
        operation: StoreError::QUERY,
        cause: Cause::context("cannot encode record", e),
    })
}

pub fn from_doc<T: DeserializeOwned>(doc: &str) -> StoreResult<T> {
    serde_json::from_str(doc).map_err(|e| StoreError::Backend {
        operation: StoreError::QUERY,
        cause: Cause::context("cannot decode stored record", e),
    })
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
pub fn like_contains(needle: &str) -> String {
    let mut s = String::with_capacity(needle.len() + 2);
    s.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}
