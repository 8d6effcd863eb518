//! `/api_keys` bodies (Backend API; the Frontend API's JSON create and revoke too).

use serde::Deserialize;
use serde::de::Deserializer;
use serde_json::Value;
use usher_core::api_keys::{ApiKeyPatch, NewApiKey};

use super::fields;

/// `scopes`: an array of strings; `null` is absent.
pub(super) fn scopes<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    fields::optional_strings(d, "must be an array of strings")
}

/// `claims`: any JSON here (the domain wants an object); absent is `None`, `null` is `Some(Null)`.
pub(super) fn claims<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// `POST /api_keys`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    #[serde(default, rename = "type", with = "fields::string")]
    kind: Option<String>,
    #[serde(with = "fields::required_string")]
    name: String,
    #[serde(with = "fields::required_string")]
    subject: String,
    #[serde(default, with = "fields::string")]
    description: Option<String>,
    #[serde(default, deserialize_with = "claims")]
    claims: Option<Value>,
    #[serde(default, deserialize_with = "scopes")]
    scopes: Option<Vec<String>>,
    #[serde(default, with = "fields::string")]
    created_by: Option<String>,
    #[serde(default, with = "fields::int")]
    seconds_until_expiration: Option<i64>,
}

impl From<CreateApiKeyRequest> for NewApiKey {
    fn from(r: CreateApiKeyRequest) -> Self {
        NewApiKey {
            kind: r.kind,
            name: r.name,
            subject: r.subject,
            description: r.description,
            claims: r.claims,
            scopes: r.scopes.unwrap_or_default(),
            created_by: r.created_by,
            seconds_until_expiration: r.seconds_until_expiration,
        }
    }
}

/// `PATCH /api_keys/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateApiKeyRequest {
    #[serde(default, with = "fields::string")]
    subject: Option<String>,
    #[serde(default, with = "fields::nullable_string")]
    description: Option<Option<String>>,
    #[serde(default, deserialize_with = "claims")]
    claims: Option<Value>,
    #[serde(default, deserialize_with = "scopes")]
    scopes: Option<Vec<String>>,
    #[serde(default, with = "fields::nullable_int")]
    seconds_until_expiration: Option<Option<i64>>,
}

impl From<UpdateApiKeyRequest> for ApiKeyPatch {
    fn from(r: UpdateApiKeyRequest) -> Self {
        ApiKeyPatch {
            subject: r.subject,
            description: r.description,
            claims: r.claims.map(|c| (!c.is_null()).then_some(c)),
            scopes: r.scopes,
            seconds_until_expiration: r.seconds_until_expiration,
        }
    }
}

/// `POST /api_keys/{id}/revoke`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeApiKeyRequest {
    #[serde(default, with = "fields::string")]
    pub revocation_reason: Option<String>,
}

/// `POST /api_keys/verify`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyApiKeyRequest {
    #[serde(with = "fields::required_string")]
    pub secret: String,
}

/// The Frontend API's `POST /api_keys` (clerk-js's `apiKeys.create`): unknown fields are ignored,
/// as on every Frontend API body, and claims and scopes are not the browser's to set.
#[derive(Debug, Deserialize)]
pub struct FrontendCreateApiKeyRequest {
    #[serde(default, rename = "type", with = "fields::string")]
    kind: Option<String>,
    #[serde(with = "fields::required_string")]
    name: String,
    #[serde(default, with = "fields::string")]
    subject: Option<String>,
    #[serde(default, with = "fields::string")]
    description: Option<String>,
    #[serde(default, with = "fields::int")]
    seconds_until_expiration: Option<i64>,
}

impl FrontendCreateApiKeyRequest {
    /// The input, for `default_subject` when the body names none (clerk-js sends `""` then).
    pub fn into_input(self, default_subject: &str) -> NewApiKey {
        NewApiKey {
            kind: self.kind,
            name: self.name,
            subject: self
                .subject
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| default_subject.to_owned()),
            description: self.description,
            seconds_until_expiration: self.seconds_until_expiration,
            ..NewApiKey::default()
        }
    }
}

/// The Frontend API's `POST /api_keys/{id}/revoke`.
#[derive(Debug, Deserialize)]
pub struct FrontendRevokeApiKeyRequest {
    #[serde(default, with = "fields::string")]
    pub revocation_reason: Option<String>,
}
