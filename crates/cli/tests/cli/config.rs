//! `usher config`: every setting with its source, changed through the Backend API's use case,
//! and the export → drift → apply round a quarterly review runs.

use std::path::Path;
use std::process::Output;

use crate::common::{instance_dir, ok_in, run_in, runtime, stored};

fn config(dir: &Path, args: &[&str]) -> Output {
    run_in(dir, "config", args)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn settings_are_listed_read_and_set_with_their_sources() {
    let dir = instance_dir();
    let d = dir.path();

    let listed: serde_json::Value =
        serde_json::from_str(&ok_in(d, "config", &["list", "--json"])).unwrap();
    let entries = listed.as_array().unwrap();
    assert!(entries.len() >= 15, "{listed}");
    assert!(entries.iter().all(|e| e["source"] == "default"), "{listed}");

    let set = ok_in(d, "config", &["set", "password_min_length", "12"]);
    assert!(set.contains("password_min_length = 12 (database)"), "{set}");
    assert_eq!(
        ok_in(d, "config", &["get", "password_min_length"]).trim(),
        "12\tdatabase"
    );
    // A serve flag given here shows what a server started with it would use.
    assert_eq!(
        ok_in(
            d,
            "config",
            &["get", "client_trust", "--client-trust", "false"]
        )
        .trim(),
        "false\tflag"
    );
    let table = ok_in(d, "config", &["list", "--lockout-attempts", "3"]);
    let line = |key: &str| {
        table
            .lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("{table}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        line("max_verification_attempts"),
        ["max_verification_attempts", "3", "flag"]
    );
    assert_eq!(
        line("password_min_length"),
        ["password_min_length", "12", "database"]
    );
    assert_eq!(line("client_trust"), ["client_trust", "true", "default"]);

    // Bad values: the Backend API's error, and nothing changes.
    for (key, value, code) in [
        ("password_min_length", "7", "form_param_value_invalid"),
        ("password_max_length", "100", "form_param_value_invalid"),
        ("client_trust", "maybe", "form_param_format_invalid"),
        ("no_such_setting", "1", "form_param_value_invalid"),
    ] {
        let out = config(d, &["set", key, value]);
        assert!(!out.status.success(), "{key}={value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(code), "{key}={value}: {err}");
    }
    assert_eq!(
        ok_in(d, "config", &["get", "password_min_length"]).trim(),
        "12\tdatabase"
    );
    // `default` follows the default again.
    ok_in(d, "config", &["set", "password_min_length", "default"]);
    assert_eq!(
        ok_in(d, "config", &["get", "password_min_length"]).trim(),
        "8\tdefault"
    );
    // Audited as the Backend API's change is.
    let actions = audit_actions(d);
    assert_eq!(
        actions
            .iter()
            .filter(|a| a.as_str() == "instance.settings.update")
            .count(),
        2,
        "{actions:?}"
    );
}

/// The audit log's actions, newest first.
fn audit_actions(dir: &Path) -> Vec<String> {
    runtime().block_on(async {
        let (store, ins) = stored(dir).await;
        let log = store.audit_log(&ins, 100).await.unwrap();
        log.into_iter().map(|a| a.action).collect()
    })
}

#[test]
fn an_export_finds_drift_and_apply_puts_it_back() {
    let dir = instance_dir();
    let d = dir.path();
    ok_in(d, "config", &["set", "organizations_enabled", "true"]);
    ok_in(d, "instance", &["branding", "--name", "Acme"]);
    let good = d.join("last-known-good.json");
    ok_in(d, "config", &["export", good.to_str().unwrap()]);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&good).unwrap()).unwrap();
    assert_eq!(doc["object"], "usher_instance_config");
    assert_eq!(doc["settings"]["organizations_enabled"], true);
    assert_eq!(doc["branding"]["application_name"], "Acme");
    assert_eq!(doc["session_claims"], serde_json::json!({}));
    let text = std::fs::read_to_string(&good).unwrap();
    assert!(!text.contains("sk_"), "no secret in an export: {text}");

    // Equal: exit 0, nothing printed.
    let same = config(d, &["diff", good.to_str().unwrap()]);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(stdout(&same).trim(), "");

    // Drift: exit 1, naming each difference.
    ok_in(d, "config", &["set", "session_token_lifetime_secs", "300"]);
    ok_in(d, "instance", &["branding", "--name", "Evil"]);
    let drift = config(d, &["diff", good.to_str().unwrap()]);
    assert_eq!(drift.status.code(), Some(1));
    let printed = stdout(&drift);
    assert!(
        printed.contains("settings.session_token_lifetime_secs: 300 (live) -> 60 (file)"),
        "{printed}"
    );
    assert!(
        printed.contains("branding.application_name: \"Evil\" (live) -> \"Acme\" (file)"),
        "{printed}"
    );

    // A dry run prints the same and writes nothing.
    let dry = ok_in(d, "config", &["apply", good.to_str().unwrap(), "--dry-run"]);
    assert!(
        dry.contains("settings.session_token_lifetime_secs"),
        "{dry}"
    );
    assert!(dry.contains("Dry run"), "{dry}");
    assert_eq!(
        config(d, &["diff", good.to_str().unwrap()]).status.code(),
        Some(1)
    );
    assert_eq!(
        ok_in(d, "config", &["get", "session_token_lifetime_secs"]).trim(),
        "300\tdatabase"
    );

    let applied = ok_in(d, "config", &["apply", good.to_str().unwrap()]);
    assert!(applied.contains("Applied 2 change(s)"), "{applied}");
    let after = config(d, &["diff", good.to_str().unwrap()]);
    assert_eq!(after.status.code(), Some(0), "{}", stdout(&after));
    assert_eq!(audit_actions(d)[0], "instance.config.apply");
    assert_eq!(
        ok_in(d, "config", &["get", "session_token_lifetime_secs"]).trim(),
        "60\tdatabase"
    );

    // A file that is not an export cannot be compared: exit 2, not drift.
    let bad = d.join("bad.json");
    std::fs::write(&bad, r#"{"settings": {"client_trust": "yes"}}"#).unwrap();
    assert_eq!(
        config(d, &["diff", bad.to_str().unwrap()]).status.code(),
        Some(2)
    );
    let out = config(d, &["apply", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    // A bad value in an export is refused by apply, and changes nothing.
    let mut tampered = doc.clone();
    tampered["settings"]["password_min_length"] = serde_json::json!(4);
    let tampered_file = d.join("tampered.json");
    std::fs::write(&tampered_file, tampered.to_string()).unwrap();
    let out = config(d, &["apply", tampered_file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("password_min_length"));
    assert_eq!(
        config(d, &["diff", good.to_str().unwrap()]).status.code(),
        Some(0)
    );
}

/// The checklist's drift review: a change made through another node (a running server's
/// Backend API, as an operator's script or Clerk's SDK would) shows in `usher config diff`
/// against the last-known-good file, and `apply` puts it back.
#[test]
fn drift_made_on_another_node_is_found() {
    let dir = instance_dir();
    let d = dir.path();
    let good = d.join("last-known-good.json");
    ok_in(d, "config", &["export", good.to_str().unwrap()]);

    let (server, _) = crate::common::serve_with(d, &[]);
    let keys = crate::common::keys_json(d);
    let (api, sk) = (
        keys["api_url"].as_str().unwrap(),
        keys["secret_key"].as_str().unwrap(),
    );
    let (status, body) = crate::common::http(
        "PATCH",
        &format!("{api}/v1/instance/organization_settings"),
        Some(sk),
        Some(r#"{"enabled":true,"max_allowed_memberships":7}"#),
    );
    assert_eq!(status, 200, "{body}");

    let drift = config(d, &["diff", good.to_str().unwrap()]);
    assert_eq!(drift.status.code(), Some(1));
    let printed = stdout(&drift);
    assert!(
        printed.contains("settings.organization_max_allowed_memberships: 7 (live)"),
        "{printed}"
    );
    assert!(
        printed.contains("settings.organizations_enabled"),
        "{printed}"
    );
    drop(server);

    ok_in(d, "config", &["apply", good.to_str().unwrap()]);
    assert_eq!(
        config(d, &["diff", good.to_str().unwrap()]).status.code(),
        Some(0)
    );
}
