//! `/v1/templates` bodies.

use serde::Deserialize;

use super::fields;

/// `PUT /v1/templates/{template_type}/{slug}`: what is absent stays as it is.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpsertTemplateRequest {
    /// Accepted; the name is the built-in one.
    #[serde(default, with = "fields::string")]
    pub name: Option<String>,
    #[serde(default, with = "fields::string")]
    pub subject: Option<String>,
    #[serde(default, with = "fields::string")]
    pub markup: Option<String>,
    #[serde(default, with = "fields::string")]
    pub body: Option<String>,
    #[serde(default, with = "fields::boolean")]
    pub delivered_by_clerk: Option<bool>,
    #[serde(default, with = "fields::string")]
    pub from_email_name: Option<String>,
    #[serde(default, with = "fields::string")]
    pub reply_to_email_name: Option<String>,
}

/// `POST /v1/templates/{template_type}/{slug}/preview`: what is absent is the stored text.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewTemplateRequest {
    #[serde(default, with = "fields::string")]
    pub subject: Option<String>,
    #[serde(default, with = "fields::string")]
    pub body: Option<String>,
    #[serde(default, with = "fields::string")]
    pub from_email_name: Option<String>,
    #[serde(default, with = "fields::string")]
    pub reply_to_email_name: Option<String>,
}

/// `POST /v1/templates/{template_type}/{slug}/toggle_delivery`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToggleDeliveryRequest {
    #[serde(default, with = "fields::boolean")]
    pub delivered_by_clerk: Option<bool>,
}
