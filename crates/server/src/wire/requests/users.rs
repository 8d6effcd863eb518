//! `/v1/users` bodies.

use serde::Deserialize;
use serde::de::IgnoredAny;
use usher_core::users::create::NewUser;
use usher_core::users::model::Metadata;
use usher_core::users::update::UserPatch;

use super::fields;
use crate::app::users::MetadataChange;

/// `POST /v1/users`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
// The unsupported and ignored fields are only checked, never read.
#[allow(dead_code)]
pub struct CreateUserRequest {
    #[serde(default, with = "fields::string")]
    external_id: Option<String>,
    #[serde(default, with = "fields::string")]
    first_name: Option<String>,
    #[serde(default, with = "fields::string")]
    last_name: Option<String>,
    #[serde(default, with = "fields::string")]
    locale: Option<String>,
    #[serde(default, with = "fields::string_list")]
    email_address: Vec<String>,
    #[serde(default, with = "fields::unsupported")]
    email_address_identification_status: (),
    #[serde(default, with = "fields::string_list")]
    phone_number: Vec<String>,
    #[serde(default, with = "fields::unsupported")]
    phone_number_identification_status: (),
    #[serde(default, with = "fields::unsupported")]
    web3_wallet: (),
    #[serde(default, with = "fields::string")]
    username: Option<String>,
    #[serde(default, with = "fields::string")]
    password: Option<String>,
    #[serde(default, with = "fields::string")]
    password_digest: Option<String>,
    #[serde(default, with = "fields::string")]
    password_hasher: Option<String>,
    #[serde(default, with = "fields::flag")]
    skip_password_checks: bool,
    #[serde(default, with = "fields::flag")]
    skip_password_requirement: bool,
    #[serde(default, with = "fields::unsupported")]
    totp_secret: (),
    #[serde(default, with = "fields::unsupported")]
    backup_codes: (),
    #[serde(default, with = "fields::metadata")]
    public_metadata: Option<Metadata>,
    #[serde(default, with = "fields::metadata")]
    private_metadata: Option<Metadata>,
    #[serde(default, with = "fields::metadata")]
    unsafe_metadata: Option<Metadata>,
    #[serde(default, with = "fields::boolean")]
    delete_self_enabled: Option<bool>,
    #[serde(default, with = "fields::rfc3339")]
    legal_accepted_at: Option<i64>,
    /// Accepted and ignored: Usher has no legal-consent or sign-up requirements to skip.
    #[serde(default)]
    skip_legal_checks: IgnoredAny,
    #[serde(default)]
    skip_user_requirement: IgnoredAny,
    #[serde(default, with = "fields::boolean")]
    create_organization_enabled: Option<bool>,
    #[serde(default, with = "fields::int")]
    create_organizations_limit: Option<i64>,
    #[serde(default, with = "fields::rfc3339")]
    created_at: Option<i64>,
    #[serde(default, with = "fields::boolean")]
    bypass_client_trust: Option<bool>,
    #[serde(default, with = "fields::boolean")]
    banned: Option<bool>,
    #[serde(default, with = "fields::boolean")]
    locked: Option<bool>,
}

impl From<CreateUserRequest> for NewUser {
    fn from(r: CreateUserRequest) -> Self {
        NewUser {
            email_addresses: r.email_address,
            phone_numbers: r.phone_number,
            username: r.username,
            external_id: r.external_id,
            first_name: r.first_name,
            last_name: r.last_name,
            locale: r.locale,
            password: r.password,
            password_digest: r.password_digest,
            password_hasher: r.password_hasher,
            skip_password_checks: r.skip_password_checks,
            skip_password_requirement: r.skip_password_requirement,
            public_metadata: r.public_metadata,
            private_metadata: r.private_metadata,
            unsafe_metadata: r.unsafe_metadata,
            created_at: r.created_at,
            legal_accepted_at: r.legal_accepted_at,
            delete_self_enabled: r.delete_self_enabled,
            create_organization_enabled: r.create_organization_enabled,
            create_organizations_limit: r.create_organizations_limit,
            bypass_client_trust: r.bypass_client_trust,
            banned: r.banned,
            locked: r.locked,
        }
    }
}

/// `PATCH /v1/users/{user_id}`: absent leaves a field, `null` clears a nullable one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
// The unsupported and ignored fields are only checked, never read.
#[allow(dead_code)]
pub struct UpdateUserRequest {
    #[serde(default, with = "fields::nullable_string")]
    external_id: Option<Option<String>>,
    #[serde(default, with = "fields::nullable_string")]
    first_name: Option<Option<String>>,
    #[serde(default, with = "fields::nullable_string")]
    last_name: Option<Option<String>>,
    #[serde(default, with = "fields::nullable_string")]
    locale: Option<Option<String>>,
    #[serde(default, with = "fields::string")]
    primary_email_address_id: Option<String>,
    /// Accepted and ignored: Usher sends no notice of a changed primary address.
    #[serde(default)]
    notify_primary_email_address_changed: IgnoredAny,
    #[serde(default, with = "fields::string")]
    primary_phone_number_id: Option<String>,
    #[serde(default, with = "fields::unsupported")]
    primary_web3_wallet_id: (),
    #[serde(default, with = "fields::nullable_string")]
    username: Option<Option<String>>,
    #[serde(default, with = "fields::unsupported")]
    profile_image_id: (),
    #[serde(default, with = "fields::string")]
    password: Option<String>,
    #[serde(default, with = "fields::string")]
    password_digest: Option<String>,
    #[serde(default, with = "fields::string")]
    password_hasher: Option<String>,
    #[serde(default, with = "fields::flag")]
    skip_password_checks: bool,
    #[serde(default, with = "fields::flag")]
    sign_out_of_other_sessions: bool,
    #[serde(default, with = "fields::unsupported")]
    totp_secret: (),
    #[serde(default, with = "fields::unsupported")]
    backup_codes: (),
    #[serde(default, with = "fields::boolean")]
    delete_self_enabled: Option<bool>,
    #[serde(default, with = "fields::boolean")]
    create_organization_enabled: Option<bool>,
    #[serde(default, with = "fields::nullable_rfc3339")]
    legal_accepted_at: Option<Option<i64>>,
    #[serde(default)]
    skip_legal_checks: IgnoredAny,
    #[serde(default, with = "fields::nullable_int")]
    create_organizations_limit: Option<Option<i64>>,
    #[serde(default, with = "fields::rfc3339")]
    created_at: Option<i64>,
    #[serde(default, with = "fields::boolean")]
    bypass_client_trust: Option<bool>,
    // Accepted from clients of API versions before 2026-05-12.
    #[serde(default, with = "fields::metadata")]
    public_metadata: Option<Metadata>,
    #[serde(default, with = "fields::metadata")]
    private_metadata: Option<Metadata>,
    #[serde(default, with = "fields::metadata")]
    unsafe_metadata: Option<Metadata>,
}

impl From<UpdateUserRequest> for UserPatch {
    fn from(r: UpdateUserRequest) -> Self {
        UserPatch {
            external_id: r.external_id,
            first_name: r.first_name,
            last_name: r.last_name,
            locale: r.locale,
            username: r.username,
            primary_email_address_id: r.primary_email_address_id,
            primary_phone_number_id: r.primary_phone_number_id,
            password: r.password,
            password_digest: r.password_digest,
            password_hasher: r.password_hasher,
            skip_password_checks: r.skip_password_checks,
            sign_out_of_other_sessions: r.sign_out_of_other_sessions,
            public_metadata: r.public_metadata,
            private_metadata: r.private_metadata,
            unsafe_metadata: r.unsafe_metadata,
            delete_self_enabled: r.delete_self_enabled,
            create_organization_enabled: r.create_organization_enabled,
            create_organizations_limit: r.create_organizations_limit,
            bypass_client_trust: r.bypass_client_trust,
            legal_accepted_at: r.legal_accepted_at,
            created_at: r.created_at,
        }
    }
}

/// `PATCH`/`PUT /v1/users/{user_id}/metadata`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetadataRequest {
    #[serde(default, with = "fields::metadata")]
    public_metadata: Option<Metadata>,
    #[serde(default, with = "fields::metadata")]
    private_metadata: Option<Metadata>,
    #[serde(default, with = "fields::metadata")]
    unsafe_metadata: Option<Metadata>,
}

impl From<MetadataRequest> for MetadataChange {
    fn from(r: MetadataRequest) -> Self {
        MetadataChange {
            public: r.public_metadata,
            private: r.private_metadata,
            unsafe_: r.unsafe_metadata,
        }
    }
}

/// `POST /v1/users/{user_id}/password/set_compromised`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetPasswordCompromisedRequest {
    #[serde(default, with = "fields::flag")]
    pub revoke_all_sessions: bool,
}

/// A body that must be empty (`{}`): any field is unknown.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmptyRequest {}

/// `POST /v1/users/{user_id}/verify_password`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyPasswordRequest {
    #[serde(with = "fields::required_string")]
    pub password: String,
}

/// `POST /v1/users/ban` and `/v1/users/unban`: the users to ban or unban (core checks how many).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkUsersRequest {
    #[serde(with = "fields::required_string_array")]
    pub user_ids: Vec<String>,
}

/// `POST /v1/users/{user_id}/remove_password` (the body is optional).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemovePasswordRequest {
    #[serde(default, with = "fields::flag")]
    pub sign_out_of_other_sessions: bool,
}

/// `POST /v1/users/{user_id}/verify_totp`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyTotpRequest {
    #[serde(with = "fields::required_string")]
    pub code: String,
}
