//! Unit tests of `pages/account.rs`.

use usher_server::pages::account::*;

#[test]
fn device_names() {
    assert_eq!(
        device_name(Some(
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36"
        )),
        "Chrome (headless) on Linux"
    );
    assert_eq!(
        device_name(Some(
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15"
        )),
        "Safari on macOS"
    );
    assert_eq!(device_name(None), "Unknown device");
    assert_eq!(when(0), "1970-01-01 00:00 UTC");
}
