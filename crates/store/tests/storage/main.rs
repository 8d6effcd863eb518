//! The storage suite on both backends, one test binary so the test build links it once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod postgres;
mod sqlite;
