//! Metadata updates: `PATCH` deep-merges and deletes keys set to `null`; `PUT` replaces.

use serde_json::{Map, Value};

use super::model::Metadata;
use crate::error::{CoreError, CoreResult};

/// Clerk's limit on the serialised size of all of a user's metadata together.
pub const METADATA_MAX_BYTES: usize = 8 * 1024;

pub fn deep_merge(target: &mut Metadata, patch: &Metadata) {
    for (key, value) in patch {
        match value {
            Value::Null => {
                target.remove(key);
            }
            Value::Object(patch_obj) => match target.get_mut(key) {
                Some(Value::Object(existing)) => deep_merge(existing, patch_obj),
                _ => {
                    let mut fresh = Map::new();
                    deep_merge(&mut fresh, patch_obj);
                    target.insert(key.clone(), Value::Object(fresh));
                }
            },
            other => {
                target.insert(key.clone(), other.clone());
            }
        }
    }
}

/// Metadata arrives as any JSON value; only an object (or null for "leave alone") is acceptable.
pub fn expect_object(param: &str, value: Value) -> CoreResult<Option<Metadata>> {
    match value {
        Value::Null => Ok(None),
        Value::Object(map) => Ok(Some(map)),
        _ => Err(CoreError::format(param, "must be a JSON object")),
    }
}

pub fn check_size(public: &Metadata, private: &Metadata, unsafe_: &Metadata) -> CoreResult<()> {
    let size = |m: &Metadata| serde_json::to_vec(m).map(|v| v.len()).unwrap_or(usize::MAX);
    if size(public)
        .saturating_add(size(private))
        .saturating_add(size(unsafe_))
        > METADATA_MAX_BYTES
    {
        return Err(CoreError::value(
            "public_metadata",
            "metadata may not exceed 8 KB in total",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Metadata {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn merges_deeply_and_null_deletes() {
        let mut m = obj(json!({"a": 1, "n": {"x": 1, "y": 2}, "gone": true}));
        deep_merge(
            &mut m,
            &obj(json!({"n": {"y": null, "z": 3}, "gone": null, "b": [1]})),
        );
        assert_eq!(
            Value::Object(m),
            json!({"a": 1, "n": {"x": 1, "z": 3}, "b": [1]})
        );
    }

    #[test]
    fn nested_nulls_in_new_objects_are_dropped() {
        let mut m = Metadata::new();
        deep_merge(&mut m, &obj(json!({"n": {"k": null, "v": 1}})));
        assert_eq!(Value::Object(m), json!({"n": {"v": 1}}));
    }
}
