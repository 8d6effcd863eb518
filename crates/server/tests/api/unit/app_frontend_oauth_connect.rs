//! Unit tests of `app/frontend/oauth_connect.rs`.
use usher_server::app::frontend::oauth_connect::scopes_with;

#[test]
fn additional_scopes_are_added_once() {
    let extra = vec!["email calendar".to_owned(), "drive,calendar".to_owned()];
    assert_eq!(
        scopes_with("openid email profile", &extra),
        "openid email profile calendar drive"
    );
    assert_eq!(scopes_with("", &[]), "");
}
