//! Unit tests of `wire/requests/fields.rs`.

use usher_server::wire::requests::fields::*;

#[test]
fn faults_read_back_from_messages() {
    let f: serde_json::Error = format("must be a string");
    assert_eq!(
        Fault::read(&f.to_string()),
        Fault::Format("must be a string")
    );
    let v: serde_json::Error = value("too many");
    assert_eq!(Fault::read(&v.to_string()), Fault::Value("too many"));
    assert_eq!(
        Fault::read("missing field `user_ids`"),
        Fault::MissingField("user_ids")
    );
    assert_eq!(
        Fault::read("unknown field `a`b`, expected one of `x`, `y`"),
        Fault::UnknownField("a`b")
    );
    assert_eq!(
        Fault::read("unknown field `z`, there are no fields"),
        Fault::UnknownField("z")
    );
    assert_eq!(Fault::read("invalid type"), Fault::Other("invalid type"));
}
