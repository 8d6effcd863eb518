//! `/v1/jwt_templates` bodies.

use serde::Deserialize;
use serde_json::Value;
use usher_core::jwt_templates::TemplateInput;

use super::fields;

/// `POST /v1/jwt_templates` and `PATCH /v1/jwt_templates/{template_id}`: Clerk's spec sends the
/// whole template to both (`name` and `claims` required).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwtTemplateRequest {
    #[serde(with = "fields::required_string")]
    name: String,
    /// Checked in core: a JSON object, its shortcodes known, no reserved claim.
    #[serde(default)]
    claims: Value,
    #[serde(default, with = "fields::int")]
    lifetime: Option<i64>,
    #[serde(default, with = "fields::int")]
    allowed_clock_skew: Option<i64>,
    #[serde(default, with = "fields::boolean")]
    custom_signing_key: Option<bool>,
    #[serde(default, with = "fields::string")]
    signing_algorithm: Option<String>,
    #[serde(default, with = "fields::string")]
    signing_key: Option<String>,
}

impl From<JwtTemplateRequest> for TemplateInput {
    fn from(r: JwtTemplateRequest) -> Self {
        TemplateInput {
            name: r.name,
            claims: r.claims,
            lifetime: r.lifetime,
            allowed_clock_skew: r.allowed_clock_skew,
            custom_signing_key: r.custom_signing_key,
            signing_algorithm: r.signing_algorithm,
            signing_key: r.signing_key,
        }
    }
}
