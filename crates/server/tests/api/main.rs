#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Integration tests: the real server on a temporary SQLite file, driven over HTTP.
//! One test binary, so the server code is linked once.

mod common;
mod errors;
mod lifecycle;
mod mail;
mod nodes;
mod sessions;
mod transfer;
mod users;
mod webhooks;
