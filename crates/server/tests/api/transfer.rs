//! Export and import: an instance moves between databases (SQLite to PostgreSQL when a server is
//! available) with its users, passwords, sessions and keys intact; Clerk's CSV export imports.

use std::sync::Arc;

use serde_json::json;
use usher_core::clock::SystemClock;
use usher_server::transfer::{clerk_csv, jsonl};

use crate::common::*;

/// An empty target database: PostgreSQL when a test server is available, else a SQLite file.
async fn empty_target(dir: &std::path::Path) -> String {
    match usher_store::testing::fresh_postgres_database()
        .await
        .unwrap()
    {
        Some(url) => url,
        None => format!("sqlite://{}", dir.join("target.sqlite").display()),
    }
}

#[tokio::test]
async fn an_instance_moves_to_another_database_intact() {
    let source = spawn_app().await;
    let bcrypt_digest = bcrypt::hash("imported-pass-1", 4).unwrap();
    let alice = source
        .post("/v1/users", json!({"email_address": ["alice@move.test"], "password": "correct-horse-9", "username": "alice_m",
                                  "public_metadata": {"plan": "pro"}, "private_metadata": {"crm": 7}}))
        .await
        .ok()
        .clone();
    let bob = source
        .post("/v1/users", json!({"email_address": ["bob@move.test"], "password_digest": bcrypt_digest, "password_hasher": "bcrypt"}))
        .await
        .ok()
        .clone();
    let aid = alice["id"].as_str().unwrap();
    let session = source.create_session(aid).await;
    let sid = session["id"].as_str().unwrap();
    let old_token = source.session_jwt(sid).await;
    let jwks_before = source.get("/v1/jwks").await.ok().clone();
    let endpoint = source
        .post(
            "/v1/webhooks/endpoints",
            json!({"url": "http://127.0.0.1:9/hooks", "events": ["user.created"]}),
        )
        .await
        .ok()
        .clone();

    let mut exported = Vec::new();
    let (users, sessions) = jsonl::export(
        &source.running.state.store,
        &mut exported,
        source.running.state.now(),
    )
    .await
    .unwrap();
    assert_eq!((users, sessions), (2, 1));
    let text = String::from_utf8(exported.clone()).unwrap();
    assert!(text.lines().next().unwrap().contains("\"usher_export\""));
    assert!(text.contains("\"sensitive\":true"));
    assert!(
        !text.contains(SECRET),
        "the plain secret key is never exported"
    );

    let dir = tempfile::tempdir().unwrap();
    let target_url = empty_target(dir.path()).await;
    let target_store = usher_store::open(&target_url).await.unwrap();
    let report = jsonl::import(&target_store, &mut exported.as_slice(), "test", 0)
        .await
        .unwrap();
    assert!(report.instance_created);
    assert_eq!(report.endpoints_imported, 1);
    assert_eq!((report.users_imported, report.sessions_imported), (2, 1));
    // Importing again changes nothing: an interrupted import can simply be re-run.
    let again = jsonl::import(&target_store, &mut exported.as_slice(), "test", 0)
        .await
        .unwrap();
    assert_eq!(
        (
            again.users_imported,
            again.users_skipped,
            again.sessions_skipped
        ),
        (0, 2, 1)
    );
    drop(target_store);

    // A server on the new database answers to the same secret key with the same data and keys.
    let moved = spawn_with(Arc::new(SystemClock), move |cfg| {
        cfg.database_url = Some(target_url)
    })
    .await;
    assert_eq!(
        moved.running.state.instance.id,
        source.running.state.instance.id
    );
    let got = moved.get(&format!("/v1/users/{aid}")).await.ok().clone();
    assert_eq!(got["private_metadata"], json!({"crm": 7}));
    assert_eq!(got["username"], "alice_m");
    assert_eq!(got["email_addresses"], alice["email_addresses"]);
    assert_eq!(moved.get("/v1/jwks").await.ok(), &jwks_before);
    let endpoints = moved.get("/v1/webhooks/endpoints").await.ok().clone();
    assert_eq!(
        endpoints["data"][0]["id"], endpoint["id"],
        "webhook endpoints move too: {endpoints}"
    );
    assert_eq!(endpoints["data"][0]["url"], "http://127.0.0.1:9/hooks");
    assert!(
        verify_with_jwk(&old_token, &jwks_before["keys"][0]),
        "tokens minted before the move still verify"
    );
    let new_token = moved.session_jwt(sid).await;
    assert_eq!(decode_jwt(&new_token).1["sid"], sid);
    assert_eq!(
        moved.verify_password(aid, "correct-horse-9").await.ok()["verified"],
        true
    );
    let bid = bob["id"].as_str().unwrap();
    assert_eq!(
        moved.verify_password(bid, "imported-pass-1").await.ok()["verified"],
        true
    );
    moved
        .post(
            "/v1/users",
            json!({"email_address": ["ALICE@move.test"], "password": "correct-horse-9"}),
        )
        .await
        .err(422, "form_identifier_exists");

    // An export of one instance does not go into a database holding another.
    let other = spawn_app().await;
    let err = jsonl::import(
        &other.running.state.store,
        &mut exported.as_slice(),
        "test",
        0,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("empty database"), "{err}");
    assert!(
        jsonl::import(
            &other.running.state.store,
            &mut b"{\"type\":\"nonsense\"}\n".as_slice(),
            "test",
            0
        )
        .await
        .is_err()
    );
}

#[tokio::test]
async fn clerk_csv_exports_import_with_their_ids_and_digests() {
    let app = spawn_app().await;
    let digest = bcrypt::hash("clerk-pass-123", 4).unwrap();
    let csv = format!(
        "id,first_name,last_name,username,primary_email_address,primary_phone_number,verified_email_addresses,unverified_email_addresses,verified_phone_numbers,unverified_phone_numbers,totp_secret,password_digest,password_hasher\n\
         user_2abcdefghijklmnopqrstuvwxyz1,Ada,Lovelace,ada_l,ada@clerk.test,+12025550111,ada@clerk.test|ada2@clerk.test,old@clerk.test,,,,{digest},bcrypt\n\
         user_2abcdefghijklmnopqrstuvwxyz2,Alan,Turing,,alan@clerk.test,,,,,,JBSWY3DPEHPK3PXP,,\n"
    );
    let (report, notes) = clerk_csv::import(
        &app.running.state.store,
        &mut csv.as_bytes(),
        "test",
        app.running.state.now(),
    )
    .await
    .unwrap();
    assert_eq!(report.users_imported, 2);
    assert_eq!(notes.totp_dropped, 1);
    let ada = app
        .get("/v1/users/user_2abcdefghijklmnopqrstuvwxyz1")
        .await
        .ok()
        .clone();
    assert_eq!(ada["username"], "ada_l");
    let emails = each_str(&ada["email_addresses"], "email_address");
    assert_eq!(
        emails,
        ["ada@clerk.test", "ada2@clerk.test", "old@clerk.test"]
    );
    // Unverified and never sent a code: no verification, as Clerk shows it (its SDKs refuse a
    // `verification_admin` that is not verified).
    assert_eq!(
        ada["email_addresses"][2]["verification"],
        serde_json::Value::Null
    );
    assert_eq!(ada["email_addresses"][2]["reserved"], true);
    assert_eq!(ada["phone_numbers"][0]["phone_number"], "+12025550111");
    assert_eq!(
        app.post(
            "/v1/users/user_2abcdefghijklmnopqrstuvwxyz1/verify_password",
            json!({"password": "clerk-pass-123"})
        )
        .await
        .ok()["verified"],
        true
    );
    let bad = "id,primary_email_address\nuser_x1,not-an-email\n";
    assert!(
        clerk_csv::import(&app.running.state.store, &mut bad.as_bytes(), "test", 0)
            .await
            .is_err()
    );
    assert_eq!(
        app.get("/v1/users/count").await.ok()["total_count"],
        2,
        "a bad file imports nothing"
    );
}
