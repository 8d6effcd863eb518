//! `usher users export`: a subject access request as one JSON document, written only for its
//! owner, audited, with no secrets in it.

use crate::common::{audit_log, fails_in, instance_dir, ok_in, run_in};
use crate::users::user_with_sessions;

#[test]
fn usher_users_export_writes_everything_about_a_user_and_no_secrets() {
    let dir = instance_dir();
    let d = dir.path();
    let (id, sessions) = user_with_sessions(d);

    // To stdout, the user named by an identifier.
    let doc: serde_json::Value =
        serde_json::from_str(&ok_in(d, "users", &["export", "ada@example.com"])).unwrap();
    assert_eq!(doc["object"], "user_export");
    assert_eq!(doc["user"]["id"], id.as_str());
    assert_eq!(
        doc["user"]["email_addresses"][0]["email_address"],
        "Ada@Example.com"
    );
    assert!(doc["user"]["private_metadata"].is_object());
    assert_eq!(
        doc["user"]["phone_numbers"][0]["phone_number"],
        "+14155550100"
    );
    assert_eq!(
        doc["mfa"],
        serde_json::json!({"totp_enabled": false, "backup_codes_remaining": 0})
    );
    let mut listed: Vec<String> = doc["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    let mut expected = sessions.clone();
    expected.sort();
    assert_eq!(listed, expected);
    for section in [
        "organization_memberships",
        "organization_invitations",
        "api_keys",
        "emails",
        "sms_messages",
        "events",
        "audit_entries",
    ] {
        assert!(doc[section].is_array(), "{section}: {doc}");
    }
    assert!(
        doc["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "user.created"),
        "{doc}"
    );
    let text = doc.to_string();
    for secret in ["password_digest", "$argon2", "totp_secret", "\"secret\""] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }

    // To a file only its owner may read.
    let file = d.join("ada.json");
    let out = run_in(
        d,
        "users",
        &["export", &id, "--output", file.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(written["user"]["id"], id.as_str());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let exports = audit_log(d)
        .into_iter()
        .filter(|(actor, action, target)| {
            actor == "cli" && action == "user.export" && target.as_deref() == Some(id.as_str())
        })
        .count();
    assert_eq!(exports, 2, "each export is audited");
    assert!(fails_in(d, "users", &["export", "user_missing"]).contains("not found"));
}
