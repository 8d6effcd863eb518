//! The data lifecycle end to end: a deleted user's personal data gone from every table after
//! the purge (a grep of every text column of the database), ids and times kept, the pending
//! `user.deleted` delivery still delivered as Clerk shapes it; retention pruning old records;
//! a replay of a range retention may have pruned refused.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use serde_json::{Value, json};
use usher_core::clock::{Clock, ManualClock};

use crate::common::*;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
const EMAIL: &str = "Erasable.Person@Lifecycle.test";
const PHONE: &str = "+14155550177";

/// A webhook receiver on port 0 that records every JSON body and answers 204.
async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let got: Arc<Mutex<Vec<Value>>> = Arc::default();
    let g = got.clone();
    let app = axum::Router::new().fallback(move |body: Bytes| {
        let g = g.clone();
        async move {
            if let Ok(v) = serde_json::from_slice(&body) {
                g.lock().unwrap().push(v);
            }
            axum::http::StatusCode::NO_CONTENT
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

async fn spawn() -> (App, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    let app = spawn_with(clock.clone(), |cfg| {
        cfg.webhooks.run_worker = false;
        cfg.lifecycle_interval_secs = 0;
    })
    .await;
    (app, clock)
}

fn database_url(app: &App) -> String {
    app.database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", app.dir.path().join("usher.sqlite").display()))
}

/// The `table.column`s holding `needle` anywhere in the database.
async fn grep(app: &App, needle: &str) -> Vec<String> {
    usher_store::testing::text_columns_containing(&database_url(app), needle)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_deleted_users_personal_data_is_purged_and_ids_stay() {
    let (app, clock) = spawn().await;
    let (url, got) = receiver().await;
    app.post("/v1/webhooks/endpoints", json!({"url": url}))
        .await
        .ok();
    let uid = app
        .create_user_from(json!({
            "email_address": [EMAIL], "phone_number": [PHONE], "password": PASSWORD,
            "first_name": "Philippa", "last_name": "Quorvell",
            "public_metadata": {"favourite": "Zanzibar-marmalade"},
            "private_metadata": {"note": "Wibblethorpe"},
        }))
        .await;
    app.post(
        "/v1/organizations",
        json!({"name": "Purge Org", "created_by": uid}),
    )
    .await
    .ok();
    // A browser sign-in with an emailed code: a client, a session with its address and user
    // agent, an email holding the code.
    let mut b = app.web("Mozilla/5.0 (Lifecycle-Agent)");
    let si = b.start_sign_in(EMAIL).await;
    let code = b.prepare_email_code(&app, &si, &EMAIL.to_lowercase()).await;
    b.attempt_email_code(&si, &code).await.ok();
    app.running.drain_mail().await.unwrap();
    app.running.drain_outbox().await.unwrap();
    // The code as the email's template values hold it (digits alone could match a timestamp).
    let code_value = format!("\"otp_code\":\"{code}\"");
    assert!(
        !grep(&app, "Quorvell").await.is_empty(),
        "the probe finds data"
    );
    assert!(
        !grep(&app, &code_value).await.is_empty(),
        "the probe finds the code"
    );
    // The subject access request over the Backend API extension, before the delete.
    let export = app.get(&format!("/v1/users/{uid}/export")).await;
    let doc = export.ok();
    assert_eq!(doc["object"], "user_export");
    assert_eq!(doc["user"]["private_metadata"]["note"], "Wibblethorpe");
    assert_eq!(
        doc["organization_memberships"][0]["organization_name"],
        "Purge Org"
    );
    let session = &doc["sessions"][0];
    assert_eq!(session["user_agent"], "Mozilla/5.0 (Lifecycle-Agent)");
    assert!(session["ip_address"].is_string(), "{session}");
    assert_eq!(doc["emails"][0]["status"], "logged");
    assert!(doc["emails"][0].get("body_plain").is_none(), "no bodies");
    assert!(!export.raw.contains("otp_code"), "no codes");
    assert!(!export.raw.contains("$argon2"), "no password digest");
    assert!(doc["events"].as_array().unwrap().len() >= 2);
    assert!(
        doc["audit_entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "user.create")
    );
    app.get("/v1/users/user_2nope/export")
        .await
        .err(404, "resource_not_found");

    clock.advance(1_000);
    app.delete(&format!("/v1/users/{uid}")).await.ok();
    // `user.deleted` is pending: the purge scrubs what was delivered and waits for it.
    let first = app.running.run_lifecycle().await.unwrap();
    assert_eq!(first.purges_done, 0, "held by the pending delivery");
    assert_eq!(app.running.drain_outbox().await.unwrap(), 3);
    let deleted: Vec<Value> = got
        .lock()
        .unwrap()
        .iter()
        .filter(|v| v["type"] == "user.deleted")
        .cloned()
        .collect();
    assert_eq!(
        deleted[0]["data"],
        json!({"object": "user", "id": uid, "deleted": true})
    );
    clock.advance(61_000);
    let pass = app.running.run_lifecycle().await.unwrap();
    assert_eq!(pass.purges_done, 1, "{pass:?}");

    for pii in [
        "erasable.person",
        "4155550177",
        "Philippa",
        "Quorvell",
        "Zanzibar-marmalade",
        "Wibblethorpe",
        "Lifecycle-Agent",
        &code_value,
    ] {
        assert_eq!(grep(&app, pii).await, Vec::<String>::new(), "{pii} is gone");
    }
    // Ids and times stay: the events, the audit entries, the purge record.
    let events = app.events().await;
    assert!(events.iter().any(|e| e.event_type == "user.created"
        && e.data["id"] == uid
        && e.data["created_at"].is_number()));
    let hits = grep(&app, &uid).await;
    for table in ["events.data", "audit_log.target_id", "pii_purges.user_id"] {
        assert!(hits.contains(&table.to_owned()), "{table} in {hits:?}");
    }
    // The public surfaces agree.
    let emails = app.emails_to(&EMAIL.to_lowercase()).await;
    assert!(emails.is_empty(), "{emails:?}");
    let sessions = app.get(&format!("/v1/sessions?user_id={uid}")).await;
    assert_eq!(sessions.ok().as_array().map(Vec::len), Some(0));
    // A second pass has nothing left to do.
    let again = app.running.run_lifecycle().await.unwrap();
    assert_eq!((again.purges_done, again.scrubbed), (0, 0));
}

#[tokio::test]
async fn retention_prunes_old_records_and_replay_says_what_is_gone() {
    let (app, clock) = spawn().await;
    let (url, _got) = receiver().await;
    let ep = app
        .create_id("/v1/webhooks/endpoints", json!({"url": url}))
        .await;
    let old_user = app.create_user_id("old@retention.test").await;
    app.running.drain_outbox().await.unwrap();
    app.running.drain_mail().await.unwrap();
    let start = clock.now_ms();
    clock.advance(40 * DAY);
    let new_user = app.create_user_id("new@retention.test").await;
    // Delivered only later: pending deliveries (and their events) are never pruned.
    let mut pruned = app.running.run_lifecycle().await.unwrap().pruned;
    assert_eq!(pruned.audit, 0, "audit entries keep 365 days");
    assert!(pruned.webhook_deliveries >= 1, "{pruned:?}");
    pruned.events += app.running.run_lifecycle().await.unwrap().pruned.events;
    assert!(pruned.events >= 1, "{pruned:?}");
    let events = app.events().await;
    assert!(events.iter().all(|e| e.data["id"] != old_user));
    assert!(events.iter().any(|e| e.data["id"] == new_user));
    let all = app
        .get(&format!("/v1/webhooks/endpoints/{ep}/deliveries"))
        .await;
    let pending = app
        .get(&format!(
            "/v1/webhooks/endpoints/{ep}/deliveries?status=pending"
        ))
        .await;
    assert!(all.ok()["total_count"].as_i64().unwrap() >= 1);
    assert_eq!(
        all.ok()["total_count"],
        pending.ok()["total_count"],
        "only the pending ones stay"
    );

    // Settings: tiny retention prunes the audit log too; 0 keeps forever.
    app.patch(
        "/v1/instance/settings",
        json!({"retention_audit_days": 1, "retention_events_days": 0}),
    )
    .await
    .ok();
    let pass = app.running.run_lifecycle().await.unwrap();
    assert!(pass.pruned.audit >= 1, "{pass:?}");

    app.patch(
        "/v1/instance/settings",
        json!({"retention_events_days": 30}),
    )
    .await
    .ok();
    let r = app
        .post(
            &format!("/v1/webhooks/endpoints/{ep}/replay"),
            json!({"since": start}),
        )
        .await;
    r.err(422, "form_param_value_invalid");
    assert!(r.raw.contains("retention_events_days"), "{}", r.raw);
    app.post(
        &format!("/v1/webhooks/endpoints/{ep}/replay"),
        json!({"since": clock.now_ms() - DAY}),
    )
    .await
    .ok();
    app.patch(
        "/v1/instance/settings",
        json!({"retention_events_days": -1}),
    )
    .await
    .err(422, "form_param_value_invalid");
}
