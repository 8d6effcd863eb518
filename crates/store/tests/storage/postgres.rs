//! The storage suite on a real PostgreSQL server (see `usher_store::testing`), one test per case,
//! each on a database of its own; then what is PostgreSQL's own.

use std::sync::Arc;

use usher_store::conformance::Fresh;
use usher_store::postgres::PostgresStore;

async fn fresh_database() -> Option<String> {
    let url = usher_store::testing::fresh_postgres_database()
        .await
        .unwrap();
    if url.is_none() {
        eprintln!(
            "no PostgreSQL server (USHER_TEST_POSTGRES_URL): run through scripts/with-postgres"
        );
    }
    url
}

/// A new, empty database; `None` (the case is skipped) when no server is configured and none is
/// required.
async fn fresh_store() -> Option<Fresh> {
    let url = fresh_database().await?;
    let store = PostgresStore::open(&url).await.unwrap();
    Some(Fresh::new(Arc::new(store)))
}

usher_store::conformance_tests!(fresh_store);

#[tokio::test]
async fn postgres_migrations_are_idempotent_and_safe_to_race() {
    let Some(url) = fresh_database().await else {
        return;
    };
    // Several nodes starting at once: the advisory lock lets exactly one apply each migration.
    let mut starts = Vec::new();
    for _ in 0..4 {
        let url = url.clone();
        starts.push(tokio::spawn(async move {
            PostgresStore::open(&url).await.map(|_| ())
        }));
    }
    for s in starts {
        s.await.unwrap().unwrap();
    }
    PostgresStore::open(&url).await.unwrap();
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM usher_schema ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    // Every migration file, by its number (`0002_webhooks.sql` is version 2).
    let mut expected: Vec<i64> = std::fs::read_dir("migrations/postgres")
        .unwrap()
        .map(|f| {
            let name = f.unwrap().file_name().into_string().unwrap();
            name.split('_').next().unwrap().parse().unwrap()
        })
        .collect();
    expected.sort_unstable();
    assert_eq!(versions, expected, "each migration applied exactly once");
    // A schema from a newer Usher is refused, not modified.
    sqlx::query("INSERT INTO usher_schema (version, applied_at) VALUES (999, 0)")
        .execute(&mut conn)
        .await
        .unwrap();
    let err = PostgresStore::open(&url)
        .await
        .err()
        .expect("a newer schema is refused");
    assert!(err.to_string().contains("newer"), "{err}");
}
