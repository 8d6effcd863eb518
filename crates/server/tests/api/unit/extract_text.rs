//! Unit tests of `extract/text.rs`.
#![allow(clippy::unwrap_used)]

use usher_server::extract::text::*;

#[test]
fn queries_with_control_characters_are_refused_by_name() {
    assert!(check_query("query=ann&limit=10").is_ok());
    assert!(check_query("query=%25_%5C").is_ok());
    assert!(check_query("query=caf%C3%A9").is_ok());
    for bad in [
        "query=%00",
        "email_address=a%0Ab",
        "x=1&user_id=%1F",
        "q=%7F",
    ] {
        assert!(check_query(bad).is_err(), "{bad}");
    }
    let e = check_query("a=1&bad%00name=x").unwrap_err();
    assert_eq!(e.status.as_u16(), 422);
}

#[test]
fn nul_is_found_at_any_depth() {
    let body = serde_json::json!({"first_name": "Ann", "public_metadata": {"a": ["x", "y\u{0}"]}});
    let map = body.as_object().unwrap();
    assert!(check_json_fields(map).is_err());
    let ok = serde_json::json!({"first_name": "Ann\tLee", "public_metadata": {"a": "line\nbreak"}});
    assert!(check_json_fields(ok.as_object().unwrap()).is_ok());
    let key = serde_json::json!({"unsafe_metadata": {"k\u{0}": 1}});
    assert!(check_json_fields(key.as_object().unwrap()).is_err());
}

#[test]
fn names_are_echoed_printable_and_bounded() {
    assert_eq!(printable("a\u{0}b"), "a\u{FFFD}b");
    assert_eq!(printable(&"x".repeat(500)).len(), NAME_LIMIT);
}
