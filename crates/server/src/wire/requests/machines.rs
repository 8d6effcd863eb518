//! `/v1/machines` and `/m2m_tokens` bodies.

use serde::Deserialize;
use serde::de::Deserializer;
use serde_json::Value;
use usher_core::machines::{MachinePatch, NewMachine};

use super::api_keys::{claims, scopes};
use super::fields;

/// Clerk's spec types `seconds_until_expiration` as a number, and the Python SDK sends a float
/// (`60.0`): a whole number of seconds either way; `null` is absent.
fn whole_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let v = Value::deserialize(d)?;
    if v.is_null() {
        return Ok(None);
    }
    if let Some(i) = v.as_i64() {
        return Ok(Some(i));
    }
    match v.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(Some(f as i64)),
        _ => Err(fields::format("must be a whole number of seconds")),
    }
}

/// `POST /v1/machines`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateMachineRequest {
    #[serde(with = "fields::required_string")]
    name: String,
    #[serde(default, deserialize_with = "scopes")]
    scoped_machines: Option<Vec<String>>,
    #[serde(default, with = "fields::int")]
    default_token_ttl: Option<i64>,
}

impl From<CreateMachineRequest> for NewMachine {
    fn from(r: CreateMachineRequest) -> Self {
        NewMachine {
            name: r.name,
            scoped_machines: r.scoped_machines.unwrap_or_default(),
            default_token_ttl: r.default_token_ttl,
        }
    }
}

/// `PATCH /v1/machines/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateMachineRequest {
    #[serde(default, with = "fields::string")]
    name: Option<String>,
    #[serde(default, with = "fields::int")]
    default_token_ttl: Option<i64>,
}

impl From<UpdateMachineRequest> for MachinePatch {
    fn from(r: UpdateMachineRequest) -> Self {
        MachinePatch {
            name: r.name,
            default_token_ttl: r.default_token_ttl,
        }
    }
}

/// `POST /v1/machines/{id}/secret_key/rotate`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotateMachineSecretKeyRequest {
    #[serde(with = "fields::required_int")]
    pub previous_token_ttl: i64,
}

/// `POST /v1/machines/{id}/scopes`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateMachineScopeRequest {
    #[serde(with = "fields::required_string")]
    pub to_machine_id: String,
}

/// `POST /m2m_tokens` (`@clerk/backend` sends `null` for what it was not given).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateM2mTokenRequest {
    #[serde(default, deserialize_with = "whole_seconds")]
    pub seconds_until_expiration: Option<i64>,
    #[serde(default, deserialize_with = "claims")]
    pub claims: Option<Value>,
    #[serde(default, with = "fields::string")]
    pub token_format: Option<String>,
    #[serde(default, with = "fields::int")]
    pub min_remaining_ttl_seconds: Option<i64>,
}

/// `POST /m2m_tokens/{id}/revoke`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeM2mTokenRequest {
    #[serde(default, with = "fields::string")]
    pub revocation_reason: Option<String>,
}

/// `POST /m2m_tokens/verify`: `token` as `@clerk/backend` sends it, or `secret` as the Python
/// SDK's `verify_token` does.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyM2mTokenRequest {
    #[serde(default, with = "fields::string")]
    pub token: Option<String>,
    #[serde(default, with = "fields::string")]
    pub secret: Option<String>,
}
