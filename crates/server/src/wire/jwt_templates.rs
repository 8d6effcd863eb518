//! Clerk's `jwt_template` object. A template's signing key is never shown, only whether it has
//! one and its algorithm.

use serde::Serialize;
use serde_json::{Map, Value};
use usher_core::jwt_templates::JwtTemplate;

#[derive(Debug, Serialize)]
pub struct JwtTemplateJson<'a> {
    pub object: &'static str,
    pub id: &'a str,
    pub name: &'a str,
    pub claims: &'a Map<String, Value>,
    pub lifetime: i64,
    pub allowed_clock_skew: i64,
    pub custom_signing_key: bool,
    pub signing_algorithm: &'static str,
    pub created_at: i64,
    pub updated_at: i64,
}

impl<'a> JwtTemplateJson<'a> {
    pub fn new(t: &'a JwtTemplate) -> Self {
        Self {
            object: "jwt_template",
            id: &t.id,
            name: &t.name,
            claims: &t.claims,
            lifetime: t.lifetime,
            allowed_clock_skew: t.allowed_clock_skew,
            custom_signing_key: t.signing.is_some(),
            signing_algorithm: t.signing_algorithm().as_str(),
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct DeletedTemplateJson<'a> {
    pub object: &'static str,
    pub id: &'a str,
    pub deleted: bool,
}
