//! `usher users` as an operator runs it: lifting a lockout with the server stopped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Output;

use common::{create_instance, usher};

use usher_core::instance::InstanceSettings;
use usher_core::store::{Changeset, Write};
use usher_core::users::create::{NewUser, validate};

/// A user locked out by failed sign-ins, written as the server would.
fn locked_user(dir: &Path) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}", dir.join("usher.sqlite").display());
        let store = usher_store::open(&url).await.unwrap();
        let ins = store.load_instance().await.unwrap().unwrap().id;
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
        user.id
    })
}

fn run(dir: &Path, args: &[&str]) -> Output {
    usher()
        .arg("users")
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .unwrap()
}

#[test]
fn usher_users_unlock_lifts_a_lockout() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    create_instance(d);
    let id = locked_user(d);
    let shown = run(d, &["show", &id, "--json"]);
    assert!(shown.status.success());
    let user: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(user["locked"], true);
    assert_eq!(user["verification_attempts_remaining"], 0);

    let unlocked = run(d, &["unlock", &id, "--json"]);
    assert!(
        unlocked.status.success(),
        "{}",
        String::from_utf8_lossy(&unlocked.stderr)
    );
    let user: serde_json::Value = serde_json::from_slice(&unlocked.stdout).unwrap();
    assert_eq!(user["locked"], false);
    assert_eq!(user["verification_attempts_remaining"], 100);

    let text = run(d, &["show", &id]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("locked=false"));
    let missing = run(d, &["unlock", "user_missing"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("not found"));
}
