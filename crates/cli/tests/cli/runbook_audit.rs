//! `usher audit`, the 20-item hardening checklist: a misconfigured production instance fails
//! every item the instance can be judged on, for the right reason, and passes them once fixed
//! through `usher config set`, `usher keys rotate-secret`, `usher webhooks create` and a restart
//! without the bad flag; the app-side heuristics fail a bad source tree item by item (with
//! file:line) and pass a good one. Everything goes through the binary and the Backend API.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{fails_in, http, instance_dir, keys_json, ok_in, run_in, serve_with};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/audit")
        .join(name)
}

/// `usher audit --json …`: its exit code and document.
fn audit(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run_in(dir, "audit", &all);
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), doc)
}

/// The flags auditing the instance served at `api` against `baseline`, with keys older than
/// 5s stale.
fn instance_flags<'a>(api: &'a str, sk: &'a str, baseline: &'a str) -> [&'a str; 8] {
    [
        "--api-url",
        api,
        "--secret-key",
        sk,
        "--baseline",
        baseline,
        "--key-max-age",
        "5s",
    ]
}

fn item(doc: &Value, id: u64) -> &Value {
    doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no item {id} in {doc:#}"))
}

#[track_caller]
fn expect(doc: &Value, id: u64, status: &str, says: &str) {
    let it = item(doc, id);
    let text = format!("{} {}", it["reason"].as_str().unwrap_or(""), it["evidence"]);
    assert_eq!(it["status"], status, "item {id}: {it:#}");
    assert!(text.contains(says), "item {id} should say {says:?}: {it:#}");
}

#[test]
fn the_app_side_items_fail_a_bad_tree_with_evidence_and_pass_a_good_one() {
    let dir = instance_dir();
    let d = dir.path();
    let app_items = "1,2,7,9,10,11,12,13,14,15,18";

    let bad = fixture("bad-app");
    let (code, doc) = audit(d, &["--app", bad.to_str().unwrap(), "--item", app_items]);
    assert_eq!(code, 1, "{doc:#}");
    for (id, says) in [
        (1, ".env.local:2: NEXT_PUBLIC_CLERK_SECRET_KEY is public"),
        (1, "dist/assets/app.js:1: a secret key in a client bundle"),
        (2, ".env.production:1: a test key"),
        (7, "src/server.js:7: a route without requireAuth"),
        (9, "src/webhooks.js:6: no svix"),
        (10, "src/webhooks.js:4: a whsec_ secret in the source"),
        (11, "not keyed on svix-id"),
        (12, "no webhook handler handles user.deleted"),
        (13, "src/server.js:8: a query without org_id/user_id"),
        (14, "src/server.js:13: a role read from metadata"),
        (15, "none of 1 test file(s) uses two organizations"),
        (18, "src/reports.js:6: verified without audience"),
    ] {
        expect(&doc, id, "fail", says);
        assert!(
            item(&doc, id)["reason"]
                .as_str()
                .unwrap()
                .contains("app (heuristic)")
        );
    }
    assert_eq!(doc["summary"]["fail"], 11);
    assert_eq!(doc["items"].as_array().unwrap().len(), 11);

    let good = fixture("good-app");
    let (code, doc) = audit(d, &["--app", good.to_str().unwrap(), "--item", app_items]);
    for id in [1, 7, 9, 10, 11, 12, 13, 14, 15, 18] {
        expect(&doc, id as u64, "pass", "app (heuristic)");
    }
    // Item 2 is judged on both sides: the tree holds no test key, but this instance is a
    // development one, and that fails it.
    expect(
        &doc,
        2,
        "fail",
        "1 production config file(s), no pk_test_/sk_test_ key",
    );
    expect(&doc, 2, "fail", "instance: a development instance");
    assert_eq!(code, 1);
    let (code, _) = audit(
        d,
        &[
            "--app",
            good.to_str().unwrap(),
            "--item",
            "1,7,9,10,11,12,13,14,15,18",
        ],
    );
    assert_eq!(code, 0);

    // Development instances fail the origins item whatever is stored.
    let (_, doc) = audit(d, &["--item", "3"]);
    expect(&doc, 3, "fail", "any localhost origin");
    let err = fails_in(d, "audit", &["--app", "/no/such/dir"]);
    assert!(err.contains("not a directory"), "{err}");
    let err = fails_in(d, "audit", &["--item", "21"]);
    assert!(err.contains("numbered 1 to 20"), "{err}");
}

/// Backend API URL and secret key of the server running in `d` (read with `usher keys`).
fn api_of(d: &Path) -> String {
    keys_json(d)["api_url"].as_str().unwrap().to_owned()
}

/// Waits (up to 60 s: the machine may be loaded) until the server at `api` accepts `sk` and
/// holds each of `values`; the audit reads the server's effective settings, not the database's.
#[track_caller]
fn until_served(api: &str, sk: &str, values: &[(&str, Value)]) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = http(
            "GET",
            &format!("{api}/v1/instance/settings"),
            Some(sk),
            None,
        );
        let held = status == 200
            && serde_json::from_str::<Value>(&body).is_ok_and(|doc| {
                values
                    .iter()
                    .all(|(key, want)| doc["settings"][*key]["value"] == *want)
            });
        if held {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "not served within 60 s: {status} {body}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_misconfigured_instance_fails_each_instance_item_and_passes_once_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (server, banner) = serve_with(
        d,
        &[
            "--environment",
            "production",
            "--key-refresh-secs",
            "1",
            "--cookie-same-site",
            "none",
            "--cross-site-cookies",
        ],
    );
    let created = Instant::now();
    let sk = banner
        .lines()
        .find_map(|l| l.trim().strip_prefix("Secret key:"))
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| panic!("{banner}"));
    assert!(sk.starts_with("sk_live_"), "{banner}");
    let api = api_of(d);
    let baseline = d.join("baseline.json");
    let base = baseline.to_str().unwrap();
    ok_in(d, "config", &["export", base]);

    // Misconfigure. A wildcard origin is refused when set; plain http is allowed but bad.
    let err = fails_in(
        d,
        "config",
        &["set", "allowed_origins", "https://*.example.com"],
    );
    assert!(
        err.contains("allowed_origins") && err.contains("no wildcard"),
        "{err}"
    );
    ok_in(
        d,
        "config",
        &["set", "allowed_origins", "http://app.example.com"],
    );
    ok_in(d, "config", &["set", "session_inactivity_ms", "86400000"]);
    ok_in(
        d,
        "config",
        &["set", "sign_out_other_sessions_on_security_change", "false"],
    );
    let (status, body) = http(
        "POST",
        &format!("{api}/v1/jwt_templates"),
        Some(&sk),
        Some(
            r#"{"name": "reports", "claims": {"email": "{{user.primary_email_address}}"}, "lifetime": 3600}"#,
        ),
    );
    assert_eq!(status, 200, "{body}");
    let template: Value = serde_json::from_str(&body).unwrap();
    // The key is older than the limit given; the running server holds the new settings.
    std::thread::sleep(Duration::from_secs(5).saturating_sub(created.elapsed()));
    until_served(
        &api,
        &sk,
        &[
            ("allowed_origins", json!(["http://app.example.com"])),
            ("session_inactivity_ms", json!(86_400_000)),
            ("sign_out_other_sessions_on_security_change", json!(false)),
        ],
    );

    let flags = instance_flags(&api, &sk, base);
    let (code, doc) = audit(d, &flags);
    assert_eq!(code, 1, "{doc:#}");
    expect(&doc, 2, "pass", "a production instance");
    for (id, says) in [
        (
            3,
            "plain-http origin(s) allowed (database): http://app.example.com",
        ),
        (4, "the oldest accepted secret key, \"default\""),
        (5, "inactivity 1 d (limit 30 min)"),
        (6, "sign_out_other_sessions_on_security_change is off"),
        (8, "SameSite=None"),
        (16, "reports: claim /email carries personal data"),
        (17, "template reports 3600 s (limit 300 s)"),
        (18, "reports (3600 s)"),
        (
            19,
            "no webhook endpoint receives usher.security.sign_in_failure_spike",
        ),
        (20, "settings.allowed_origins"),
    ] {
        expect(&doc, id, "fail", says);
        assert!(!item(&doc, id)["fix"].as_str().unwrap().is_empty(), "{id}");
    }
    assert_eq!(
        item(&doc, 5)["fix"],
        "usher config set session_inactivity_ms 1800000"
    );
    assert_eq!(doc["profile"], "saas");
    assert_eq!(doc["findings"][0]["code"], "template_ships_pii");
    for id in [1, 7, 13, 14, 15] {
        expect(&doc, id, "unknown", "run with --app DIR");
    }
    // The table says the same.
    let out = run_in(d, "audit", &flags);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains(" 6  Sessions revoked on password, email and MFA change"),
        "{table}"
    );
    assert!(
        table.contains("fix: usher config set sign_out_other_sessions_on_security_change true"),
        "{table}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("item(s) failed: 3, 4, 5, 6, 8, 16, 17, 18, 19, 20")
    );
    // A stricter profile asks more of the same settings.
    let (_, banking) = audit(d, &["--profile", "banking", "--item", "5"]);
    expect(&banking, 5, "fail", "limit 15 min");

    // Fix.
    ok_in(
        d,
        "config",
        &["set", "allowed_origins", "https://app.example.com"],
    );
    ok_in(d, "config", &["set", "session_inactivity_ms", "1800000"]);
    ok_in(
        d,
        "config",
        &["set", "sign_out_other_sessions_on_security_change", "true"],
    );
    let id = template["id"].as_str().unwrap();
    let (status, body) = http(
        "PATCH",
        &format!("{api}/v1/jwt_templates/{id}"),
        Some(&sk),
        Some(
            r#"{"name": "reports", "claims": {"aud": "reports", "uid": "{{user.id}}"}, "lifetime": 60}"#,
        ),
    );
    assert_eq!(status, 200, "{body}");
    ok_in(
        d,
        "webhooks",
        &[
            "create",
            "--url",
            "https://alerts.example.com/usher",
            "--event",
            "usher.security.sign_in_failure_spike",
        ],
    );
    // With endpoints, one must tell the app of deletions (item 12; its handler is app-side).
    let (_, doc) = audit(d, &["--item", "12"]);
    expect(
        &doc,
        12,
        "fail",
        "no active webhook endpoint receives user.deleted",
    );
    ok_in(
        d,
        "webhooks",
        &[
            "create",
            "--url",
            "https://app.example.com/api/webhooks",
            "--event",
            "user.deleted",
        ],
    );
    drop(server);
    let (_server, _) = serve_with(d, &["--key-refresh-secs", "1"]);
    let api = api_of(d);
    ok_in(d, "config", &["export", base]);
    let rotated = ok_in(d, "keys", &["rotate-secret", "--overlap", "0s"]);
    let sk = rotated
        .lines()
        .find(|l| l.starts_with("sk_live_"))
        .unwrap_or_else(|| panic!("{rotated}"))
        .to_owned();
    // The running server takes the new key within its refresh interval.
    until_served(&api, &sk, &[("session_inactivity_ms", json!(1_800_000))]);
    let flags = instance_flags(&api, &sk, base);
    let (code, doc) = audit(d, &flags);
    for (id, says) in [
        (2, "a production instance"),
        (3, "1 exact origin(s) (database): https://app.example.com"),
        (4, "limit 5 s for saas"),
        (5, "30 min unused"),
        (6, "is on"),
        (8, "SameSite=Lax and Secure"),
        (
            16,
            "1 JWT template(s) and the session token template checked: nothing found",
        ),
        (17, "every template within 300 s"),
        (18, "every template living over 60 s names its aud"),
        (19, "is delivered to ep_"),
        (20, "equals the baseline"),
    ] {
        expect(&doc, id, "pass", says);
    }
    expect(&doc, 12, "unknown", "user.deleted is delivered to ep_");
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["summary"]["fail"], 0);
    let counts = &doc["summary"];
    let total: u64 = ["pass", "fail", "not_applicable", "unknown"]
        .iter()
        .map(|k| counts[k].as_u64().unwrap())
        .sum();
    assert_eq!(total, 20);
    assert_eq!(doc["findings"], json!([]));
    // Unknown items (the app side, not given) fail the strict mode only.
    let out = run_in(d, "audit", &[&["--strict"][..], &flags[..]].concat());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown (--strict)"));
}
