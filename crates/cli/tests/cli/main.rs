//! The `usher` binary as an operator runs it. One test binary for the whole CLI, so the test
//! build links it once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod audit;
mod billing;
mod common;
mod config;
mod emails;
mod first_run;
mod instance;
mod operators;
mod orgs;
mod runbook_audit;
mod runbook_backup;
mod runbook_doctor;
mod runbook_import;
mod runbook_incident;
mod runbook_keys;
mod runbook_sessions;
mod serve;
mod users;
mod users_export;
mod webhooks;
