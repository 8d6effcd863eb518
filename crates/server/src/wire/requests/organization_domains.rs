//! `/v1/organizations/{id}/domains` bodies.

use serde::Deserialize;
use usher_core::organizations::domains::{DomainPatch, NewDomain};

use super::fields;

/// `POST /v1/organizations/{organization_id}/domains`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateDomainRequest {
    #[serde(with = "fields::required_string")]
    name: String,
    #[serde(with = "fields::required_string")]
    enrollment_mode: String,
    #[serde(default, with = "fields::boolean")]
    verified: Option<bool>,
}

impl From<CreateDomainRequest> for NewDomain {
    fn from(r: CreateDomainRequest) -> Self {
        NewDomain {
            name: Some(r.name),
            enrollment_mode: Some(r.enrollment_mode),
            verified: r.verified,
        }
    }
}

/// `PATCH /v1/organizations/{organization_id}/domains/{domain_id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateDomainRequest {
    #[serde(default, with = "fields::string")]
    enrollment_mode: Option<String>,
    #[serde(default, with = "fields::boolean")]
    verified: Option<bool>,
}

impl From<UpdateDomainRequest> for DomainPatch {
    fn from(r: UpdateDomainRequest) -> Self {
        DomainPatch {
            enrollment_mode: r.enrollment_mode,
            verified: r.verified,
        }
    }
}
