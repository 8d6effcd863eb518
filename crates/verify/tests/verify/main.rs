//! usher-verify's integration tests, one test binary so the test build links it once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api_keys;
mod billing;
mod common;
mod m2m_tokens;

mod fuzz_replay;
mod org_isolation;
/// The example app itself, so the isolation test runs the code the example documents.
#[allow(dead_code)]
#[path = "../../examples/org_notes.rs"]
mod org_notes;
mod requests;
mod tokens;
mod usher;
