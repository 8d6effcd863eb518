//! The server crate's unit tests, kept in this binary so the crate compiles once for tests
//! (its `[lib] test = false`).

mod app_activity;
mod config;
mod degraded_cache;
mod degraded_gate;
mod error;
mod extract_body;
mod extract_multipart;
mod extract_text;
mod extract_upload;
mod fapi_client_ip;
mod fapi_form;
mod fapi_npm;
mod fapi_origins;
mod fapi_tunnel;
mod fast_state_local;
mod latency_window;
mod outbound_mail;
mod outbound_sms;
mod outbound_webhook_http;
mod pages;
mod pages_account;
mod pages_html;
mod transfer_clerk_api;
mod transfer_clerk_passwords;
mod transfer_clerk_source;
mod transfer_clerk_state;
mod wire_frontend_api_version;
mod wire_requests_fields;
