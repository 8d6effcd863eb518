//! Unit tests of `fapi/form.rs`.
#![allow(clippy::unwrap_used)]
use usher_server::error::ApiError;

use usher_server::fapi::form::*;
use usher_server::wire::requests::frontend::{ChangePasswordForm, TouchForm};

fn urlencoded(body: &str) -> Form {
    Form::from_pairs(
        form_urlencoded::parse(body.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())),
    )
}

#[test]
fn a_repeated_key_is_read_whole_as_a_list() {
    let f = urlencoded("email_address=a%40x.io&role=org%3Amember&email_address=b%40x.io");
    assert_eq!(f.all("email_address"), ["a@x.io", "b@x.io"]);
    assert_eq!(f.all("role"), ["org:member"]);
    assert!(f.all("missing").is_empty());
    assert_eq!(urlencoded("ids[]=1&ids[]=2").all("ids"), ["1", "2"]);
    let j = Form::from_json(br#"{"email_address":["a@x.io","b@x.io"],"role":"r"}"#).unwrap();
    assert_eq!(j.all("email_address"), ["a@x.io", "b@x.io"]);
    assert_eq!(j.all("role"), ["r"]);
}

fn fault(r: Result<ChangePasswordForm, ApiError>) -> (&'static str, String) {
    let e = r.err().unwrap();
    let param = e.detail.meta["param_name"].as_str().unwrap().to_owned();
    (e.code, param)
}

#[test]
fn forms_are_read_by_field_and_faults_named() {
    let f: ChangePasswordForm = urlencoded(
        "new_password=a+b&sign_out_of_other_sessions=true&tab_state=x&current_password=",
    )
    .read()
    .unwrap();
    assert_eq!(f.new_password, "a b");
    assert!(f.sign_out_of_other_sessions);
    assert_eq!(f.current_password, None);
    assert_eq!(
        fault(urlencoded("new_password=").read()),
        ("form_param_missing", "new_password".to_owned())
    );
    assert_eq!(
        fault(urlencoded("new_password=x&sign_out_of_other_sessions=yes").read()),
        (
            "form_param_format_invalid",
            "sign_out_of_other_sessions".to_owned()
        )
    );
    // An empty organization is kept: it clears the active one.
    let t: TouchForm = urlencoded("active_organization_id=").read().unwrap();
    assert_eq!(t.active_organization_id.as_deref(), Some(""));
    // JSON: scalars read as their text, a key given twice refused.
    let j = Form::from_json(br#"{"new_password":"p","sign_out_of_other_sessions":true}"#).unwrap();
    assert!(
        j.read::<ChangePasswordForm>()
            .unwrap()
            .sign_out_of_other_sessions
    );
    let dup = Form::from_json(br#"{"code":"1","code":"2"}"#)
        .err()
        .unwrap();
    assert_eq!(dup.code, "form_param_format_invalid");
    assert_eq!(
        Form::from_json(b"[1]").err().unwrap().code,
        "request_body_invalid"
    );
}
