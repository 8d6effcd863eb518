//! Reading the JSON the server answers.

use serde_json::Value;

/// The string `field` of each item of the JSON array `list`, in order; every item must have
/// one. Most listings are checked this way: by the names, keys or ids they hold.
#[track_caller]
pub fn each_str<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    let items = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"));
    items
        .iter()
        .map(|item| {
            item[field]
                .as_str()
                .unwrap_or_else(|| panic!("no string {field} in {item}"))
        })
        .collect()
}
