//! Unit tests of `error.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use axum::http::StatusCode;
use serde_json::{Value, json};

use std::io::Write;
use std::sync::{Arc, Mutex};

use usher_server::error::*;

/// Where the test's subscriber writes the log.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A real database failure: SQLite cannot open a directory as its file.
async fn database_failure() -> usher_core::store::StoreError {
    let dir = tempfile::tempdir().unwrap();
    usher_store::sqlite::SqliteStore::open(dir.path())
        .await
        .err()
        .expect("a directory is not a database")
}

#[tokio::test]
async fn a_database_failure_is_logged_with_its_causes_and_answered_with_the_generic_500() {
    let failure = database_failure().await;
    let driver = std::error::Error::source(&failure)
        .expect("the driver's error is kept")
        .to_string();
    let err = ApiError::from(failure);

    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let res = tracing::subscriber::with_default(subscriber, || render(&err, "trace_test_123"));

    let logged = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("clerk_trace_id=trace_test_123"), "{logged}");
    assert!(
        logged.contains("storage failure: database error during opening the database: "),
        "the operation is logged: {logged}"
    );
    assert!(
        logged.contains(&driver),
        "the driver's error ({driver}) is logged: {logged}"
    );
    assert_eq!(
        logged.matches("request failed").count(),
        1,
        "logged once: {logged}"
    );

    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = axum::body::to_bytes(res.into_body(), 1 << 16)
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        body,
        json!({
            "errors": [{
                "code": "internal_clerk_error",
                "message": "Something went wrong",
                "long_message": "There was an internal error on our servers. We've been notified and are working on fixing it.",
                "meta": {},
            }],
            "clerk_trace_id": "trace_test_123",
        }),
        "the client sees Clerk's generic body, nothing of the cause"
    );
}
