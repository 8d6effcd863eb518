//! `/v1/instance` bodies.

use serde::Deserialize;
use usher_core::branding::BrandingPatch;

use super::fields;

/// `PATCH /v1/instance/branding`: `null` or `""` puts a field's default back.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandingRequest {
    #[serde(default, with = "fields::nullable_string")]
    application_name: Option<Option<String>>,
    #[serde(default, with = "fields::nullable_string")]
    logo_image_url: Option<Option<String>>,
    #[serde(default, with = "fields::nullable_string")]
    primary_color: Option<Option<String>>,
}

impl From<BrandingRequest> for BrandingPatch {
    fn from(r: BrandingRequest) -> Self {
        BrandingPatch {
            application_name: r.application_name,
            logo_image_url: r.logo_image_url,
            primary_color: r.primary_color,
        }
    }
}

/// `PATCH /v1/instance/session_token`: the whole set of custom claims (`{}` removes them).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionClaimsRequest {
    /// Checked in core: a JSON object, its shortcodes known, no reserved claim, within budget.
    #[serde(default)]
    pub claims: serde_json::Value,
}
