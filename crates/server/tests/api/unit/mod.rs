//! The server crate's unit tests, kept in this binary so the crate compiles once for tests
//! (its `[lib] test = false`).

mod app_activity;
mod app_frontend_oauth_connect;
mod config;
mod dashboard_view;
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

/// The crate is built with `[lib] test = false`: a `#[cfg(test)]` module in its sources would
/// never be compiled, so its tests would silently not run. They belong here.
#[test]
fn the_server_crate_keeps_no_unit_tests_in_its_sources() {
    fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                if text.lines().any(|l| l.trim() == "#[cfg(test)]") {
                    found.push(path.display().to_string());
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    assert!(
        found.is_empty(),
        "unit tests that never run, move them to tests/api/unit/: {found:?}"
    );
}
