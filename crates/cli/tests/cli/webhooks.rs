//! `usher webhooks …` as an operator runs it: against the database, with the server stopped.

use std::path::Path;

use crate::common::{
    assert_rfc3339, create_instance, fails_in, instance_dir, ok_in, runtime, stored,
};

#[test]
fn the_webhook_runbook_works_with_the_server_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(fails_in(d, "webhooks", &["list"]).contains("run `usher serve` first"));
    create_instance(d);

    assert_eq!(
        ok_in(d, "webhooks", &["list"]).trim(),
        "no webhook endpoints"
    );
    let created = ok_in(
        d,
        "webhooks",
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

    let listed = ok_in(d, "webhooks", &["list"]);
    assert!(
        listed.contains(&id) && listed.contains("events: user.created"),
        "{listed}"
    );
    assert!(listed.contains("queued: 0"), "{listed}");
    assert!(!listed.contains("whsec_"), "the secret is not shown again");

    let updated = ok_in(
        d,
        "webhooks",
        &["update", &id, "--all-events", "--rate-limit", "5"],
    );
    assert!(
        updated.contains("events: all") && updated.contains("rate: 5/s"),
        "{updated}"
    );
    let rotated = ok_in(d, "webhooks", &["rotate-secret", &id]);
    assert!(
        rotated.contains("new signing secret") && rotated.contains("whsec_"),
        "{rotated}"
    );
    assert!(ok_in(d, "webhooks", &["pause", &id]).contains("paused"));

    // The endpoint's own later changes are events it accepts: they queue while it is paused.
    let pending = ok_in(d, "webhooks", &["deliveries", &id, "--status", "pending"]);
    assert!(
        pending.lines().next().unwrap().ends_with(" deliveries"),
        "{pending}"
    );
    assert!(
        pending.contains("usher.security.webhook_endpoint.secret_rotated"),
        "{pending}"
    );
    let replayed = ok_in(d, "webhooks", &["replay", &id, "--since", "1h"]);
    assert!(
        replayed.contains(&format!("queued again for {id}")),
        "{replayed}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok_in(d, "webhooks", &["deliveries", &id, "--json"])).unwrap();
    assert!(json["total_count"].as_i64().unwrap() >= 1, "{json}");
    let msg = json["data"][0]["message_id"].as_str().unwrap().to_owned();
    assert!(
        ok_in(d, "webhooks", &["retry", &msg]).contains(&format!("{msg} queued again for {id}"))
    );
    assert!(ok_in(d, "webhooks", &["resync", &id]).contains("0 user snapshots queued"));
    assert!(ok_in(d, "webhooks", &["resume", &id]).contains("active"));

    // Bad input is refused with the reason.
    assert!(fails_in(d, "webhooks", &["create", "--url", "ftp://example.com/"]).contains("url"));
    assert!(fails_in(d, "webhooks", &["create", "--url", "http://10.0.0.1/"]).contains("private"));
    assert!(
        fails_in(
            d,
            "webhooks",
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
    assert!(fails_in(d, "webhooks", &["deliveries", &id, "--status", "lost"]).contains("--status"));
    assert!(fails_in(d, "webhooks", &["retry", "msg_nothing"]).contains("not found"));
    assert!(
        fails_in(d, "webhooks", &["replay", &id, "--since", "last tuesday"]).contains("--since")
    );
    assert!(fails_in(d, "webhooks", &["pause", "ep_nothing"]).contains("not found"));

    assert!(ok_in(d, "webhooks", &["delete", &id]).contains(&format!("deleted {id}")));
    assert_eq!(
        ok_in(d, "webhooks", &["list"]).trim(),
        "no webhook endpoints"
    );
}

/// One failed attempt of the endpoint's oldest pending delivery, recorded as the worker records
/// it, with the next attempt ten hours away. Returns the message id.
fn fail_once(dir: &Path, endpoint_id: &str) -> String {
    use usher_core::webhooks::{Attempt, AttemptRecord, Decision, DeliveryStatus};
    let rt = runtime();
    rt.block_on(async {
        let (store, ins) = stored(dir).await;
        let endpoint_id = &usher_core::ids::WebhookEndpointId::parse(endpoint_id).unwrap();
        let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
        let claimed = store
            .claim_webhook_endpoint(&ins, "test", "test", now, now + 30_000)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&claimed.endpoint.id, endpoint_id);
        let pending = store
            .pending_webhook_deliveries(&ins, endpoint_id, 1)
            .await
            .unwrap();
        let event = &pending[0].event;
        let record = AttemptRecord {
            attempt: Attempt {
                id: usher_core::ids::new_id(usher_core::ids::prefix::WEBHOOK_ATTEMPT),
                endpoint_id: endpoint_id.to_string(),
                event_id: event.id.to_string(),
                attempted_at: now,
                succeeded: false,
                response_status: Some(503),
                latency_ms: 4,
                response_excerpt: "down".into(),
                error: Some("status 503".into()),
            },
            event_seq: event.seq,
            decision: Decision {
                status: DeliveryStatus::Pending,
                attempts: 6,
                retry_at: Some(now + 10 * 3600 * 1000),
                failing_since: Some(now),
                disable: false,
            },
            lease_until: now + 30_000,
        };
        store
            .record_webhook_attempt(&ins, endpoint_id, "test", &record)
            .await
            .unwrap();
        store
            .release_webhook_endpoint(&ins, endpoint_id, "test")
            .await
            .unwrap();
        event.id.to_string()
    })
}

#[test]
fn the_outage_runbook_failing_deliveries_retried_now_and_private_networks() {
    let dir = instance_dir();
    let d = dir.path();

    // The refusal names the flag, and the flag works where the operator types it.
    let refused = fails_in(d, "webhooks", &["create", "--url", "http://10.0.0.1/hook"]);
    assert!(
        refused.contains("--webhook-allow-private-networks"),
        "{refused}"
    );
    let created = ok_in(
        d,
        "webhooks",
        &[
            "create",
            "--url",
            "http://10.0.0.1/hook",
            "--webhook-allow-private-networks",
        ],
    );
    let private_id = created.split_whitespace().next().unwrap().to_owned();
    assert!(private_id.starts_with("ep_"), "{created}");
    ok_in(d, "webhooks", &["delete", &private_id]);

    let created = ok_in(
        d,
        "webhooks",
        &["create", "--url", "http://127.0.0.1:9/hook"],
    );
    let id = created.split_whitespace().next().unwrap().to_owned();
    // Two events it accepts: one will fail, the other waits behind it.
    ok_in(d, "webhooks", &["update", &id, "--description", "first"]);
    ok_in(d, "webhooks", &["update", &id, "--description", "second"]);
    assert!(
        ok_in(d, "webhooks", &["deliveries", &id, "--status", "failing"])
            .starts_with("0 deliveries")
    );

    let msg = fail_once(d, &id);
    let failing: serde_json::Value = serde_json::from_str(&ok_in(
        d,
        "webhooks",
        &["deliveries", &id, "--status", "failing", "--json"],
    ))
    .unwrap();
    assert_eq!(failing["total_count"], 1, "{failing}");
    assert_eq!(failing["data"][0]["message_id"], msg.as_str());
    assert_eq!(failing["data"][0]["attempts"], 6);
    let text = ok_in(d, "webhooks", &["deliveries", &id, "--status", "failing"]);
    let attempted_at = text
        .lines()
        .find(|l| l.contains("status: 503"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    assert_rfc3339(attempted_at, &text);
    let pending: serde_json::Value = serde_json::from_str(&ok_in(
        d,
        "webhooks",
        &["deliveries", &id, "--status", "pending", "--json"],
    ))
    .unwrap();
    assert!(
        pending["total_count"].as_i64().unwrap() >= 2,
        "the waiting delivery is pending but not failing: {pending}"
    );

    // Retrying the failing delivery restarts its schedule: no attempts, due now.
    let retried = ok_in(d, "webhooks", &["retry", &msg]);
    assert!(retried.contains("attempted now"), "{retried}");
    let after: serde_json::Value = serde_json::from_str(&ok_in(
        d,
        "webhooks",
        &["deliveries", &id, "--message", &msg, "--json"],
    ))
    .unwrap();
    assert_eq!(after["data"][0]["status"], "pending");
    assert_eq!(after["data"][0]["attempts"], 0, "{after}");
    assert!(
        ok_in(d, "webhooks", &["deliveries", &id, "--status", "failing"])
            .starts_with("0 deliveries")
    );
    let listed = ok_in(d, "webhooks", &["list"]);
    let oldest = listed
        .split("oldest: ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    assert_rfc3339(oldest, &listed);
}
