//! The front door under attack: brute force against one account from one address and from many,
//! password spraying, a failure storm raising a security event — each ending in 429s and, where
//! Clerk's lockout applies, a lock, with nobody else affected.

use std::sync::Arc;

use serde_json::Value;
use usher_core::clock::ManualClock;

use super::common::{App, Browser, Res, each_str, spawn_with};

/// A stopped clock keeps every request of a test in one rate-limit window, so the counts are
/// exact whatever the machine's speed.
async fn attack_target() -> App {
    spawn_with(Arc::new(ManualClock::new(1_800_000_000_000)), |c| {
        // The tests stand in for a reverse proxy on loopback that forwards client addresses.
        c.frontend.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await
}

/// A browser behind the trusted proxy, at client address `ip`.
fn browser(app: &App, ip: &str) -> Browser {
    let mut b = app.browser();
    b.forwarded_for = Some(ip.to_owned());
    b
}

/// Starts a sign-in for `email`; returns its id, or the refusal.
async fn start(b: &mut Browser, email: &str) -> Result<String, (u16, Value)> {
    let r = b
        .post("/v1/client/sign_ins", &[("identifier", email)])
        .await;
    if r.status != 200 {
        return Err((r.status, r.body));
    }
    Ok(r.body["response"]["id"].as_str().unwrap().to_owned())
}

fn code(body: &Value) -> &str {
    body["errors"][0]["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn brute_force_from_one_address_is_throttled_without_locking_the_victim() {
    let app = attack_target().await;
    let victim = app.create_user("victim@example.com").await;
    let mut attacker = browser(&app, "203.0.113.7");
    let sign_in = start(&mut attacker, "victim@example.com").await.unwrap();
    let (mut wrong, mut throttled) = (0, 0);
    for i in 0..1000 {
        let Res {
            status,
            body,
            headers,
            ..
        } = attacker
            .attempt_password(&sign_in, &format!("guess-{i}"))
            .await;
        match (status, code(&body)) {
            (422, "form_password_incorrect") => wrong += 1,
            (429, "too_many_requests") => {
                throttled += 1;
                let secs: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
                assert!(secs >= 1);
            }
            other => panic!("unexpected answer {other:?}: {body}"),
        }
    }
    assert_eq!(
        wrong, 10,
        "ten wrong passwords per account and address, then 429"
    );
    assert_eq!(throttled, 990);
    // Throttled guesses were never checked: the victim is not locked and signs in from home.
    let user = app
        .get(&format!("/v1/users/{}", victim["id"].as_str().unwrap()))
        .await;
    assert_eq!(user.ok()["locked"], false);
    assert_eq!(user.ok()["verification_attempts_remaining"], 90);
    let mut home = browser(&app, "198.51.100.20");
    let si = start(&mut home, "victim@example.com").await.unwrap();
    let Res { status, body, .. } = home.attempt_password(&si, "correct-horse-9").await;
    assert_eq!(status, 200, "{body}");
    // The password was accepted: signed in, or (naming no API version) asked to confirm the new
    // device as a second factor.
    let si = &body["response"];
    assert!(
        si["status"] == "complete"
            || (si["status"] == "needs_second_factor" && si["client_trust_state"] == "new"),
        "{body}"
    );
}

#[tokio::test]
async fn brute_force_from_a_hundred_addresses_ends_in_a_lockout_of_that_account_only() {
    let app = attack_target().await;
    let victim = app.create_user("target@example.com").await;
    let bystander = app.create_user("bystander@example.com").await;
    let (mut wrong, mut throttled, mut locked) = (0, 0, 0);
    for n in 0..100 {
        let mut attacker = browser(&app, &format!("198.18.{}.{}", n / 250, n % 250 + 1));
        let sign_in = match start(&mut attacker, "target@example.com").await {
            Ok(id) => id,
            Err((403, body)) if code(&body) == "user_locked" => {
                locked += 10;
                continue;
            }
            Err(other) => panic!("{other:?}"),
        };
        for i in 0..10 {
            let Res { status, body, .. } = attacker
                .attempt_password(&sign_in, &format!("guess-{n}-{i}"))
                .await;
            match (status, code(&body)) {
                (422, "form_password_incorrect") => wrong += 1,
                (429, "too_many_requests") => throttled += 1,
                (403, "user_locked") => locked += 1,
                other => panic!("unexpected answer {other:?}: {body}"),
            }
        }
    }
    assert_eq!(wrong, 100, "Clerk's lockout threshold: 100 failures");
    assert_eq!(wrong + throttled + locked, 1000);
    assert!(
        locked >= 890,
        "after the lockout every attempt is refused: {locked}"
    );
    let target = app
        .get(&format!("/v1/users/{}", victim["id"].as_str().unwrap()))
        .await;
    assert_eq!(target.ok()["locked"], true);
    assert!(target.ok()["lockout_expires_in_seconds"].as_i64().unwrap() > 3000);
    // Nobody else is locked: the bystander signs in from one of the attacking addresses.
    let other = app
        .get(&format!("/v1/users/{}", bystander["id"].as_str().unwrap()))
        .await;
    assert_eq!(other.ok()["locked"], false);
    let mut b = browser(&app, "198.18.0.1");
    let si = start(&mut b, "bystander@example.com").await.unwrap();
    let Res { status, body, .. } = b.attempt_password(&si, "correct-horse-9").await;
    assert_eq!(status, 200, "{body}");
    // The operator lifts the lock.
    let unlocked = app
        .post_empty(&format!(
            "/v1/users/{}/unlock",
            victim["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(unlocked.ok()["locked"], false);
    // A hundred failures in a minute on a quiet instance is a storm: one security event.
    let spikes: Vec<_> = app
        .events()
        .await
        .into_iter()
        .filter(|e| e.event_type == "usher.security.sign_in_failure_spike")
        .collect();
    assert_eq!(spikes.len(), 1, "raised once, then quiet for the cool-down");
    assert!(spikes[0].data["failures_last_minute"].as_u64().unwrap() >= 50);
    // The metrics show the failures and the throttling.
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("usher_sign_in_failures_total 100"),
        "{metrics}"
    );
    assert!(metrics.contains("usher_frontend_throttled_total"));
}

#[tokio::test]
async fn password_spraying_across_many_accounts_is_throttled_per_address() {
    let app = attack_target().await;
    for i in 0..200 {
        app.create_user(&format!("spray{i}@example.com")).await;
    }
    let mut sprayer = browser(&app, "192.0.2.99");
    let (mut wrong, mut throttled) = (0, 0);
    for i in 0..200 {
        // Each account gets one common password; a new sign-in per account, as a sprayer does.
        let sign_in = match start(&mut sprayer, &format!("spray{i}@example.com")).await {
            Ok(id) => id,
            Err((429, _)) => {
                throttled += 1;
                continue;
            }
            Err(other) => panic!("{other:?}"),
        };
        let Res { status, body, .. } = sprayer.attempt_password(&sign_in, "Summer2026!").await;
        match (status, code(&body)) {
            (422, "form_password_incorrect") => wrong += 1,
            (429, "too_many_requests") => throttled += 1,
            other => panic!("unexpected answer {other:?}: {body}"),
        }
    }
    assert_eq!(
        wrong, 30,
        "thirty failures per address across accounts, then 429"
    );
    assert_eq!(throttled, 170);
    // No account was locked by the spray.
    let locked = app.get("/v1/users?limit=500").await;
    assert!(
        locked
            .ok()
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["locked"] == false)
    );
}

#[tokio::test]
async fn every_frontend_write_counts_against_its_address() {
    let app = attack_target().await;
    let mut flood = browser(&app, "203.0.113.50");
    let mut statuses = Vec::new();
    for _ in 0..150 {
        let Res {
            status, headers, ..
        } = flood
            .post(
                "/v1/client/sign_ins",
                &[("identifier", "nobody@example.com")],
            )
            .await;
        if status == 429 {
            assert!(headers.contains_key("retry-after"));
        }
        statuses.push(status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 422).count(), 100);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 50);
    // Another address is unaffected.
    let mut other = browser(&app, "203.0.113.51");
    let Res { status, body, .. } = other
        .post(
            "/v1/client/sign_ins",
            &[("identifier", "nobody@example.com")],
        )
        .await;
    assert_eq!((status, code(&body)), (422, "form_identifier_not_found"));
}

#[tokio::test]
async fn a_forwarded_address_from_an_untrusted_peer_is_ignored() {
    // No trusted proxies: X-Forwarded-For cannot buy an attacker fresh addresses.
    let app = spawn_with(Arc::new(ManualClock::new(1_800_000_000_000)), |_| {}).await;
    app.create_user("spoofed@example.com").await;
    let mut wrong = 0;
    for n in 0..30 {
        let mut attacker = browser(&app, &format!("10.9.{n}.1"));
        let Ok(si) = start(&mut attacker, "spoofed@example.com").await else {
            continue;
        };
        let Res { status, .. } = attacker.attempt_password(&si, "nope-nope-nope").await;
        if status == 422 {
            wrong += 1;
        }
    }
    assert_eq!(wrong, 10, "all thirty came from one peer address");
}

#[tokio::test]
async fn with_enumeration_protection_an_unknown_identifier_looks_like_a_wrong_password() {
    let app = spawn_with(Arc::new(ManualClock::new(1_800_000_000_000)), |c| {
        c.policy.enumeration_protection = Some(true);
    })
    .await;
    app.create_user("known@example.com").await;
    let mut b = browser(&app, "127.0.0.1");
    let mut shapes = Vec::new();
    for who in ["known@example.com", "ghost@example.com"] {
        let Res { status, body, .. } = b.post("/v1/client/sign_ins", &[("identifier", who)]).await;
        assert_eq!(status, 200, "{body}");
        let si = &body["response"];
        assert_eq!(si["status"], "needs_first_factor");
        let strategies = each_str(&si["supported_first_factors"], "strategy");
        assert!(strategies.contains(&"password"));
        assert!(strategies.contains(&"email_code"));
        let id = si["id"].as_str().unwrap().to_owned();
        let Res { status, body, .. } = b.attempt_password(&id, "not-the-password-1").await;
        shapes.push((status, code(&body).to_owned()));
        // An emailed code can be "prepared" for both; only the real one gets an email.
        let Res { status, .. } = b.prepare_first_factor(&id, "email_code").await;
        assert_eq!(status, 200);
    }
    assert_eq!(shapes[0], shapes[1], "a wrong password, whoever it is");
    assert_eq!(shapes[0], (422, "form_password_incorrect".to_owned()));
    let ghost = app.get("/v1/emails?email_address=ghost@example.com").await;
    assert_eq!(ghost.ok()["total_count"], 0);
    let env = app.environment().await;
    assert_eq!(
        env["user_settings"]["attack_protection"]["enumeration_protection"]["enabled"],
        true
    );
}
