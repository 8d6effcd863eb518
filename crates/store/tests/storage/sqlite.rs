//! The storage suite on SQLite (`conformance::*`, one test per case), then what is SQLite's own.

use std::sync::Arc;

use usher_store::conformance::Fresh;
use usher_store::sqlite::SqliteStore;

/// An empty database in a temporary directory, removed after the case.
async fn fresh_store() -> Option<Fresh> {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("usher.sqlite"))
        .await
        .unwrap();
    Some(Fresh::new(Arc::new(store)).keeping(dir))
}

usher_store::conformance_tests!(fresh_store);

#[tokio::test]
async fn reopening_keeps_data_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usher.sqlite");
    {
        let store = Arc::new(SqliteStore::open(&path).await.unwrap());
        usher_store::conformance::records::users_round_trip(store)
            .await
            .unwrap();
    }
    let store = SqliteStore::open(&path).await.unwrap();
    use usher_core::store::prelude::*;
    assert!(store.load_instance().await.unwrap().is_some());
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usher.sqlite");
    drop(SqliteStore::open(&path).await.unwrap());
    let url = format!("sqlite://{}", path.display());
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    sqlx::query("INSERT INTO usher_schema (version, applied_at) VALUES (999, 0)")
        .execute(&mut conn)
        .await
        .unwrap();
    let err = SqliteStore::open(&path)
        .await
        .err()
        .expect("a newer schema is refused");
    assert!(err.to_string().contains("newer"), "{err}");
}

async fn raw(path: &std::path::Path) -> sqlx::SqliteConnection {
    let url = format!("sqlite://{}", path.display());
    <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_edited_migration_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usher.sqlite");
    drop(SqliteStore::open(&path).await.unwrap());
    // What an applied migration whose file was edited afterwards looks like to the migrator.
    sqlx::query("UPDATE _sqlx_migrations SET checksum = X'00' WHERE version = 2")
        .execute(&mut raw(&path).await)
        .await
        .unwrap();
    let err = SqliteStore::open(&path)
        .await
        .err()
        .expect("an edited migration is refused");
    assert!(err.to_string().contains("migration 2 was changed"), "{err}");
}

#[tokio::test]
async fn a_database_from_the_first_migration_runner_is_adopted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usher.sqlite");
    drop(SqliteStore::open(&path).await.unwrap());
    let mut conn = raw(&path).await;
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    // The first releases recorded versions in `usher_schema` only.
    sqlx::query("DROP TABLE _sqlx_migrations")
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let store = SqliteStore::open(&path).await.unwrap();
    use usher_core::store::prelude::*;
    assert!(store.load_instance().await.unwrap().is_none());
    let mut conn = raw(&path).await;
    let adopted: Vec<(i64, i64)> =
        sqlx::query_as("SELECT version, execution_time FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(
        adopted.iter().map(|v| v.0).collect::<Vec<_>>(),
        versions,
        "every applied migration recorded"
    );
    // Recorded, not run again: sqlx marks skipped migrations with execution_time -1.
    assert!(adopted.iter().all(|v| v.1 == -1), "{adopted:?}");
    let recorded: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM usher_schema ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(
        recorded, versions,
        "usher_schema kept in step for older builds"
    );
}

#[tokio::test]
async fn a_failed_query_names_its_operation_and_keeps_its_cause() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usher.sqlite");
    let store = SqliteStore::open(&path).await.unwrap();
    sqlx::query("DROP TABLE user_identifiers")
        .execute(&mut raw(&path).await)
        .await
        .unwrap();
    use usher_core::store::StoreError;
    use usher_core::store::prelude::*;
    let err = store
        .user_id_by_identifier(
            &usher_core::ids::InstanceId::from_stored("ins_x"),
            usher_core::users::identifiers::IdentifierKind::Email,
            "a@example.com",
        )
        .await
        .expect_err("the table is gone");
    assert!(
        matches!(
            err,
            StoreError::Backend {
                operation: "user_id_by_identifier",
                ..
            }
        ),
        "{err:?}"
    );
    let report = usher_core::error::report(&err);
    assert!(
        report.starts_with("database error during user_id_by_identifier: ")
            && report.contains("no such table: user_identifiers"),
        "{report}"
    );
}
