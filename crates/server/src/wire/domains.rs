//! Clerk's `domain` shape.

use serde_json::{Value, json};

use crate::app::domains::Domain;
use crate::state::AppState;

pub fn domain_json(state: &AppState, d: &Domain) -> Value {
    let fapi = &state.frontend_api_url;
    let development_origin = state
        .settings()
        .allowed_origins
        .first()
        .cloned()
        .unwrap_or_default();
    match d {
        Domain::Primary { id, name } => json!({
            "object": "domain",
            "id": id,
            "name": name,
            "is_satellite": false,
            "frontend_api_url": fapi,
            "accounts_portal_url": fapi,
            "proxy_url": Value::Null,
            "development_origin": development_origin,
            "cname_targets": Value::Null,
        }),
        Domain::Satellite(s) => json!({
            "object": "domain",
            "id": s.id,
            "name": s.name,
            "is_satellite": true,
            "frontend_api_url": s.proxy_url.as_deref().unwrap_or(fapi),
            "accounts_portal_url": Value::Null,
            "proxy_url": s.proxy_url,
            "development_origin": development_origin,
            "cname_targets": Value::Null,
        }),
    }
}

/// The deleted object Clerk answers a removal with.
pub fn deleted_json(id: &str) -> Value {
    json!({
        "object": "domain",
        "id": id,
        "deleted": true,
    })
}
