//! From Clerk's Backend API shapes to Usher's records, and the merge of a record read again
//! into the one already stored: the fields the source owns are taken from it, what only Usher
//! knows (a password digest, an enrolled second factor, a code in flight, an uploaded image,
//! an invitation's ticket) is kept. Ids are Clerk's own, so ids an app stored keep matching.

use anyhow::{Context, bail};
use serde::Deserialize;
use serde_json::Value;
use usher_core::clock::Millis;
use usher_core::ids::{
    IdentificationId, OrganizationId, OrganizationInvitationId, OrganizationMembershipId,
    PermissionId, RoleId, UserId,
};
use usher_core::organizations::invitations::{InvitationStatus, OrganizationInvitation};
use usher_core::organizations::{Organization, OrganizationMembership};
use usher_core::roles::model::{Permission, PermissionType, RoleRecord};
use usher_core::users::User;
use usher_core::users::lockout::INDEFINITELY;
use usher_core::users::model::{EmailAddress, Metadata, PhoneNumber, Verification};

#[derive(Deserialize, Default)]
#[serde(default)]
struct ClerkVerification {
    status: Option<String>,
    strategy: Option<String>,
}

#[derive(Deserialize)]
struct ClerkEmail {
    id: IdentificationId,
    email_address: String,
    #[serde(default)]
    verification: Option<ClerkVerification>,
    #[serde(default)]
    created_at: Option<Millis>,
    #[serde(default)]
    updated_at: Option<Millis>,
}

#[derive(Deserialize)]
struct ClerkPhone {
    id: IdentificationId,
    phone_number: String,
    #[serde(default)]
    verification: Option<ClerkVerification>,
    #[serde(default)]
    reserved_for_second_factor: bool,
    #[serde(default)]
    default_second_factor: bool,
    #[serde(default)]
    created_at: Option<Millis>,
    #[serde(default)]
    updated_at: Option<Millis>,
}

/// Clerk's `user` object, the fields an import carries.
#[derive(Deserialize)]
struct ClerkUser {
    id: UserId,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    image_url: Option<String>,
    #[serde(default)]
    has_image: bool,
    #[serde(default)]
    primary_email_address_id: Option<IdentificationId>,
    #[serde(default)]
    primary_phone_number_id: Option<IdentificationId>,
    #[serde(default)]
    email_addresses: Vec<ClerkEmail>,
    #[serde(default)]
    phone_numbers: Vec<ClerkPhone>,
    #[serde(default)]
    public_metadata: Option<Metadata>,
    #[serde(default)]
    private_metadata: Option<Metadata>,
    #[serde(default)]
    unsafe_metadata: Option<Metadata>,
    #[serde(default)]
    banned: bool,
    #[serde(default)]
    locked: bool,
    #[serde(default)]
    lockout_expires_in_seconds: Option<i64>,
    #[serde(default)]
    totp_enabled: bool,
    #[serde(default)]
    backup_code_enabled: bool,
    #[serde(default = "yes")]
    delete_self_enabled: bool,
    #[serde(default = "yes")]
    create_organization_enabled: bool,
    #[serde(default)]
    create_organizations_limit: Option<i64>,
    #[serde(default)]
    bypass_client_trust: bool,
    #[serde(default)]
    legal_accepted_at: Option<Millis>,
    #[serde(default)]
    last_sign_in_at: Option<Millis>,
    #[serde(default)]
    last_active_at: Option<Millis>,
    created_at: Millis,
    #[serde(default)]
    updated_at: Option<Millis>,
}

fn yes() -> bool {
    true
}

/// A user as the source describes it, and whether it had a second factor the API cannot hand
/// over (a TOTP secret, backup codes).
pub struct SourceUser {
    pub user: User,
    pub second_factor_dropped: bool,
}

fn verification(v: Option<&ClerkVerification>) -> Verification {
    let Some(v) = v else {
        return Verification::Unverified;
    };
    if v.status.as_deref() != Some("verified") {
        return Verification::Unverified;
    }
    match v.strategy.as_deref() {
        Some("email_code") => Verification::EmailCode,
        Some("email_link") => Verification::EmailLink,
        Some("phone_code") => Verification::PhoneCode,
        Some("ticket") => Verification::Ticket,
        // `admin`, `from_oauth_*`, `saml`, …: verified elsewhere, trusted as the admin's word.
        _ => Verification::Admin,
    }
}

/// Reads one element of `GET /v1/users`.
pub fn user_from_clerk(v: &Value, now: Millis) -> anyhow::Result<SourceUser> {
    let c: ClerkUser = serde_json::from_value(v.clone()).with_context(|| {
        format!(
            "user {}: not a Clerk user object",
            v.get("id").and_then(Value::as_str).unwrap_or("?")
        )
    })?;
    let updated_at = c.updated_at.unwrap_or(c.created_at);
    let email_addresses: Vec<EmailAddress> = c
        .email_addresses
        .iter()
        .map(|e| EmailAddress {
            id: e.id.clone(),
            email_address: e.email_address.trim().to_lowercase(),
            verification: verification(e.verification.as_ref()),
            pending: None,
            created_at: e.created_at.unwrap_or(c.created_at),
            updated_at: e.updated_at.unwrap_or(updated_at),
        })
        .collect();
    let phone_numbers: Vec<PhoneNumber> = c
        .phone_numbers
        .iter()
        .map(|p| PhoneNumber {
            id: p.id.clone(),
            phone_number: p.phone_number.trim().to_owned(),
            verification: verification(p.verification.as_ref()),
            pending: None,
            reserved_for_second_factor: p.reserved_for_second_factor,
            default_second_factor: p.default_second_factor,
            created_at: p.created_at.unwrap_or(c.created_at),
            updated_at: p.updated_at.unwrap_or(updated_at),
        })
        .collect();
    let primary_email = c
        .primary_email_address_id
        .filter(|id| email_addresses.iter().any(|e| &e.id == id));
    let primary_phone = c
        .primary_phone_number_id
        .filter(|id| phone_numbers.iter().any(|p| &p.id == id));
    let locked_until = c.locked.then(|| match c.lockout_expires_in_seconds {
        Some(s) if s > 0 => now.saturating_add(s.saturating_mul(1000)),
        _ => INDEFINITELY,
    });
    let user = User {
        id: c.id,
        version: 0,
        external_id: c.external_id,
        username: c.username.map(|u| u.to_lowercase()),
        first_name: c.first_name,
        last_name: c.last_name,
        locale: c.locale,
        email_addresses,
        phone_numbers,
        primary_email_address_id: primary_email,
        primary_phone_number_id: primary_phone,
        password: None,
        password_last_updated_at: None,
        password_compromised: false,
        public_metadata: c.public_metadata.unwrap_or_default(),
        private_metadata: c.private_metadata.unwrap_or_default(),
        unsafe_metadata: c.unsafe_metadata.unwrap_or_default(),
        banned: c.banned,
        locked_until,
        failed_verification_attempts: 0,
        delete_self_enabled: c.delete_self_enabled,
        create_organization_enabled: c.create_organization_enabled,
        create_organizations_limit: c.create_organizations_limit,
        bypass_client_trust: c.bypass_client_trust,
        legal_accepted_at: c.legal_accepted_at,
        totp: None,
        backup_codes: Vec::new(),
        passkeys: Vec::new(),
        // An uploaded picture stays where the source serves it, as a reference.
        image_url: c.image_url.filter(|_| c.has_image),
        image_id: None,
        external_accounts: Vec::new(),
        last_sign_in_at: c.last_sign_in_at,
        last_active_at: c.last_active_at,
        created_at: c.created_at,
        updated_at,
    };
    Ok(SourceUser {
        user,
        second_factor_dropped: c.totp_enabled || c.backup_code_enabled,
    })
}

/// `existing` with the source's fields from `incoming`; `None` when nothing differs.
pub fn merge_user(existing: &User, incoming: &User) -> Option<User> {
    let mut merged = incoming.clone();
    merged.version = existing.version;
    // What only Usher knows.
    merged.password = existing.password.clone();
    merged.password_last_updated_at = existing.password_last_updated_at;
    merged.password_compromised = existing.password_compromised;
    merged.totp = existing.totp.clone();
    merged.backup_codes = existing.backup_codes.clone();
    merged.failed_verification_attempts = existing.failed_verification_attempts;
    if existing.image_id.is_some() {
        merged.image_id = existing.image_id.clone();
        merged.image_url = existing.image_url.clone();
    }
    for e in &mut merged.email_addresses {
        if let Some(old) = existing.email_addresses.iter().find(|o| o.id == e.id) {
            e.pending = old.pending.clone();
        }
    }
    for p in &mut merged.phone_numbers {
        if let Some(old) = existing.phone_numbers.iter().find(|o| o.id == p.id) {
            p.pending = old.pending.clone();
        }
    }
    // A lock read again ends `lockout_expires_in_seconds` from now: the stored end stands.
    if merged.locked_until.is_some() && existing.locked_until.is_some() {
        merged.locked_until = existing.locked_until;
    }
    (merged != *existing).then_some(merged)
}

#[derive(Deserialize)]
struct ClerkOrganization {
    id: OrganizationId,
    name: String,
    slug: Option<String>,
    #[serde(default)]
    image_url: Option<String>,
    #[serde(default)]
    has_image: bool,
    #[serde(default)]
    max_allowed_memberships: i64,
    #[serde(default = "yes")]
    admin_delete_enabled: bool,
    #[serde(default)]
    public_metadata: Option<Metadata>,
    #[serde(default)]
    private_metadata: Option<Metadata>,
    #[serde(default)]
    created_by: Option<String>,
    #[serde(default)]
    role_set_key: Option<String>,
    created_at: Millis,
    #[serde(default)]
    updated_at: Option<Millis>,
}

/// Reads one element of `GET /v1/organizations`.
pub fn organization_from_clerk(v: &Value) -> anyhow::Result<Organization> {
    let c: ClerkOrganization = serde_json::from_value(v.clone())
        .with_context(|| format!("organization {}: not a Clerk organization object", id_of(v)))?;
    let Some(slug) = c.slug.filter(|s| !s.is_empty()) else {
        bail!("organization {} has no slug", c.id);
    };
    Ok(Organization {
        id: c.id,
        name: c.name,
        slug,
        image_url: c.image_url.filter(|_| c.has_image),
        image_id: None,
        max_allowed_memberships: c.max_allowed_memberships.max(0),
        admin_delete_enabled: c.admin_delete_enabled,
        public_metadata: c.public_metadata.unwrap_or_default(),
        private_metadata: c.private_metadata.unwrap_or_default(),
        created_by: c.created_by.and_then(|u| UserId::parse(&u).ok()),
        role_set_key: c.role_set_key,
        created_at: c.created_at,
        updated_at: c.updated_at.unwrap_or(c.created_at),
        members_count: 0,
        admins_count: 0,
        pending_invitations_count: 0,
        version: 0,
    })
}

pub fn merge_organization(
    existing: &Organization,
    incoming: &Organization,
) -> Option<Organization> {
    let mut merged = incoming.clone();
    merged.version = existing.version;
    merged.members_count = existing.members_count;
    merged.admins_count = existing.admins_count;
    merged.pending_invitations_count = existing.pending_invitations_count;
    if existing.image_id.is_some() {
        merged.image_id = existing.image_id.clone();
        merged.image_url = existing.image_url.clone();
    }
    (merged != *existing).then_some(merged)
}

#[derive(Deserialize)]
struct IdOnly<T> {
    id: T,
}

#[derive(Deserialize)]
struct MemberData {
    user_id: UserId,
}

#[derive(Deserialize)]
struct ClerkMembership {
    id: OrganizationMembershipId,
    role: String,
    organization: IdOnly<OrganizationId>,
    public_user_data: MemberData,
    #[serde(default)]
    public_metadata: Option<Metadata>,
    #[serde(default)]
    private_metadata: Option<Metadata>,
    created_at: Millis,
    #[serde(default)]
    updated_at: Option<Millis>,
}

/// Reads one element of `GET /v1/organization_memberships`.
pub fn membership_from_clerk(v: &Value) -> anyhow::Result<OrganizationMembership> {
    let c: ClerkMembership = serde_json::from_value(v.clone())
        .with_context(|| format!("membership {}: not a Clerk membership object", id_of(v)))?;
    Ok(OrganizationMembership {
        id: c.id,
        organization_id: c.organization.id,
        user_id: c.public_user_data.user_id,
        role: c.role,
        public_metadata: c.public_metadata.unwrap_or_default(),
        private_metadata: c.private_metadata.unwrap_or_default(),
        created_at: c.created_at,
        updated_at: c.updated_at.unwrap_or(c.created_at),
        version: 0,
    })
}

pub fn merge_membership(
    existing: &OrganizationMembership,
    incoming: &OrganizationMembership,
) -> Option<OrganizationMembership> {
    let mut merged = incoming.clone();
    // The membership of this user in this organization, whatever id it was given here.
    merged.id = existing.id.clone();
    merged.version = existing.version;
    (merged != *existing).then_some(merged)
}

#[derive(Deserialize)]
struct ClerkInvitation {
    id: OrganizationInvitationId,
    organization_id: OrganizationId,
    email_address: String,
    role: String,
    #[serde(default)]
    role_name: Option<String>,
    #[serde(default)]
    inviter_id: Option<String>,
    status: String,
    #[serde(default)]
    public_metadata: Option<Metadata>,
    #[serde(default)]
    private_metadata: Option<Metadata>,
    #[serde(default)]
    expires_at: Option<Millis>,
    created_at: Millis,
    #[serde(default)]
    updated_at: Option<Millis>,
}

/// Clerk's default lifetime of an invitation, for a source that does not say.
const INVITATION_LIFETIME_MS: Millis = 30 * 24 * 3600 * 1000;

/// Reads one element of `GET /v1/organization_invitations`. The ticket the source emailed is
/// not readable: the imported invitation gets one nobody holds (revoke and invite again to send
/// a link that works here).
pub fn invitation_from_clerk(v: &Value) -> anyhow::Result<OrganizationInvitation> {
    let c: ClerkInvitation = serde_json::from_value(v.clone())
        .with_context(|| format!("invitation {}: not a Clerk invitation object", id_of(v)))?;
    let Some(status) = InvitationStatus::parse(&c.status) else {
        bail!("invitation {}: unknown status {}", c.id, c.status);
    };
    let unheld: [u8; 32] = rand::random();
    Ok(OrganizationInvitation {
        id: c.id,
        organization_id: c.organization_id,
        email_address: c.email_address.trim().to_lowercase(),
        role: c.role,
        role_name: c.role_name,
        inviter_user_id: c.inviter_id.and_then(|u| UserId::parse(&u).ok()),
        status,
        public_metadata: c.public_metadata.unwrap_or_default(),
        private_metadata: c.private_metadata.unwrap_or_default(),
        redirect_url: None,
        expires_at: c
            .expires_at
            .unwrap_or(c.created_at.saturating_add(INVITATION_LIFETIME_MS)),
        created_at: c.created_at,
        updated_at: c.updated_at.unwrap_or(c.created_at),
        ticket_digest: hex::encode(unheld),
        version: 0,
    })
}

pub fn merge_invitation(
    existing: &OrganizationInvitation,
    incoming: &OrganizationInvitation,
) -> Option<OrganizationInvitation> {
    let mut merged = incoming.clone();
    merged.version = existing.version;
    merged.ticket_digest = existing.ticket_digest.clone();
    merged.redirect_url = existing.redirect_url.clone();
    (merged != *existing).then_some(merged)
}

#[derive(Deserialize)]
struct ClerkPermission {
    id: String,
    key: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    created_at: Millis,
    #[serde(default)]
    updated_at: Millis,
}

#[derive(Deserialize)]
struct ClerkRole {
    id: String,
    key: String,
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    permissions: Vec<ClerkPermission>,
    #[serde(default)]
    created_at: Millis,
    #[serde(default)]
    updated_at: Option<Millis>,
}

/// A custom role of the source and the custom permissions it holds.
pub struct SourceRole {
    pub role: RoleRecord,
    pub permissions: Vec<Permission>,
}

/// Reads one element of `GET /v1/organization_roles`.
pub fn role_from_clerk(v: &Value) -> anyhow::Result<SourceRole> {
    let c: ClerkRole = serde_json::from_value(v.clone())
        .with_context(|| format!("role {}: not a Clerk role object", id_of(v)))?;
    let permissions = c
        .permissions
        .iter()
        .filter(|p| p.kind.as_deref() != Some("system") && !p.key.starts_with("org:sys_"))
        .map(|p| Permission {
            id: PermissionId::parse(&p.id).unwrap_or_else(|_| PermissionId::new()),
            key: p.key.clone(),
            name: if p.name.is_empty() {
                p.key.clone()
            } else {
                p.name.clone()
            },
            description: p.description.clone().unwrap_or_default(),
            kind: PermissionType::User,
            created_at: p.created_at,
            updated_at: p.updated_at.max(p.created_at),
        })
        .collect();
    Ok(SourceRole {
        role: RoleRecord {
            id: RoleId::parse(&c.id).unwrap_or_else(|_| RoleId::new()),
            key: c.key,
            name: c.name,
            description: c.description.filter(|d| !d.is_empty()),
            permission_keys: c.permissions.into_iter().map(|p| p.key).collect(),
            created_at: c.created_at,
            updated_at: c.updated_at.unwrap_or(c.created_at),
        },
        permissions,
    })
}

/// Clerk's `organization_settings` object as a patch of Usher's instance settings: the fields
/// both know (`enabled`, `max_allowed_memberships`, `admin_delete_enabled`, `domains_enabled`);
/// a field the source leaves out is left as it is here.
pub fn settings_patch(v: &Value) -> usher_core::instance_settings::SettingsPatch {
    let mut patch = usher_core::instance_settings::SettingsPatch::new();
    for (clerk, usher) in [
        ("enabled", "organizations_enabled"),
        ("admin_delete_enabled", "organization_admin_delete"),
        ("domains_enabled", "organization_domains_enabled"),
    ] {
        if let Some(b) = v.get(clerk).and_then(Value::as_bool) {
            patch.insert(usher.to_owned(), Some(Value::Bool(b)));
        }
    }
    if let Some(n) = v.get("max_allowed_memberships").and_then(Value::as_i64) {
        patch.insert(
            "organization_max_allowed_memberships".to_owned(),
            Some(Value::from(n.max(0))),
        );
    }
    patch
}

fn id_of(v: &Value) -> &str {
    v.get("id").and_then(Value::as_str).unwrap_or("?")
}
