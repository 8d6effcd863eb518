#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use usher_store::sqlite::SqliteStore;

#[tokio::test]
async fn sqlite_passes_the_storage_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("usher.sqlite"))
        .await
        .unwrap();
    usher_store::conformance::run_all(std::sync::Arc::new(store))
        .await
        .unwrap();
}

#[tokio::test]
async fn reopening_keeps_data_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usher.sqlite");
    {
        let store = std::sync::Arc::new(SqliteStore::open(&path).await.unwrap());
        usher_store::conformance::run_all(store).await.unwrap();
    }
    let store = SqliteStore::open(&path).await.unwrap();
    use usher_core::store::Store;
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
