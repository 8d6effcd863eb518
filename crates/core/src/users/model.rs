use crate::ids::{IdentificationId, ImageId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::clients::factors::FactorVerification;
use crate::clock::Millis;

pub type Metadata = Map<String, Value>;

/// How an identifier was verified. Backend-created identifiers are verified by the admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    /// Created through the Backend API: verified by whoever holds the secret key.
    Admin,
    /// Reserved: usable for sign-in, not yet verified.
    Unverified,
    /// Verified by the user with a code sent to it.
    EmailCode,
    /// Verified by a ticket emailed to it (an organization invitation's link).
    Ticket,
    /// Verified by the user with a code sent to it by SMS.
    PhoneCode,
    /// Verified by a social or enterprise provider that vouched for it (`email_verified`).
    Oauth,
    /// Verified by the user opening a link emailed to it (`email_link`).
    EmailLink,
}

impl Verification {
    pub fn is_verified(self) -> bool {
        self != Verification::Unverified
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailAddress {
    pub id: IdentificationId,
    pub email_address: String,
    pub verification: Verification,
    /// A code sent to it and not yet accepted (the Frontend API's `prepare_verification`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<FactorVerification>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhoneNumber {
    pub id: IdentificationId,
    pub phone_number: String,
    pub verification: Verification,
    /// A code sent to it and not yet accepted (the Frontend API's `prepare_verification`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<FactorVerification>,
    /// Kept for a second factor (Clerk's `reserved_for_second_factor`); not used to sign in.
    #[serde(default)]
    pub reserved_for_second_factor: bool,
    #[serde(default)]
    pub default_second_factor: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl EmailAddress {
    pub fn new(email_address: String, verification: Verification, now: Millis) -> Self {
        Self {
            id: IdentificationId::new(),
            email_address,
            verification,
            pending: None,
            created_at: now,
            updated_at: now,
        }
    }
}

impl PhoneNumber {
    pub fn new(phone_number: String, verification: Verification, now: Millis) -> Self {
        Self {
            id: IdentificationId::new(),
            phone_number,
            verification,
            pending: None,
            reserved_for_second_factor: false,
            default_second_factor: false,
            created_at: now,
            updated_at: now,
        }
    }
}

/// A stored password: an Argon2id or bcrypt digest in its own text form (PHC or `$2b$`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordDigest(pub String);

impl std::fmt::Debug for PasswordDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordDigest(<redacted>)")
    }
}

/// An authenticator app enrolled for TOTP. The secret must be kept to check codes.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct TotpEnrolment {
    pub id: String,
    pub secret: String,
    pub verified: bool,
    /// The newest 30-second step a code was accepted for: no code of it or before works again.
    pub last_used_step: Option<i64>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpEnrolment")
            .field("id", &self.id)
            .field("verified", &self.verified)
            .field("last_used_step", &self.last_used_step)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    /// Optimistic-concurrency counter: a write succeeds only against the version it read.
    #[serde(default)]
    pub version: i64,
    pub external_id: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub email_addresses: Vec<EmailAddress>,
    pub phone_numbers: Vec<PhoneNumber>,
    pub primary_email_address_id: Option<IdentificationId>,
    pub primary_phone_number_id: Option<IdentificationId>,
    pub password: Option<PasswordDigest>,
    pub password_last_updated_at: Option<Millis>,
    /// Marked compromised through the Backend API: a password sign-in is refused until the user
    /// proves who they are another way and sets a new password, which clears it.
    #[serde(default)]
    pub password_compromised: bool,
    pub public_metadata: Metadata,
    pub private_metadata: Metadata,
    pub unsafe_metadata: Metadata,
    pub banned: bool,
    /// Locked until this instant; `Some(i64::MAX)` never expires on its own.
    pub locked_until: Option<Millis>,
    pub failed_verification_attempts: i64,
    pub delete_self_enabled: bool,
    pub create_organization_enabled: bool,
    pub create_organizations_limit: Option<i64>,
    pub bypass_client_trust: bool,
    pub legal_accepted_at: Option<Millis>,
    #[serde(default)]
    pub totp: Option<TotpEnrolment>,
    /// SHA-256 hashes of the unused backup codes.
    #[serde(default)]
    pub backup_codes: Vec<String>,
    /// The verified passkeys, as the user's JSON shows them (the credentials are in their own
    /// records, written with this list).
    #[serde(default)]
    pub passkeys: Vec<crate::passkeys::UserPasskey>,
    /// The uploaded profile image's public URL; none: the wire shows a default image.
    #[serde(default)]
    pub image_url: Option<String>,
    /// The uploaded profile image, deleted with it when it is replaced or removed.
    #[serde(default)]
    pub image_id: Option<ImageId>,
    /// Accounts at social or enterprise providers that sign the user in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_accounts: Vec<crate::oauth::ExternalAccount>,
    pub last_sign_in_at: Option<Millis>,
    pub last_active_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl User {
    pub fn has_image(&self) -> bool {
        self.image_url.is_some()
    }

    /// Sets (`Some`) or removes the profile image; the image it replaces, to delete with the
    /// change.
    pub fn replace_image(
        &mut self,
        image: Option<(ImageId, String)>,
        now: Millis,
    ) -> Option<ImageId> {
        let (id, url) = image.unzip();
        self.image_url = url;
        self.updated_at = now;
        std::mem::replace(&mut self.image_id, id)
    }

    pub fn primary_email(&self) -> Option<&EmailAddress> {
        let id = self.primary_email_address_id.as_deref()?;
        self.email_addresses.iter().find(|e| e.id == id)
    }

    pub fn totp_enabled(&self) -> bool {
        self.totp.as_ref().is_some_and(|t| t.verified)
    }

    pub fn backup_code_enabled(&self) -> bool {
        !self.backup_codes.is_empty()
    }

    /// Verified phone numbers kept for a second factor (`phone_code`), the default first.
    pub fn second_factor_phones(&self) -> Vec<&PhoneNumber> {
        let mut out: Vec<_> = self
            .phone_numbers
            .iter()
            .filter(|p| p.reserved_for_second_factor && p.verification.is_verified())
            .collect();
        out.sort_by_key(|p| !p.default_second_factor);
        out
    }

    /// Whether sign-in asks for a second factor: TOTP, backup codes or a phone kept for one.
    pub fn two_factor_enabled(&self) -> bool {
        self.totp_enabled() || self.backup_code_enabled() || !self.second_factor_phones().is_empty()
    }

    /// Sets a new password: any way of setting one goes through here, and clears the compromised
    /// mark.
    pub fn set_password(&mut self, digest: PasswordDigest, now: Millis) {
        self.password = Some(digest);
        self.password_last_updated_at = Some(now);
        self.password_compromised = false;
    }

    pub fn is_locked(&self, now: Millis) -> bool {
        self.lockout_expires_in_seconds(now).is_some()
    }

    /// Seconds until the lock lifts; `None` when not locked.
    pub fn lockout_expires_in_seconds(&self, now: Millis) -> Option<i64> {
        super::lockout::expires_in_seconds(self.locked_until, now)
    }

    /// Lower-cased text the `query` filter searches: ids, names, identifiers.
    pub fn search_text(&self) -> String {
        let mut parts: Vec<&str> = vec![&self.id];
        parts.extend(self.external_id.as_deref());
        parts.extend(self.username.as_deref());
        parts.extend(self.first_name.as_deref());
        parts.extend(self.last_name.as_deref());
        parts.extend(
            self.email_addresses
                .iter()
                .map(|e| e.email_address.as_str()),
        );
        parts.extend(self.phone_numbers.iter().map(|p| p.phone_number.as_str()));
        parts.join("\u{1f}").to_lowercase()
    }
}
