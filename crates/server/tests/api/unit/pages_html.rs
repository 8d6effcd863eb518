//! Unit tests of `pages/html.rs`.

use usher_server::pages::html::*;

#[test]
fn text_and_attributes_are_escaped() {
    let mut h = Html::new();
    h.el(
        "a",
        &[("href", Some("/x?a=1&b=\"><script>")), ("hidden", Some(""))],
        "<b>'hi'</b> & bye",
    );
    assert_eq!(
        h.into_string(),
        "<a href=\"/x?a=1&amp;b=&quot;&gt;&lt;script&gt;\" hidden>&lt;b&gt;&#39;hi&#39;&lt;/b&gt; &amp; bye</a>"
    );
}

#[test]
fn fields_name_their_label_hint_and_error() {
    let mut h = Html::new();
    Field::new("code", "Code", "text")
        .code()
        .hint("Six digits")
        .error(Some("Incorrect code"))
        .value("12<3")
        .render(&mut h);
    let s = h.into_string();
    assert!(s.contains("<label for=\"f-code\">Code</label>"));
    assert!(s.contains("aria-describedby=\"f-code-hint f-code-error\""));
    assert!(s.contains("aria-invalid=\"true\""));
    assert!(s.contains("role=\"alert\"><strong>Error:</strong> Incorrect code</p>"));
    assert!(s.contains("value=\"12&lt;3\""));
}

#[test]
fn passwords_are_not_echoed() {
    let mut h = Html::new();
    Field::new("password", "Password", "password")
        .value("hunter2")
        .render(&mut h);
    assert!(!h.into_string().contains("hunter2"));
}
