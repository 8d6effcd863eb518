//! `usher webhooks …` as an operator runs it: against the database, with the server stopped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Output;

use common::{create_instance, usher};

fn run(dir: &Path, args: &[&str]) -> Output {
    usher()
        .arg("webhooks")
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .unwrap()
}

#[track_caller]
fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "usher webhooks {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[track_caller]
fn fails(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(!out.status.success(), "usher webhooks {args:?} succeeded");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn the_webhook_runbook_works_with_the_server_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(fails(d, &["list"]).contains("run `usher serve` first"));
    create_instance(d);

    assert_eq!(ok(d, &["list"]).trim(), "no webhook endpoints");
    let created = ok(
        d,
        &[
            "create",
            "--url",
            "http://127.0.0.1:9/hook",
            "--event",
            "user.created",
            "--description",
            "crm",
        ],
    );
    assert!(
        created.contains("signing secret (shown only now): whsec_"),
        "{created}"
    );
    let id = created.split_whitespace().next().unwrap().to_owned();
    assert!(id.starts_with("ep_"), "{created}");

    let listed = ok(d, &["list"]);
    assert!(
        listed.contains(&id) && listed.contains("events: user.created"),
        "{listed}"
    );
    assert!(listed.contains("queued: 0"), "{listed}");
    assert!(!listed.contains("whsec_"), "the secret is not shown again");

    let updated = ok(d, &["update", &id, "--all-events", "--rate-limit", "5"]);
    assert!(
        updated.contains("events: all") && updated.contains("rate: 5/s"),
        "{updated}"
    );
    let rotated = ok(d, &["rotate-secret", &id]);
    assert!(
        rotated.contains("new signing secret") && rotated.contains("whsec_"),
        "{rotated}"
    );
    assert!(ok(d, &["pause", &id]).contains("paused"));

    // The endpoint's own later changes are events it accepts: they queue while it is paused.
    let pending = ok(d, &["deliveries", &id, "--status", "pending"]);
    assert!(
        pending.lines().next().unwrap().ends_with(" deliveries"),
        "{pending}"
    );
    assert!(
        pending.contains("usher.security.webhook_endpoint.secret_rotated"),
        "{pending}"
    );
    let replayed = ok(d, &["replay", &id, "--since", "1h"]);
    assert!(
        replayed.contains(&format!("queued again for {id}")),
        "{replayed}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(d, &["deliveries", &id, "--json"])).unwrap();
    assert!(json["total_count"].as_i64().unwrap() >= 1, "{json}");
    let msg = json["data"][0]["message_id"].as_str().unwrap().to_owned();
    assert!(ok(d, &["retry", &msg]).contains(&format!("{msg} queued again for {id}")));
    assert!(ok(d, &["resync", &id]).contains("0 user snapshots queued"));
    assert!(ok(d, &["resume", &id]).contains("active"));

    // Bad input is refused with the reason.
    assert!(fails(d, &["create", "--url", "ftp://example.com/"]).contains("url"));
    assert!(fails(d, &["create", "--url", "http://10.0.0.1/"]).contains("private"));
    assert!(
        fails(
            d,
            &[
                "create",
                "--url",
                "http://127.0.0.1/",
                "--event",
                "user.exploded"
            ]
        )
        .contains("user.exploded")
    );
    assert!(fails(d, &["deliveries", &id, "--status", "lost"]).contains("--status"));
    assert!(fails(d, &["retry", "msg_nothing"]).contains("not found"));
    assert!(fails(d, &["replay", &id, "--since", "last tuesday"]).contains("--since"));
    assert!(fails(d, &["pause", "ep_nothing"]).contains("not found"));

    assert!(ok(d, &["delete", &id]).contains(&format!("deleted {id}")));
    assert_eq!(ok(d, &["list"]).trim(), "no webhook endpoints");
}
