//! `usher operators`: created with a one-time password and a TOTP enrolment that work against
//! the stored credentials, listed, reset, removed; each write audited as `cli`.

use std::io::Write as _;
use std::process::Stdio;

use serde_json::Value;
use usher_core::mfa::totp;

use crate::common::{audit_log, fails_in, instance_dir, ok_in, on_backend, usher};

#[test]
fn operators_are_added_listed_reset_and_removed() {
    let dir = instance_dir();
    let d = dir.path();

    let out = ok_in(
        d,
        "operators",
        &["add", "Ada@Example.com", "--role", "admin"],
    );
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("One-time password: "))
        .expect("a generated password")
        .to_owned();
    assert_eq!(password.len(), 24, "{out}");
    let secret = out
        .lines()
        .find_map(|l| l.strip_prefix("TOTP secret: "))
        .expect("the TOTP secret")
        .to_owned();
    let uri = out
        .lines()
        .find_map(|l| l.strip_prefix("TOTP enrolment URI: "))
        .expect("the enrolment URI");
    assert!(uri.starts_with("otpauth://totp/"), "{uri}");
    assert!(uri.contains(&format!("secret={secret}")), "{uri}");
    assert!(uri.contains("ada%40example.com"), "{uri}");
    assert!(totp::code_at_step(&secret, 1).is_some(), "a usable secret");

    // The address is taken, whatever its case; a role must be one of the two.
    let taken = fails_in(
        d,
        "operators",
        &["add", "ada@example.com", "--role", "support"],
    );
    assert!(
        taken.contains("taken") || taken.contains("exists"),
        "{taken}"
    );
    fails_in(d, "operators", &["add", "x@example.com", "--role", "root"]);

    // A password piped in is taken as given (and not printed).
    let mut cmd = usher();
    let mut child = on_backend(&mut cmd, d)
        .args(["operators", "add", "bob@example.com", "--role", "support"])
        .args(["--password-stdin", "--json", "--data-dir"])
        .arg(d)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery staple\n")
        .unwrap();
    let added = child.wait_with_output().unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let bob: Value = serde_json::from_slice(&added.stdout).unwrap();
    assert_eq!(bob["role"], "support");
    assert_eq!(bob["password"], Value::Null);
    assert!(
        bob["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://")
    );

    let list: Value = serde_json::from_str(&ok_in(d, "operators", &["list", "--json"])).unwrap();
    let rows: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["email"].as_str().unwrap().to_owned(),
                o["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("ada@example.com".to_owned(), "admin".to_owned()),
            ("bob@example.com".into(), "support".into())
        ]
    );
    let text = ok_in(d, "operators", &["list"]);
    assert!(text.contains("ada@example.com\tadmin\top_"), "{text}");

    let reset = ok_in(d, "operators", &["reset", "ada@example.com"]);
    let new_secret = reset
        .lines()
        .find_map(|l| l.strip_prefix("TOTP secret: "))
        .expect("a new TOTP secret");
    assert_ne!(new_secret, secret, "TOTP enrolled again");
    assert!(reset.contains("One-time password: "));

    let removed = ok_in(d, "operators", &["remove", "bob@example.com"]);
    assert!(removed.contains("bob@example.com"), "{removed}");
    let missing = fails_in(d, "operators", &["remove", "bob@example.com"]);
    assert!(missing.contains("not found"), "{missing}");
    let list = ok_in(d, "operators", &["list"]);
    assert!(!list.contains("bob@"), "{list}");

    let audited: Vec<(String, String)> = audit_log(d)
        .into_iter()
        .filter(|(_, action, _)| action.starts_with("operator."))
        .map(|(actor, action, _)| (actor, action))
        .collect();
    assert_eq!(
        audited,
        [
            ("cli".to_owned(), "operator.delete".to_owned()),
            ("cli".into(), "operator.reset".into()),
            ("cli".into(), "operator.create".into()),
            ("cli".into(), "operator.create".into()),
        ]
    );
}
