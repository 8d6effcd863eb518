//! `usher users` as an operator runs it: lifting a lockout with the server stopped.

use std::path::Path;

use crate::common::{assert_rfc3339, instance_dir, run_in, runtime, stored};

use usher_core::instance::InstanceSettings;
use usher_core::store::{Changeset, Write};
use usher_core::users::create::{NewUser, validate};

/// A user locked out by failed sign-ins, written as the server would.
fn locked_user(dir: &Path) -> String {
    let rt = runtime();
    rt.block_on(async {
        let (store, ins) = stored(dir).await;
        let settings = InstanceSettings::default();
        let mut user = validate(
            NewUser {
                email_addresses: vec!["locked@example.com".into()],
                skip_password_requirement: true,
                ..Default::default()
            },
            &settings,
        )
        .unwrap()
        .into_user(None, &settings, 1_000);
        user.failed_verification_attempts = 100;
        user.locked_until = Some(i64::MAX / 2);
        let mut cs = Changeset::default();
        cs.push(Write::InsertUser(user.clone()));
        store.commit(&ins, cs).await.unwrap();
        user.id.into_string()
    })
}

#[test]
fn usher_users_unlock_lifts_a_lockout() {
    let dir = instance_dir();
    let d = dir.path();
    let id = locked_user(d);
    let shown = run_in(d, "users", &["show", &id, "--json"]);
    assert!(shown.status.success());
    let user: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(user["locked"], true);
    assert_eq!(user["verification_attempts_remaining"], 0);

    let unlocked = run_in(d, "users", &["unlock", &id, "--json"]);
    assert!(
        unlocked.status.success(),
        "{}",
        String::from_utf8_lossy(&unlocked.stderr)
    );
    let user: serde_json::Value = serde_json::from_slice(&unlocked.stdout).unwrap();
    assert_eq!(user["locked"], false);
    assert_eq!(user["verification_attempts_remaining"], 100);

    let text = run_in(d, "users", &["show", &id]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("locked=false"));
    let missing = run_in(d, "users", &["unlock", "user_missing"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("not found"));
}

/// A user with an email address, a phone number and a username, and two live sessions started
/// the way the Backend API starts them.
pub(crate) fn user_with_sessions(dir: &Path) -> (String, Vec<String>) {
    let rt = runtime();
    rt.block_on(async {
        let (state, ctx) = crate::common::offline_state(dir).await;
        let user = crate::common::passwordless_user(
            &state,
            &ctx,
            NewUser {
                email_addresses: vec!["Ada@Example.com".into()],
                phone_numbers: vec!["+14155550100".into()],
                username: Some("ada_l".into()),
                ..Default::default()
            },
        )
        .await;
        let mut sessions = Vec::new();
        for _ in 0..2 {
            let s = usher_server::app::sessions::create(&state, &ctx, &user.id, None)
                .await
                .unwrap();
            sessions.push(s.id.into_string());
        }
        (user.id.into_string(), sessions)
    })
}

fn session_states(dir: &Path, ids: &[String]) -> (Vec<String>, Vec<String>, Vec<String>) {
    let rt = runtime();
    rt.block_on(async {
        let (store, ins) = stored(dir).await;
        let mut statuses = Vec::new();
        for id in ids {
            let s = store
                .get_session(&ins, &usher_core::ids::SessionId::parse(id).unwrap())
                .await
                .unwrap()
                .unwrap();
            statuses.push(format!("{:?}", s.status).to_lowercase());
        }
        let revoked_events = store
            .events_after(&ins, 0, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.event_type == "session.revoked")
            .map(|e| e.data["id"].as_str().unwrap().to_owned())
            .collect();
        let audited = store
            .audit_log(&ins, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.action == "session.revoke" && a.actor == "cli")
            .filter_map(|a| a.target_id)
            .collect();
        (statuses, revoked_events, audited)
    })
}

#[test]
fn users_are_found_by_email_phone_or_username_and_signed_out_everywhere() {
    let dir = instance_dir();
    let d = dir.path();
    let (id, sessions) = user_with_sessions(d);

    for reference in [
        id.as_str(),
        "ada@example.com",
        " ADA@example.COM",
        "+1 415 555 0100",
        "ada_l",
    ] {
        let found = run_in(d, "users", &["find", reference, "--json"]);
        assert!(
            found.status.success(),
            "find {reference}: {}",
            String::from_utf8_lossy(&found.stderr)
        );
        let user: serde_json::Value = serde_json::from_slice(&found.stdout).unwrap();
        assert_eq!(user["id"], id.as_str(), "{reference}");
    }
    let missing = run_in(d, "users", &["find", "nobody@example.com"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("user not found"));

    let shown = String::from_utf8(run_in(d, "users", &["show", "ada_l"]).stdout).unwrap();
    assert!(
        shown.contains(&id) && shown.contains("Ada@Example.com"),
        "{shown}"
    );
    let created_at = shown
        .split("created_at=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    assert_rfc3339(created_at, &shown);
    let locked = run_in(d, "users", &["lock", "+14155550100", "--json"]);
    let user: serde_json::Value = serde_json::from_slice(&locked.stdout).unwrap();
    assert_eq!(user["locked"], true);
    let text =
        String::from_utf8(run_in(d, "users", &["unlock", "ada@example.com"]).stdout).unwrap();
    assert!(text.contains("locked=false"), "{text}");

    let out = run_in(d, "users", &["sign-out", "ada@example.com", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let revoked: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(revoked["total_count"], 2);
    assert!(
        revoked["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] == "revoked")
    );
    let (statuses, events, audited) = session_states(d, &sessions);
    assert_eq!(statuses, ["revoked", "revoked"]);
    for s in &sessions {
        assert!(events.contains(s), "a session.revoked event for {s}");
        assert!(audited.contains(s), "an audit entry for {s}");
    }
    let again = String::from_utf8(run_in(d, "users", &["sign-out", &id]).stdout).unwrap();
    assert_eq!(again.trim(), format!("{id}: 0 sessions revoked"));
}
