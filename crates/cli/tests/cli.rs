//! The `usher` binary as an operator runs it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::usher;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `usher serve` on free ports and returns it with its first stdout lines (the banner).
fn serve(dir: &std::path::Path, extra_env: &[(&str, &str)]) -> (Server, String) {
    let mut cmd = usher();
    cmd.args([
        "serve",
        "--api-addr",
        "127.0.0.1:0",
        "--frontend-addr",
        "127.0.0.1:0",
    ])
    .env("USHER_DATA_DIR", dir)
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut banner = String::new();
    let mut lines = BufReader::new(stdout).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        banner.push_str(&line);
        banner.push('\n');
        if line.starts_with("Listening:") {
            break;
        }
    }
    (Server(child), banner)
}

fn keys_json(dir: &std::path::Path) -> serde_json::Value {
    let out = usher()
        .args(["keys", "--json", "--data-dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
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
            usher()
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
    let out = usher()
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
        !usher()
            .args(["keys", "retire", &active_kid, "--data-dir"])
            .arg(dir.path())
            .status()
            .unwrap()
            .success()
    );
    assert!(
        usher()
            .args(["keys", "retire", &old_kid, "--data-dir"])
            .arg(dir.path())
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(list(dir.path()).lines().count(), 1);
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
