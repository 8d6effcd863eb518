#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Integration tests: the real server on a temporary SQLite file, driven over HTTP.
//! One test binary, so the server code is linked once.

mod api_keys;
mod attacks;
mod billing;
mod branding;
mod bulk_ban;
mod common;
mod dashboard;
mod data_lifecycle;
mod diagnostics;
mod domains;
mod email_addresses;
mod errors;
mod frontend;
mod images;
mod instance_settings;
mod jwt_templates;
mod lifecycle;
mod m2m_tokens;
mod machines;
mod mail;
mod message_templates;
mod nodes;
mod organization_domains;
mod organization_invitations;
mod organization_roles;
mod organizations;
mod pages;
mod passwords;
mod phone_numbers;
mod request_bodies;
mod role_sets;
mod secret_keys;
mod security;
mod session_claims;
mod sessions;
mod text_input;
mod transfer;
mod unit;
mod users;
mod webhooks;
