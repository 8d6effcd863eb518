//! usher-verify's integration tests, one test binary so the test build links it once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

mod fuzz_replay;
mod requests;
mod tokens;
mod usher;
