//! The incident drill against a real running server: a credential-stuffing storm of wrong
//! passwords over real Frontend API sign-ins (raising the failure-spike event), a lockout, an emergency revoke, a webhook outage
//! and its replay — then `usher incident report`, whose timeline names each step in order and
//! whose impact counts them.

use std::time::{Duration, Instant};

use crate::common::{http, http_request, keys_json, ok_in, run_in, serve_with};

const WRONG_PASSWORDS: usize = 6;

/// A plain HTTP/1.1 form POST: the status and the body.
fn form_post(url: &str, form: &str) -> (u16, String) {
    http_request(
        "POST",
        url,
        None,
        Some(("application/x-www-form-urlencoded", form)),
    )
}

/// A user made through the Backend API's `POST /v1/users`, which must succeed.
fn create_user(api: &str, sk: &str, json: &str) -> serde_json::Value {
    let (status, body) = http("POST", &format!("{api}/v1/users"), Some(sk), Some(json));
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn rfc3339_now_minus(ms: i64) -> String {
    let now = time::OffsetDateTime::now_utc() - time::Duration::milliseconds(ms);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Where `needle` is in the report's timeline section; fails when absent.
#[track_caller]
fn at(timeline: &str, needle: &str) -> usize {
    timeline
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the timeline:\n{timeline}"))
}

#[test]
fn the_incident_report_tells_the_drill_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A spike is three failed sign-ins in a minute here (50 by default).
    let (_server, _) = serve_with(d, &["--sign-in-spike-failures", "3"]);
    let keys = keys_json(d);
    let api = keys["api_url"].as_str().unwrap().to_owned();
    let fapi = keys["frontend_api_url"].as_str().unwrap().to_owned();
    let sk = keys["secret_key"].as_str().unwrap().to_owned();
    let since = rfc3339_now_minus(1000);

    // Two users: ada signs in with a password, bob has a session.
    let ada = create_user(
        &api,
        &sk,
        r#"{"email_address":["ada@example.com"],"password":"Quiet-harbor-lantern-4821"}"#,
    );
    let ada_id = ada["id"].as_str().unwrap().to_owned();
    let bob = create_user(
        &api,
        &sk,
        r#"{"email_address":["bob@example.com"],"skip_password_requirement":true}"#,
    );
    let body = format!(r#"{{"user_id":"{}"}}"#, bob["id"].as_str().unwrap());
    let (status, body) = http(
        "POST",
        &format!("{api}/v1/sessions"),
        Some(&sk),
        Some(&body),
    );
    assert_eq!(status, 200, "{body}");

    // 1. The storm: wrong passwords over real sign-ins.
    let (status, body) = form_post(&format!("{fapi}/v1/dev_browser"), "");
    assert_eq!(status, 200, "{body}");
    let token: serde_json::Value = serde_json::from_str(&body).unwrap();
    let token = token["token"].as_str().unwrap().to_owned();
    for i in 0..WRONG_PASSWORDS {
        let (status, body) = form_post(
            &format!("{fapi}/v1/client/sign_ins?__clerk_db_jwt={token}"),
            &format!("identifier=ada%40example.com&strategy=password&password=Wrong-guess-{i}"),
        );
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("form_password_incorrect"), "{body}");
    }

    // 2. The lockout, 3. the emergency revoke.
    ok_in(d, "users", &["lockout", "ada@example.com"]);
    let revoked = ok_in(d, "sessions", &["revoke", "--all", "--yes"]);
    assert!(revoked.contains('1'), "{revoked}");

    // 4. The webhook outage: an endpoint nothing answers at, and an event for it.
    let hook = format!("http://127.0.0.1:{}/hook", closed_port());
    let created = ok_in(d, "webhooks", &["create", "--url", &hook]);
    let ep = created.split_whitespace().next().unwrap().to_owned();
    create_user(
        &api,
        &sk,
        r#"{"email_address":["carol@example.com"],"skip_password_requirement":true}"#,
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let failing = ok_in(d, "webhooks", &["deliveries", &ep, "--status", "failing"]);
        if !failing.starts_with("0 ") {
            break;
        }
        assert!(Instant::now() < deadline, "no failed attempt: {failing}");
        std::thread::sleep(Duration::from_millis(200));
    }

    // 5. The replay.
    ok_in(d, "webhooks", &["replay", &ep, "--since", "1h"]);

    // The report, once the server has stored its counts (every two seconds).
    let deadline = Instant::now() + Duration::from_secs(20);
    let report = loop {
        let out = run_in(d, "incident", &["report", "--since", &since]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report = String::from_utf8(out.stdout).unwrap();
        if report.contains(&format!("- Failed sign-ins: {WRONG_PASSWORDS} ")) {
            break report;
        }
        assert!(
            Instant::now() < deadline,
            "failures never counted:\n{report}"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    assert!(report.starts_with("# Post-incident report: "), "{report}");
    let timeline = &report[at(&report, "## Timeline")..at(&report, "## Impact")];
    let steps = [
        format!("Failed sign-ins: {WRONG_PASSWORDS} counted in the hour from"),
        "Failed sign-ins spiked (usher.security.sign_in_failure_spike): ".to_owned(),
        format!("Account locked and signed out `{ada_id}` — by `cli`"),
        "Emergency session revoke `all`: 1 session revoked — by `cli`".to_owned(),
        format!("Webhook endpoint created `{ep}` — by `cli`"),
        format!("Webhook endpoint `{ep}` ({hook}) failing: "),
        format!("Webhook events replayed `{ep}` — by `cli`"),
    ];
    let positions: Vec<usize> = steps.iter().map(|s| at(timeline, s)).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "out of order {positions:?}:\n{timeline}"
    );

    assert!(report.contains("- Users affected: 3\n"), "{report}");
    assert!(report.contains("- Sessions affected: 1\n"), "{report}");
    assert!(report.contains("- Organizations affected: 0\n"), "{report}");
    assert!(
        report.contains("- Sessions revoked: 1 (`sessions.revoke` 1)\n"),
        "{report}"
    );
    let actions = &report[at(&report, "## Actions taken")..at(&report, "## Open follow-ups")];
    let lockout = at(actions, &format!("`user.lockout` `{ada_id}` — by `cli`"));
    let revoke = at(actions, "`sessions.revoke` `all` — by `cli`");
    let replay = at(
        actions,
        &format!("`webhook_endpoint.replay` `{ep}` — by `cli`"),
    );
    assert!(lockout < revoke && revoke < replay, "{actions}");
    assert!(actions.contains("by end users"), "{actions}");
    let follow_ups = &report[at(&report, "## Open follow-ups")..];
    assert!(
        follow_ups.contains(&format!(
            "- [ ] User `{ada_id}` (ada@example.com) is still locked indefinitely"
        )),
        "{follow_ups}"
    );
    assert!(
        follow_ups.contains(&format!("to `{ep}` still queued (the oldest since")),
        "{follow_ups}"
    );
    assert!(follow_ups.contains("- [ ] Root cause:"), "{follow_ups}");
    assert!(follow_ups.contains("- [ ] Prevention:"), "{follow_ups}");

    // --output writes the same report; a window before the drill holds nothing.
    let file = d.join("incident.md");
    let out = ok_in(
        d,
        "incident",
        &[
            "report",
            "--since",
            &since,
            "--output",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.contains("incident.md"), "{out}");
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(
        written.contains("Emergency session revoke `all`"),
        "{written}"
    );
    let empty = ok_in(
        d,
        "incident",
        &[
            "report",
            "--since",
            "2020-01-01T00:00:00Z",
            "--until",
            "2020-01-02T00:00:00Z",
        ],
    );
    assert!(
        empty.contains("Nothing notable is recorded in the window."),
        "{empty}"
    );
    assert!(empty.contains("- Failed sign-ins: 0 "), "{empty}");
    let err = String::from_utf8(run_in(d, "incident", &["report", "--since", "tomorrow"]).stderr)
        .unwrap();
    assert!(err.contains("--since"), "{err}");
}
