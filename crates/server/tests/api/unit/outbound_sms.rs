//! Unit tests of `outbound/sms.rs`.

use usher_server::outbound::sms::*;

#[test]
fn the_provider_is_read_from_its_url_or_its_settings() {
    let c = TwilioConfig::from_parts(
        "https://AC123:s%40cret@api.twilio.com?From=%2B14155550100",
        None,
        None,
        None,
    )
    .unwrap();
    assert_eq!(c.base_url, "https://api.twilio.com");
    assert_eq!(c.auth_token, "s@cret");
    assert_eq!(
        c.messages_url(),
        "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json"
    );
    assert_eq!(
        c.form("+447700900123", "123456 is your code"),
        "To=%2B447700900123&From=%2B14155550100&Body=123456+is+your+code"
    );
    assert!(!format!("{c:?}").contains("cret"));
    let c = TwilioConfig::from_parts(
        "http://127.0.0.1:9999/",
        Some("AC9".into()),
        Some("t".into()),
        Some("+14155550100".into()),
    )
    .unwrap();
    assert_eq!(c.base_url, "http://127.0.0.1:9999");
    for bad in [
        "ftp://x",
        "https://api.twilio.com",
        "https://AC1:t@api.twilio.com",
        "https://AC1:t@api.twilio.com?To=1",
    ] {
        assert!(
            TwilioConfig::from_parts(bad, None, None, None).is_err(),
            "{bad}"
        );
    }
    let service =
        TwilioConfig::from_parts("https://AC1:t@h?MessagingServiceSid=MG1", None, None, None)
            .unwrap();
    assert_eq!(
        service.form("+1", "b"),
        "To=%2B1&MessagingServiceSid=MG1&Body=b"
    );
}
