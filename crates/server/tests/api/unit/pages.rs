//! The shapes of a `redirect_url` the hosted pages (`pages/mod.rs`) refuse before any origin is asked.

use usher_core::redirects::Target;

#[test]
fn redirect_shapes() {
    for bad in [
        "//evil.example",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        " /x",
        "",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,hi",
        "https://user:pw@app.example",
        "https://app.example@evil.example",
        "evil.example",
        "ftp://evil.example",
    ] {
        match Target::parse(bad, true) {
            None => {}
            Some(Target::Url(u)) => {
                assert_eq!(u.host_str(), Some("evil.example"), "{bad:?}");
            }
            Some(other) => panic!("{bad:?} gave {other:?}"),
        }
    }
    assert_eq!(
        Target::parse("/user?x=1", true),
        Some(Target::Path("/user?x=1".into()))
    );
    assert!(matches!(
        Target::parse("https://app.example/x", true),
        Some(Target::Url(u)) if u.host_str() == Some("app.example")
    ));
}
