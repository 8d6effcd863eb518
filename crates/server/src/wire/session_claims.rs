//! `GET`/`PATCH /v1/instance/session_token` (an Usher extension: Clerk sets the session token's
//! custom claims in its dashboard): the claims as written, and what the budget makes of them.

use serde::Serialize;
use serde_json::{Map, Value};
use usher_core::jwt_templates::session_claims::{
    BUDGET_BYTES, SessionClaimsTemplate, worst_case_bytes,
};

#[derive(Debug, Serialize)]
pub struct SessionClaimsJson {
    pub object: &'static str,
    pub claims: Map<String, Value>,
    /// The most the claims can add to a token, as JSON bytes (each shortcode at its bound).
    pub worst_case_bytes: usize,
    pub budget_bytes: usize,
    /// Unix milliseconds of the last change; `null` while never set.
    pub updated_at: Option<i64>,
}

impl SessionClaimsJson {
    pub fn new(t: &SessionClaimsTemplate) -> Self {
        Self {
            object: "session_token_template",
            claims: t.claims.clone(),
            worst_case_bytes: if t.is_empty() {
                0
            } else {
                worst_case_bytes(&t.claims)
            },
            budget_bytes: BUDGET_BYTES,
            updated_at: t.updated_at,
        }
    }
}
