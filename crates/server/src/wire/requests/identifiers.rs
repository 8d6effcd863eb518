//! `/v1/email_addresses` and `/v1/phone_numbers` bodies.

use serde::Deserialize;

use super::fields;
use crate::app::identifiers::{IdentifierPatch, NewIdentifier};

/// `POST /v1/email_addresses`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateEmailAddressRequest {
    #[serde(with = "fields::required_string")]
    pub user_id: String,
    #[serde(with = "fields::required_string")]
    pub email_address: String,
    #[serde(default, with = "fields::boolean")]
    pub verified: Option<bool>,
    #[serde(default, with = "fields::boolean")]
    pub primary: Option<bool>,
    /// Usher sends no notice of a primary change: accepted and ignored.
    #[serde(default, with = "fields::boolean")]
    pub notify_primary_email_address_changed: Option<bool>,
}

impl From<CreateEmailAddressRequest> for NewIdentifier {
    fn from(r: CreateEmailAddressRequest) -> Self {
        Self {
            user_id: r.user_id,
            value: r.email_address,
            verified: r.verified,
            primary: r.primary,
            reserved_for_second_factor: None,
        }
    }
}

/// `PATCH /v1/email_addresses/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateEmailAddressRequest {
    #[serde(default, with = "fields::boolean")]
    pub verified: Option<bool>,
    #[serde(default, with = "fields::boolean")]
    pub primary: Option<bool>,
    #[serde(default, with = "fields::boolean")]
    pub notify_primary_email_address_changed: Option<bool>,
}

impl From<UpdateEmailAddressRequest> for IdentifierPatch {
    fn from(r: UpdateEmailAddressRequest) -> Self {
        Self {
            verified: r.verified,
            primary: r.primary,
            ..Self::default()
        }
    }
}

/// `POST /v1/phone_numbers`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePhoneNumberRequest {
    #[serde(with = "fields::required_string")]
    pub user_id: String,
    #[serde(with = "fields::required_string")]
    pub phone_number: String,
    #[serde(default, with = "fields::boolean")]
    pub verified: Option<bool>,
    #[serde(default, with = "fields::boolean")]
    pub primary: Option<bool>,
    #[serde(default, with = "fields::boolean")]
    pub reserved_for_second_factor: Option<bool>,
}

impl From<CreatePhoneNumberRequest> for NewIdentifier {
    fn from(r: CreatePhoneNumberRequest) -> Self {
        Self {
            user_id: r.user_id,
            value: r.phone_number,
            verified: r.verified,
            primary: r.primary,
            reserved_for_second_factor: r.reserved_for_second_factor,
        }
    }
}

/// `PATCH /v1/phone_numbers/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdatePhoneNumberRequest {
    #[serde(default, with = "fields::boolean")]
    pub verified: Option<bool>,
    #[serde(default, with = "fields::boolean")]
    pub primary: Option<bool>,
    #[serde(default, with = "fields::boolean")]
    pub reserved_for_second_factor: Option<bool>,
}

impl From<UpdatePhoneNumberRequest> for IdentifierPatch {
    fn from(r: UpdatePhoneNumberRequest) -> Self {
        Self {
            verified: r.verified,
            primary: r.primary,
            reserved_for_second_factor: r.reserved_for_second_factor,
            default_second_factor: None,
        }
    }
}

/// `POST /v1/me/email_addresses`.
#[derive(Debug, Deserialize)]
pub struct MyEmailAddressForm {
    #[serde(with = "fields::form::required")]
    pub email_address: String,
}

/// `POST /v1/me/phone_numbers`.
#[derive(Debug, Deserialize)]
pub struct MyPhoneNumberForm {
    #[serde(with = "fields::form::required")]
    pub phone_number: String,
}

/// `POST /v1/me/{email_addresses,phone_numbers}/{id}/prepare_verification`.
#[derive(Debug, Deserialize)]
pub struct PrepareVerificationForm {
    #[serde(with = "fields::form::required")]
    pub strategy: String,
    /// For `email_link`: where the browser that opens the link goes.
    #[serde(default, with = "fields::form::text")]
    pub redirect_url: Option<String>,
}

/// `PATCH /v1/me/phone_numbers/{id}`: `true` or `false` each, when given.
#[derive(Debug, Deserialize)]
pub struct MyPhoneNumberPatchForm {
    #[serde(default, with = "fields::form::text")]
    pub reserved_for_second_factor: Option<String>,
    #[serde(default, with = "fields::form::text")]
    pub default_second_factor: Option<String>,
}

fn form_bool(param: &str, v: Option<String>) -> Result<Option<bool>, usher_core::CoreError> {
    match v.as_deref() {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(usher_core::CoreError::format(
            param,
            "must be true or false",
        )),
    }
}

impl MyPhoneNumberPatchForm {
    pub fn patch(self) -> Result<IdentifierPatch, usher_core::CoreError> {
        Ok(IdentifierPatch {
            reserved_for_second_factor: form_bool(
                "reserved_for_second_factor",
                self.reserved_for_second_factor,
            )?,
            default_second_factor: form_bool("default_second_factor", self.default_second_factor)?,
            ..IdentifierPatch::default()
        })
    }
}
