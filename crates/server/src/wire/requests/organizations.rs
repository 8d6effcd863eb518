//! `/v1/organizations` and `/v1/organizations/{id}/memberships` bodies.

use serde::Deserialize;
use usher_core::organizations::memberships::NewMembership;
use usher_core::organizations::rules::{MetadataChange, NewOrganization, OrganizationPatch};
use usher_core::users::model::Metadata;

use super::fields;

/// `POST /v1/organizations`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganizationRequest {
    #[serde(with = "fields::required_string")]
    name: String,
    #[serde(default, with = "fields::string")]
    slug: Option<String>,
    #[serde(default, with = "fields::string")]
    created_by: Option<String>,
    #[serde(default, with = "fields::int")]
    max_allowed_memberships: Option<i64>,
    #[serde(default, with = "fields::metadata")]
    public_metadata: Option<Metadata>,
    #[serde(default, with = "fields::metadata")]
    private_metadata: Option<Metadata>,
    #[serde(default, with = "fields::rfc3339")]
    created_at: Option<i64>,
    #[serde(default, with = "fields::string")]
    role_set_key: Option<String>,
}

impl From<CreateOrganizationRequest> for NewOrganization {
    fn from(r: CreateOrganizationRequest) -> Self {
        NewOrganization {
            name: Some(r.name),
            slug: r.slug,
            created_by: r.created_by,
            max_allowed_memberships: r.max_allowed_memberships,
            public_metadata: r.public_metadata,
            private_metadata: r.private_metadata,
            created_at: r.created_at,
            role_set_key: r.role_set_key,
        }
    }
}

/// `PATCH /v1/organizations/{organization_id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganizationRequest {
    #[serde(default, with = "fields::string")]
    name: Option<String>,
    #[serde(default, with = "fields::string")]
    slug: Option<String>,
    #[serde(default, with = "fields::int")]
    max_allowed_memberships: Option<i64>,
    #[serde(default, with = "fields::boolean")]
    admin_delete_enabled: Option<bool>,
    #[serde(default, with = "fields::rfc3339")]
    created_at: Option<i64>,
    #[serde(default, with = "fields::string")]
    role_set_key: Option<String>,
    /// Accepted from clients of API versions before 2026-05-12.
    #[serde(default, with = "fields::metadata")]
    public_metadata: Option<Metadata>,
    #[serde(default, with = "fields::metadata")]
    private_metadata: Option<Metadata>,
}

impl From<UpdateOrganizationRequest> for OrganizationPatch {
    fn from(r: UpdateOrganizationRequest) -> Self {
        OrganizationPatch {
            name: r.name,
            slug: r.slug,
            max_allowed_memberships: r.max_allowed_memberships,
            admin_delete_enabled: r.admin_delete_enabled,
            created_at: r.created_at,
            public_metadata: r.public_metadata,
            private_metadata: r.private_metadata,
            role_set_key: r.role_set_key,
        }
    }
}

/// The metadata routes of organizations and memberships alike.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationMetadataRequest {
    #[serde(default, with = "fields::metadata")]
    public_metadata: Option<Metadata>,
    #[serde(default, with = "fields::metadata")]
    private_metadata: Option<Metadata>,
}

impl From<OrganizationMetadataRequest> for MetadataChange {
    fn from(r: OrganizationMetadataRequest) -> Self {
        MetadataChange {
            public: r.public_metadata,
            private: r.private_metadata,
        }
    }
}

/// `POST /v1/organizations/{organization_id}/memberships`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateMembershipRequest {
    #[serde(with = "fields::required_string")]
    user_id: String,
    #[serde(with = "fields::required_string")]
    role: String,
    #[serde(default, with = "fields::metadata")]
    public_metadata: Option<Metadata>,
    #[serde(default, with = "fields::metadata")]
    private_metadata: Option<Metadata>,
}

impl From<CreateMembershipRequest> for NewMembership {
    fn from(r: CreateMembershipRequest) -> Self {
        NewMembership {
            user_id: Some(r.user_id),
            role: Some(r.role),
            public_metadata: r.public_metadata,
            private_metadata: r.private_metadata,
        }
    }
}

/// `PATCH /v1/organizations/{organization_id}/memberships/{user_id}`: the new role.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateMembershipRequest {
    #[serde(with = "fields::required_string")]
    pub role: String,
}
