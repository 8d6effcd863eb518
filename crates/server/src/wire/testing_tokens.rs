//! Clerk's `testing_token` object.

use serde::Serialize;
use usher_core::testing_tokens::TestingToken;

#[derive(Debug, Serialize)]
pub struct TestingTokenJson {
    pub object: &'static str,
    pub token: String,
    /// Unix seconds, as Clerk's example shows.
    pub expires_at: i64,
}

impl TestingTokenJson {
    pub fn new(t: TestingToken) -> Self {
        Self {
            object: "testing_token",
            token: t.token,
            expires_at: t.expires_at,
        }
    }
}
