//! `GET`/`PATCH /v1/instance/branding` (an Usher extension: Clerk sets these in its dashboard)
//! and the payload of `usher.security.instance_branding.updated`. Field names follow the
//! Frontend API's `display_config` (`application_name`, `logo_image_url`); the values are the
//! ones end users see, defaults included.

use serde::Serialize;
use usher_core::branding::Branding;

#[derive(Debug, Serialize)]
pub struct BrandingJson {
    pub object: &'static str,
    pub application_name: String,
    pub logo_image_url: Option<String>,
    pub primary_color: String,
    /// Unix milliseconds of the last change; `null` while everything is the default.
    pub updated_at: Option<i64>,
}

impl BrandingJson {
    pub fn new(b: &Branding) -> Self {
        Self {
            object: "instance_branding",
            application_name: b.application_name().to_owned(),
            logo_image_url: b.logo_image_url().map(str::to_owned),
            primary_color: b.primary_color().to_owned(),
            updated_at: b.updated_at,
        }
    }
}
