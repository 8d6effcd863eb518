//! Clerk's `redirect_url` shape.

use serde_json::{Value, json};
use usher_core::redirects::RedirectUrl;

pub fn redirect_url_json(r: &RedirectUrl) -> Value {
    json!({
        "object": "redirect_url",
        "id": r.id,
        "url": r.url,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    })
}

/// The deleted object Clerk answers a removal with.
pub fn deleted_json(id: &str) -> Value {
    json!({
        "object": "redirect_url",
        "id": id,
        "deleted": true,
    })
}
