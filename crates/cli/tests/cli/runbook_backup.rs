//! `usher backup` and `usher restore`: a copy taken while the server runs, restored into a fresh
//! data directory and served with the same users, sessions and keys; and the restore's
//! refusals (a database in use, a file that is not an Usher database, a newer schema).

use std::path::Path;

use usher_core::users::create::NewUser;

use crate::common::{create_instance, fails_in, http, keys_json, ok_in, runtime, serve_with};

/// Three users with a session each, written while the server runs.
fn populate(dir: &Path) {
    runtime().block_on(async {
        let (state, ctx) = crate::common::offline_state(dir).await;
        for name in ["grace_h", "alan_t", "edsger_d"] {
            let user = crate::common::passwordless_user(
                &state,
                &ctx,
                NewUser {
                    username: Some(name.into()),
                    email_addresses: vec![format!("{name}@example.com")],
                    ..Default::default()
                },
            )
            .await;
            usher_server::app::sessions::create(&state, &ctx, user.id.as_str(), None)
                .await
                .unwrap();
        }
    });
}

/// What a server shows of its data: users, sessions (id and status) and the JWKS.
fn snapshot(api: &str, sk: &str) -> (serde_json::Value, Vec<(String, String)>, serde_json::Value) {
    let get = |path: &str| {
        let (status, body) = http("GET", &format!("{api}{path}"), Some(sk), None);
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str::<serde_json::Value>(&body).unwrap()
    };
    let users = get("/v1/users?limit=100&order_by=created_at");
    let mut sessions = Vec::new();
    for u in users.as_array().unwrap() {
        let list = get(&format!(
            "/v1/sessions?user_id={}",
            u["id"].as_str().unwrap()
        ));
        let list = list.get("data").unwrap_or(&list).clone();
        for s in list.as_array().unwrap() {
            sessions.push((
                s["id"].as_str().unwrap().to_owned(),
                s["status"].as_str().unwrap().to_owned(),
            ));
        }
    }
    sessions.sort();
    (users, sessions, get("/v1/jwks"))
}

#[test]
fn a_backup_taken_while_serving_restores_into_a_fresh_directory() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = (root.path().join("a"), root.path().join("b"));
    create_instance(&a);
    ok_in(&a, "keys", &["rotate"]);
    let (server_a, _) = serve_with(&a, &[]);
    populate(&a);
    let keys = keys_json(&a);
    let sk = keys["secret_key"].as_str().unwrap().to_owned();
    let before = snapshot(keys["api_url"].as_str().unwrap(), &sk);
    assert_eq!(before.1.len(), 3);
    assert_eq!(before.2["keys"].as_array().unwrap().len(), 2);

    let copy = root.path().join("copy.sqlite");
    let copy_arg = copy.to_str().unwrap();
    let out = ok_in(&a, "backup", &[copy_arg]);
    assert!(out.contains("Backed up"), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&copy).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let err = fails_in(&a, "backup", &[copy_arg]);
    assert!(err.contains("exists already"), "{err}");

    // The running server's database is in use: refused without --force.
    let err = fails_in(&a, "restore", &[copy_arg]);
    assert!(err.contains("in use"), "{err}");

    let out = ok_in(&b, "restore", &[copy_arg]);
    assert!(out.contains("Restored"), "{out}");
    drop(server_a);
    let (server_b, _) = serve_with(&b, &[]);
    let api_b = std::fs::read_to_string(b.join("endpoints.json")).unwrap();
    let api_b: serde_json::Value = serde_json::from_str(&api_b).unwrap();
    // The secret key is not in the copy, its digest is: the same key works on the restored one.
    let after = snapshot(api_b["api_url"].as_str().unwrap(), &sk);
    assert_eq!(after.0, before.0, "users");
    assert_eq!(after.1, before.1, "sessions");
    assert_eq!(after.2, before.2, "signing keys");
    drop(server_b);

    // Stopped, the database may be replaced again.
    ok_in(&b, "restore", &[copy_arg]);
}

#[test]
fn a_restore_refuses_what_is_not_a_usher_database_it_can_read() {
    let root = tempfile::tempdir().unwrap();
    let a = root.path().join("a");
    create_instance(&a);
    let target = root.path().join("target");

    let text = root.path().join("notes.txt");
    std::fs::write(&text, "not a database at all, just some words").unwrap();
    let err = fails_in(&target, "restore", &[text.to_str().unwrap()]);
    assert!(err.contains("not a SQLite database"), "{err}");

    let foreign = root.path().join("foreign.sqlite");
    let newer = root.path().join("newer.sqlite");
    ok_in(&a, "backup", &[newer.to_str().unwrap()]);
    runtime().block_on(async {
        use sqlx::Connection;
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&foreign)
            .create_if_missing(true);
        let mut conn = sqlx::SqliteConnection::connect_with(&opts).await.unwrap();
        sqlx::query("CREATE TABLE notes (body TEXT)")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&newer);
        let mut conn = sqlx::SqliteConnection::connect_with(&opts).await.unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (9999, 'from the future', TRUE, x'00', 0)",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    });
    let err = fails_in(&target, "restore", &[foreign.to_str().unwrap()]);
    assert!(err.contains("not Usher's"), "{err}");
    let err = fails_in(&target, "restore", &[newer.to_str().unwrap()]);
    assert!(err.contains("newer than this build"), "{err}");
    assert!(!target.join("usher.sqlite").exists(), "nothing restored");

    // PostgreSQL has its own tools.
    for command in ["backup", "restore"] {
        let err = fails_in(
            &target,
            command,
            &[
                text.to_str().unwrap(),
                "--database-url",
                "postgres://usher@127.0.0.1:9/usher",
            ],
        );
        assert!(err.contains("pg_dump"), "{err}");
    }
}

/// A PostgreSQL database is backed up with PostgreSQL's own tools: both commands say which,
/// and touch nothing. (Runs where the suite has a PostgreSQL server, as CI's does.)
#[test]
fn a_postgresql_database_is_pointed_at_its_own_tools() {
    let Some(url) = runtime()
        .block_on(usher_store::testing::fresh_postgres_database())
        .unwrap()
    else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let copy = root.path().join("copy.sqlite");
    for command in ["backup", "restore"] {
        let out = crate::common::usher()
            .args([command, copy.to_str().unwrap(), "--database-url", &url])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{command} succeeded on PostgreSQL");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("pg_dump"), "{command}: {err}");
    }
    assert!(!copy.exists());
}
