//! Unit tests of `outbound/mail.rs`.
use usher_server::config::MailConfig;

use usher_server::outbound::mail::*;

#[test]
fn smtp_urls() {
    let t = SmtpTarget::parse("smtp://user:p%40ss@mail.example.com").unwrap();
    assert_eq!(
        t,
        SmtpTarget {
            host: "mail.example.com".into(),
            port: 587,
            security: SmtpSecurity::StartTls,
            credentials: Some(("user".into(), "p@ss".into())),
        }
    );
    assert!(!t.describe().contains("p@ss"));
    let t = SmtpTarget::parse("smtps://mail.example.com").unwrap();
    assert_eq!((t.port, t.security), (465, SmtpSecurity::Tls));
    let t = SmtpTarget::parse("smtps://mail.example.com:2465").unwrap();
    assert_eq!(t.port, 2465);
    let t = SmtpTarget::parse("smtp://127.0.0.1:1025?tls=none").unwrap();
    assert_eq!(
        (t.host.as_str(), t.port, t.security, t.credentials),
        ("127.0.0.1", 1025, SmtpSecurity::None, None)
    );
    let t = SmtpTarget::parse("smtp://mailpit?tls=none").unwrap();
    assert_eq!((t.port, t.security), (25, SmtpSecurity::None));
    let t = SmtpTarget::parse("smtp://[::1]:2525?tls=none").unwrap();
    assert_eq!(t.host, "::1");
    // Credentials in plain text only to this machine.
    assert!(SmtpTarget::parse("smtp://u:p@localhost:1025?tls=none").is_ok());
    let e = SmtpTarget::parse("smtp://u:p@mail.example.com?tls=none").unwrap_err();
    assert!(e.to_string().contains("plain text"), "{e}");
    for bad in [
        "http://mail.example.com",
        "smtp://mail.example.com?tls=opportunistic",
        "smtps://mail.example.com?tls=none",
        "smtp://mail.example.com?port=25",
        "smtp://user@mail.example.com",
        "smtp://",
        "mail.example.com",
    ] {
        assert!(SmtpTarget::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_runtime_knows_its_sender() {
    let rt = MailRuntime::new(MailConfig::default()).unwrap();
    assert!(!rt.smtp_configured());
    assert_eq!(rt.from_email_name(), "no-reply");
    let rt = MailRuntime::new(MailConfig {
        smtp_url: Some("smtp://127.0.0.1:2525?tls=none".into()),
        from: "Acme <hello@acme.test>".into(),
        ..MailConfig::default()
    })
    .unwrap();
    assert!(rt.smtp_configured());
    assert_eq!(rt.from_email_name(), "hello");
    assert!(
        MailRuntime::new(MailConfig {
            from: "not a sender".into(),
            ..MailConfig::default()
        })
        .is_err()
    );
}
