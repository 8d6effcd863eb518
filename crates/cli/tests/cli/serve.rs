//! `usher serve` and `usher keys`: the first run's keys, seeded and rotated keys, the event and audit
//! readers, and the environment variables it reads.

use std::process::Stdio;

use crate::common::{
    Server, assert_rfc3339, keys_json, serve_command, start, stored, usher, usher_in,
};

/// Starts `usher serve` on free ports and returns it with its first stdout lines (the banner).
fn serve(dir: &std::path::Path, extra_env: &[(&str, &str)]) -> (Server, String) {
    let mut cmd = serve_command(dir);
    cmd.stderr(Stdio::null()).envs(extra_env.iter().copied());
    start(cmd)
}

#[test]
fn first_run_prints_keys_and_later_runs_reuse_them() {
    let dir = tempfile::tempdir().unwrap();
    let (server, banner) = serve(dir.path(), &[]);
    assert!(banner.contains("Created a new Usher instance"), "{banner}");
    assert!(banner.contains("-----BEGIN PUBLIC KEY-----"), "{banner}");
    let keys = keys_json(dir.path());
    let sk = keys["secret_key"].as_str().unwrap();
    assert!(sk.starts_with("sk_test_"));
    assert!(banner.contains(sk), "the first run prints the secret key");
    assert!(
        keys["publishable_key"]
            .as_str()
            .unwrap()
            .starts_with("pk_test_")
    );
    assert!(
        keys["api_url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    assert!(
        keys["jwt_public_key_pem"]
            .as_str()
            .unwrap()
            .contains("BEGIN PUBLIC KEY")
    );
    drop(server);

    let (server, banner) = serve(dir.path(), &[]);
    assert!(!banner.contains("Created a new Usher instance"), "{banner}");
    assert!(
        !banner.contains(sk),
        "later runs do not print the secret key"
    );
    assert_eq!(keys_json(dir.path())["secret_key"], sk);
    drop(server);
}

#[test]
fn seeded_secret_key_and_key_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let seed = "sk_test_SeededSeededSeededSeeded0123456789";
    let (server, _) = serve(dir.path(), &[("USHER_SECRET_KEY", seed)]);
    assert_eq!(keys_json(dir.path())["secret_key"], seed);
    drop(server);

    let list = |dir: &std::path::Path| {
        String::from_utf8(
            usher_in(dir)
                .args(["keys", "list", "--data-dir"])
                .arg(dir)
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap()
    };
    assert_eq!(list(dir.path()).lines().count(), 1);
    let pem_before = keys_json(dir.path())["jwt_public_key_pem"].clone();
    let out = usher_in(dir.path())
        .args(["keys", "rotate", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let listing = list(dir.path());
    assert_eq!(listing.lines().count(), 2, "{listing}");
    assert_ne!(
        keys_json(dir.path())["jwt_public_key_pem"],
        pem_before,
        "keys prints the new signing key's PEM"
    );
    let kid_with = |status: &str| {
        let line = listing
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(status))
            .unwrap();
        line.split_whitespace().next().unwrap().to_owned()
    };
    let (old_kid, active_kid) = (kid_with("inactive"), kid_with("active"));
    assert_ne!(old_kid, active_kid);
    assert!(
        !usher_in(dir.path())
            .args(["keys", "retire", &active_kid, "--data-dir"])
            .arg(dir.path())
            .status()
            .unwrap()
            .success()
    );
    assert!(
        usher_in(dir.path())
            .args(["keys", "retire", &old_kid, "--data-dir"])
            .arg(dir.path())
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(list(dir.path()).lines().count(), 1);

    // Both were committed like any other change: an event naming the kids, and an audit entry.
    let (events, audit) = events_and_audit(dir.path());
    let rotated = events
        .iter()
        .find(|e| e.event_type == "usher.security.signing_key.rotated")
        .expect("a rotation event");
    assert_eq!(rotated.data["kid"], active_kid.as_str());
    assert_eq!(rotated.data["previous_kid"], old_kid.as_str());
    let retired = events
        .iter()
        .find(|e| e.event_type == "usher.security.signing_key.retired")
        .expect("a retirement event");
    assert_eq!(retired.data["kid"], old_kid.as_str());
    for e in [rotated, retired] {
        let text = e.data.to_string();
        assert!(
            !text.contains("PRIVATE") && !text.contains("pkcs8") && text.len() < 300,
            "no key material in events: {text}"
        );
    }
    let actions: Vec<(&str, Option<&str>)> = audit
        .iter()
        .map(|a| (a.action.as_str(), a.target_id.as_deref()))
        .collect();
    assert!(
        actions.contains(&("signing_key.rotate", Some(active_kid.as_str())))
            && actions.contains(&("signing_key.retire", Some(old_kid.as_str()))),
        "{actions:?}"
    );
    assert!(audit.iter().all(|a| a.actor == "cli"));
    let listing = list(dir.path());
    let created_at = listing.split("created_at=").nth(1).unwrap().trim();
    assert_rfc3339(created_at, &listing);
}

/// The instance's outbox and audit log, read from its database.
fn events_and_audit(
    dir: &std::path::Path,
) -> (
    Vec<usher_core::events::OutboxEvent>,
    Vec<usher_core::audit::AuditEntry>,
) {
    let rt = crate::common::runtime();
    rt.block_on(async {
        let (store, ins) = stored(dir).await;
        (
            store.events_after(&ins, 0, 1000).await.unwrap(),
            store.audit_log(&ins, 1000).await.unwrap(),
        )
    })
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    let dir = tempfile::tempdir().unwrap();
    crate::common::create_instance(dir.path());
    for args in [
        &["keys", "--json"][..],
        &["keys"],
        &["keys", "list"],
        &["webhooks", "list"],
        &["emails"],
        &["export"],
    ] {
        // A pipe whose reading end is already closed: the first write fails (`usher … | head`).
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = usher_in(dir.path())
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_ne!(
            out.status.code(),
            Some(101),
            "usher {args:?} panicked: {stderr}"
        );
        assert!(
            out.status.success() && !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "usher {args:?}: {:?} {stderr}",
            out.status
        );
    }
}

#[test]
fn unknown_usher_variables_are_warned_about_and_every_flag_variable_is_known() {
    let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let mut names = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        for piece in text.split("env = \"").skip(1) {
            let name = piece.split('"').next().unwrap();
            if name.starts_with("USHER_") {
                names.push(name.to_owned());
            }
        }
    }
    assert!(
        names.len() > 30 && names.iter().any(|n| n == "USHER_KEY_REFRESH_SECS"),
        "{names:?}"
    );
    let mut cmd = usher();
    cmd.arg("--version").env("USHER_NOT_A_SETTING", "1");
    for n in &names {
        cmd.env(n, "1");
    }
    cmd.env("USHER_LOG", "info");
    let out = cmd.output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warned: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("unknown environment variable"))
        .collect();
    assert_eq!(
        warned,
        ["usher: warning: ignoring unknown environment variable USHER_NOT_A_SETTING"],
        "{stderr}"
    );
}

#[test]
fn keys_without_an_instance_explains_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = usher()
        .args(["keys", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("usher serve"));
}
