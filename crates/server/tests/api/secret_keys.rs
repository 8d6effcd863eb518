//! Secret keys rotated with an overlap, as the Backend API sees them: the old key accepted until
//! the overlap ends, then refused with Clerk's `clerk_key_invalid`; a revoked key refused at
//! once; the last key kept. Also the emergency revoke by selector through its use case.

use std::sync::Arc;

use reqwest::Method;
use usher_core::clock::ManualClock;
use usher_core::sessions::selection::{Cidr, SessionSelector};
use usher_server::app::context::RequestContext;
use usher_server::app::{secret_keys, session_revocation};

use crate::common::{SECRET, spawn_with_clock};

async fn status_with(app: &crate::common::App, key: &str) -> u16 {
    app.send_raw(Method::GET, "/v1/users?limit=1", None, Some(key))
        .await
        .status
        .as_u16()
}

#[tokio::test]
async fn an_old_secret_key_works_through_the_overlap_then_is_refused() {
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    let app = spawn_with_clock(clock.clone()).await;
    let state = &app.running.state;
    let ctx = RequestContext::system("test");
    clock.advance(1);
    let rotated = secret_keys::rotate(state, &ctx, 60_000, Some("next".into()))
        .await
        .unwrap();
    assert!(rotated.secret.starts_with("sk_test_"));
    assert_eq!(rotated.expiring.len(), 1);
    assert_eq!(rotated.expiring[0].expires_at, Some(1_800_000_060_001));
    assert_eq!(status_with(&app, SECRET).await, 200);
    assert_eq!(status_with(&app, &rotated.secret).await, 200);

    clock.advance(60_000);
    let refused = app
        .send_raw(Method::GET, "/v1/users?limit=1", None, Some(SECRET))
        .await;
    refused.err(401, "clerk_key_invalid");
    assert_eq!(status_with(&app, &rotated.secret).await, 200);

    // A second rotation never pushes an expiry later; a revoke ends a key now.
    let third = secret_keys::rotate(state, &ctx, 3_600_000, Some("third".into()))
        .await
        .unwrap();
    secret_keys::revoke(state, &ctx, "next").await.unwrap();
    assert_eq!(status_with(&app, &rotated.secret).await, 401);
    assert_eq!(status_with(&app, &third.secret).await, 200);
    assert!(secret_keys::revoke(state, &ctx, "third").await.is_err());
    assert!(secret_keys::revoke(state, &ctx, "default").await.is_err());
    let names: Vec<(String, bool)> = secret_keys::list(state)
        .await
        .unwrap()
        .into_iter()
        .map(|k| (k.is_valid_at(1_800_000_060_001), k.name))
        .map(|(valid, name)| (name, valid))
        .collect();
    assert_eq!(
        names,
        [
            ("default".to_owned(), false),
            ("next".to_owned(), false),
            ("third".to_owned(), true)
        ]
    );
    assert!(
        secret_keys::rotate(state, &ctx, 0, Some("bad name".into()))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn the_emergency_revoke_ends_what_its_selector_names() {
    let clock = Arc::new(ManualClock::new(1_800_000_000_000));
    let app = spawn_with_clock(clock.clone()).await;
    let state = &app.running.state;
    let ctx = RequestContext::system("test");
    let ada = app.create_user_id("ada@example.com").await;
    let bob = app.create_user_id("bob@example.com").await;
    let early = app.create_session(&ada).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    clock.advance(1_000);
    let later = app.create_session(&ada).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bobs = app.create_session(&bob).await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Backend API sessions carry no client address: no block holds them.
    let block = SessionSelector::Ip(Cidr::parse("0.0.0.0/0").unwrap());
    assert_eq!(
        session_revocation::revoke_matching(state, &ctx, &block)
            .await
            .unwrap(),
        0
    );
    let before = SessionSelector::CreatedBefore(1_800_000_000_500);
    assert_eq!(
        session_revocation::matching(state, &before)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        session_revocation::revoke_matching(state, &ctx, &before)
            .await
            .unwrap(),
        1
    );
    let status = |id: String| {
        let app = &app;
        async move { app.get(&format!("/v1/sessions/{id}")).await.ok()["status"].clone() }
    };
    assert_eq!(status(early.clone()).await, "revoked");
    assert_eq!(status(later.clone()).await, "active");
    assert_eq!(
        session_revocation::revoke_matching(state, &ctx, &SessionSelector::All)
            .await
            .unwrap(),
        2
    );
    assert_eq!(status(later).await, "revoked");
    assert_eq!(status(bobs).await, "revoked");
    let revoked = app
        .event_types()
        .await
        .into_iter()
        .filter(|t| t == "session.revoked")
        .count();
    assert_eq!(revoked, 3);
}
