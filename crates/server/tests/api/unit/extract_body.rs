//! Unit tests of `extract/body.rs`.
#![allow(clippy::unwrap_used)]
use serde::Deserialize;
use serde::de::DeserializeOwned;
use usher_server::error::ApiError;

use usher_server::extract::body::*;
use usher_server::wire::requests::fields;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Probe {
    #[serde(default, with = "fields::string")]
    x: Option<String>,
    #[serde(default, with = "fields::int")]
    n: Option<i64>,
    #[serde(default, with = "fields::string_list")]
    s: Vec<String>,
    #[serde(default, with = "fields::nullable_string")]
    c: Option<Option<String>>,
    #[serde(default, with = "fields::metadata")]
    m: Option<usher_core::users::model::Metadata>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Needs {
    #[serde(with = "fields::required_string")]
    #[allow(dead_code)]
    password: String,
}

fn status(r: Result<JsonBody<Probe>, ApiError>) -> Option<u16> {
    r.err().map(|e| e.status.as_u16())
}

fn fault<T: DeserializeOwned + std::fmt::Debug>(body: &str) -> (String, Option<String>) {
    let e = JsonBody::<T>::parse(body.as_bytes()).err().unwrap();
    (
        e.code.to_owned(),
        e.detail.meta["param_name"].as_str().map(str::to_owned),
    )
}

#[test]
fn parses_edge_cases() {
    assert!(JsonBody::<Probe>::parse(b"").is_ok());
    assert!(JsonBody::<Probe>::parse(b"  \n").is_ok());
    assert_eq!(status(JsonBody::parse(b"[1]")), Some(400));
    assert_eq!(status(JsonBody::parse(b"{\"a\":")), Some(400));
    assert_eq!(status(JsonBody::parse(b"{} {}")), Some(400));
    assert_eq!(status(JsonBody::parse(&[b'{', 0xff, b'}'])), Some(400));
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(
        status(JsonBody::parse(format!("{{\"m\":{deep}}}").as_bytes())),
        Some(400)
    );
    assert_eq!(
        parse_rfc3339("2012-10-20T07:15:20.902Z"),
        Some(1_350_717_320_902)
    );
    assert_eq!(parse_rfc3339("yesterday"), None);
    let b = JsonBody::<Probe>::parse(br#"{"x":null,"c":null}"#)
        .unwrap()
        .0;
    assert_eq!(b.x, None);
    assert_eq!(b.c, Some(None));
    assert_eq!(JsonBody::<Probe>::parse(b"{}").unwrap().0.c, None);
}

#[test]
fn each_fault_names_its_parameter() {
    let cases = [
        (r#"{"n":1.5}"#, "form_param_format_invalid", "n"),
        (r#"{"s":["a",2]}"#, "form_param_format_invalid", "s"),
        (r#"{"m":[1]}"#, "form_param_format_invalid", "m"),
        (r#"{"x":"a","zz":1}"#, "form_param_unknown", "zz"),
        (r#"{"x":"a","x":"b"}"#, "form_param_format_invalid", "x"),
        (r#"{"m":{"k":1,"k":2}}"#, "form_param_format_invalid", "m.k"),
        (r#"{"x":"a\u0000"}"#, "form_param_format_invalid", "x"),
    ];
    for (body, code, param) in cases {
        assert_eq!(
            fault::<Probe>(body),
            (code.to_owned(), Some(param.to_owned())),
            "{body}"
        );
    }
    for body in ["{}", r#"{"password":null}"#] {
        assert_eq!(
            fault::<Needs>(body),
            ("form_param_missing".to_owned(), Some("password".to_owned())),
            "{body}"
        );
    }
}
