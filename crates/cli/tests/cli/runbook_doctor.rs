//! `usher doctor` against a real running server: every check present and ok on a healthy one
//! (text and JSON), a Redis that does not answer named as the cause with a critical verdict
//! (exit 2), and no diagnosis without a server or with a wrong key (exit 3).

use crate::common::{run_in, serve_with};

const CHECKS: [&str; 10] = [
    "latency",
    "database_round_trip",
    "database_health",
    "hasher_queue",
    "webhook_queue",
    "smtp",
    "redis",
    "clock_skew",
    "signing_key",
    "secret_keys",
];

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn doctor_finds_a_healthy_server_healthy() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_server, banner) = serve_with(d, &[]);
    assert!(banner.contains("Listening:"), "{banner}");

    // The local instance's URL and key, from the data directory.
    let out = run_in(d, "doctor", &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.starts_with("Diagnosis of http://127.0.0.1:"), "{text}");
    for name in CHECKS {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(name))
            .unwrap_or_else(|| panic!("no {name} line in {text}"));
        assert!(line.trim_start().starts_with("ok "), "{line}");
    }
    assert!(text.contains("\nVerdict: ok\n"), "{text}");
    assert!(!text.contains("Likely causes"), "{text}");

    let out = run_in(d, "doctor", &["--json"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["object"], "usher_diagnostics");
    assert_eq!(doc["verdict"], "ok");
    assert_eq!(doc["causes"], serde_json::json!([]));
    let names: Vec<&str> = doc["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, CHECKS);
    let m = &doc["measurements"];
    assert_eq!(m["database"]["round_trip_ms"]["pings"], 5);
    assert!(m["database"]["health"]["backend"].is_string());
    assert!(m["keys"]["signing_key"]["kid"].is_string());
    assert!(m["clock"]["skew_ms"].is_i64());
    // The first diagnosis was a request too: its route has latencies now.
    assert!(
        m["routes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["route"] == "GET /v1/usher/diagnostics"),
        "{m}"
    );
}

#[test]
fn doctor_names_an_unreachable_redis_as_critical() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let port = closed_port();
    let redis = format!("redis://127.0.0.1:{port}");
    let (_server, _) = serve_with(d, &["--redis-url", &redis]);
    let out = run_in(d, "doctor", &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("\nVerdict: critical\n"), "{text}");
    let redis_line = text
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some("redis"))
        .unwrap();
    assert!(
        redis_line.trim_start().starts_with("critical"),
        "{redis_line}"
    );
    assert!(
        text.contains(&format!(
            "Likely causes:\n  - redis unreachable at 127.0.0.1:{port}: Redis is unreachable"
        )),
        "{text}"
    );
    let out = run_in(d, "doctor", &["--json"]);
    assert_eq!(out.status.code(), Some(2));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["verdict"], "critical");
    assert_eq!(doc["measurements"]["redis"]["reachable"], false);
}

#[test]
fn doctor_without_an_answer_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = format!("http://127.0.0.1:{}", closed_port());
    let out = run_in(
        d,
        "doctor",
        &["--api-url", &url, "--secret-key", "sk_test_whatever"],
    );
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot reach the Backend API at"), "{err}");

    // Nothing recorded in an empty data directory, and no flags.
    let out = run_in(d, "doctor", &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--api-url"));

    // A running server that refuses the key.
    let (_server, _) = serve_with(d, &[]);
    let out = run_in(
        d,
        "doctor",
        &["--secret-key", "sk_test_not_this_instances_key"],
    );
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("401"), "{err}");
}
