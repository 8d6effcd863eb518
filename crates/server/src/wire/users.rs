use std::borrow::Cow;

use serde::Serialize;
use serde_json::Value;
use usher_core::clients::factors::FactorVerification;
use usher_core::clients::strategy::Strategy;
use usher_core::clock::Millis;
use usher_core::ids::{IdentificationId, UserId};
use usher_core::users::model::Metadata;
use usher_core::users::{EmailAddress, PhoneNumber, User, Verification};

/// A neutral silhouette, so `image_url` is always a usable image without any outside service.
pub(crate) const DEFAULT_AVATAR: &str = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCA2NCA2NCI+PHJlY3Qgd2lkdGg9IjY0IiBoZWlnaHQ9IjY0IiBmaWxsPSIjZDFkNWRiIi8+PGNpcmNsZSBjeD0iMzIiIGN5PSIyNCIgcj0iMTIiIGZpbGw9IiM2YjcyODAiLz48cGF0aCBkPSJNMTIgNTZjMC0xMiA5LTE4IDIwLTE4czIwIDYgMjAgMTgiIGZpbGw9IiM2YjcyODAiLz48L3N2Zz4=";

#[derive(Debug, Serialize)]
pub struct VerificationJson {
    pub object: &'static str,
    pub status: &'static str,
    /// `from_oauth_<provider>` names its provider; every other strategy is a constant.
    pub strategy: Cow<'static, str>,
    pub attempts: Option<i64>,
    pub expire_at: Option<Millis>,
    /// An email link's: the client of the browser that opened it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_at_client: Option<String>,
}

impl From<Verification> for VerificationJson {
    fn from(v: Verification) -> Self {
        let (object, status, strategy) = match v {
            Verification::Admin => ("verification_admin", "verified", "admin"),
            Verification::Unverified => ("verification_admin", "unverified", "admin"),
            Verification::EmailCode => ("verification_otp", "verified", "email_code"),
            Verification::PhoneCode => ("verification_otp", "verified", "phone_code"),
            Verification::Ticket => ("verification_ticket", "verified", "ticket"),
            Verification::EmailLink => ("verification_email_link", "verified", "email_link"),
            Verification::Oauth => ("verification_from_oauth", "verified", "from_oauth"),
        };
        Self {
            object,
            status,
            strategy: Cow::Borrowed(strategy),
            attempts: None,
            expire_at: None,
            verified_at_client: None,
        }
    }
}

impl VerificationJson {
    /// An address's verification. A one-time code's expiry is not kept once the code was
    /// accepted, yet Clerk's one-time-code verification always carries an integer `expire_at`:
    /// the address's creation (the moment its code was accepted) stands in, past either way.
    ///
    /// An unverified identifier with a code sent to it shows that code's verification; one
    /// without shows none (`null`), as Clerk does: its `verification_admin` is always verified.
    fn of_address(
        v: Verification,
        pending: Option<&FactorVerification>,
        created_at: Millis,
    ) -> Option<Self> {
        if !v.is_verified() {
            let p = pending?;
            let (object, strategy) = match p.strategy {
                Strategy::PhoneCode => ("verification_otp", "phone_code"),
                Strategy::EmailLink => ("verification_email_link", "email_link"),
                _ => ("verification_otp", "email_code"),
            };
            return Some(Self {
                object,
                status: p.status.as_str(),
                strategy: Cow::Borrowed(strategy),
                attempts: Some(p.attempts),
                expire_at: p.expire_at,
                verified_at_client: p.verified_at_client.clone(),
            });
        }
        let mut json = Self::from(v);
        if matches!(v, Verification::EmailCode | Verification::PhoneCode) {
            json.expire_at = Some(created_at);
        }
        if v == Verification::EmailLink {
            // The link's own expiry and the browser that opened it, while the user keeps them
            // (an address verified by a sign-up's link has only its creation to show).
            let link = pending.filter(|p| p.strategy == Strategy::EmailLink);
            json.attempts = link.map(|p| p.attempts);
            json.expire_at = link.and_then(|p| p.expire_at).or(Some(created_at));
            json.verified_at_client = link.and_then(|p| p.verified_at_client.clone());
        }
        Some(json)
    }
}

#[derive(Debug, Serialize)]
pub struct EmailAddressJson {
    pub id: IdentificationId,
    pub object: &'static str,
    pub email_address: String,
    pub reserved: bool,
    pub verification: Option<VerificationJson>,
    pub linked_to: Vec<Value>,
    pub matches_sso_connection: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl From<&EmailAddress> for EmailAddressJson {
    fn from(e: &EmailAddress) -> Self {
        Self {
            id: e.id.clone(),
            object: "email_address",
            email_address: e.email_address.clone(),
            reserved: e.verification == Verification::Unverified,
            verification: VerificationJson::of_address(
                e.verification,
                e.pending.as_ref(),
                e.created_at,
            ),
            linked_to: Vec::new(),
            matches_sso_connection: false,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

impl EmailAddressJson {
    /// An address of `user`. One a provider vouched for names that provider, as Clerk's
    /// `from_oauth_<provider>` does: the provider of the external account that brought or
    /// verified it (linked by the address's id, else by the address itself).
    pub fn of_user(e: &EmailAddress, user: &User) -> Self {
        let mut json = Self::from(e);
        if e.verification == Verification::Oauth
            && let Some(v) = json.verification.as_mut()
            && let Some(account) = user
                .external_accounts
                .iter()
                .find(|a| a.identification_id.as_deref() == Some(e.id.as_str()))
                .or_else(|| {
                    user.external_accounts
                        .iter()
                        .find(|a| a.email_address.eq_ignore_ascii_case(&e.email_address))
                })
        {
            v.strategy = Cow::Owned(format!("from_oauth_{}", account.provider));
        }
        json
    }
}

#[derive(Debug, Serialize)]
pub struct PhoneNumberJson {
    pub id: IdentificationId,
    pub object: &'static str,
    pub phone_number: String,
    pub reserved_for_second_factor: bool,
    pub default_second_factor: bool,
    pub reserved: bool,
    pub verification: Option<VerificationJson>,
    pub linked_to: Vec<Value>,
    pub backup_codes: Option<Vec<String>>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl From<&PhoneNumber> for PhoneNumberJson {
    fn from(p: &PhoneNumber) -> Self {
        Self {
            id: p.id.clone(),
            object: "phone_number",
            phone_number: p.phone_number.clone(),
            reserved_for_second_factor: p.reserved_for_second_factor,
            default_second_factor: p.default_second_factor,
            reserved: p.verification == Verification::Unverified,
            verification: VerificationJson::of_address(
                p.verification,
                p.pending.as_ref(),
                p.created_at,
            ),
            linked_to: Vec::new(),
            backup_codes: None,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// Clerk's `User` object as the Backend API returns it (private metadata included).
#[derive(Debug, Serialize)]
pub struct UserJson {
    pub id: UserId,
    pub object: &'static str,
    pub external_id: Option<String>,
    pub primary_email_address_id: Option<IdentificationId>,
    pub primary_phone_number_id: Option<IdentificationId>,
    pub primary_web3_wallet_id: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub profile_image_url: String,
    pub image_url: String,
    pub has_image: bool,
    pub public_metadata: Metadata,
    /// Absent from the Frontend API's users: private metadata never reaches a browser.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_metadata: Option<Metadata>,
    pub unsafe_metadata: Metadata,
    pub email_addresses: Vec<EmailAddressJson>,
    pub phone_numbers: Vec<PhoneNumberJson>,
    pub web3_wallets: Vec<Value>,
    pub passkeys: Vec<super::passkeys::PasskeyJson>,
    pub password_enabled: bool,
    pub two_factor_enabled: bool,
    pub totp_enabled: bool,
    pub backup_code_enabled: bool,
    pub mfa_enabled_at: Option<Millis>,
    pub mfa_disabled_at: Option<Millis>,
    pub password_last_updated_at: Option<Millis>,
    pub external_accounts: Vec<Value>,
    pub saml_accounts: Vec<Value>,
    pub enterprise_accounts: Vec<Value>,
    pub organization_memberships: Vec<Value>,
    pub last_sign_in_at: Option<Millis>,
    pub banned: bool,
    pub locked: bool,
    pub lockout_expires_in_seconds: Option<i64>,
    pub verification_attempts_remaining: Option<i64>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub delete_self_enabled: bool,
    pub create_organization_enabled: bool,
    pub create_organizations_limit: Option<i64>,
    pub last_active_at: Option<Millis>,
    pub legal_accepted_at: Option<Millis>,
    pub bypass_client_trust: bool,
}

impl UserJson {
    pub fn new(u: &User, max_attempts: i64, now: Millis) -> Self {
        Self {
            id: u.id.clone(),
            object: "user",
            external_id: u.external_id.clone(),
            primary_email_address_id: u.primary_email_address_id.clone(),
            primary_phone_number_id: u.primary_phone_number_id.clone(),
            primary_web3_wallet_id: None,
            username: u.username.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            locale: u.locale.clone(),
            profile_image_url: UserJson::image_of(u).to_owned(),
            image_url: UserJson::image_of(u).to_owned(),
            has_image: u.has_image(),
            public_metadata: u.public_metadata.clone(),
            private_metadata: Some(u.private_metadata.clone()),
            unsafe_metadata: u.unsafe_metadata.clone(),
            email_addresses: u
                .email_addresses
                .iter()
                .map(|e| EmailAddressJson::of_user(e, u))
                .collect(),
            phone_numbers: u.phone_numbers.iter().map(Into::into).collect(),
            web3_wallets: Vec::new(),
            passkeys: u.passkeys.iter().map(Into::into).collect(),
            password_enabled: u.password.is_some(),
            two_factor_enabled: u.two_factor_enabled(),
            totp_enabled: u.totp_enabled(),
            backup_code_enabled: u.backup_code_enabled(),
            mfa_enabled_at: None,
            mfa_disabled_at: None,
            password_last_updated_at: u.password_last_updated_at,
            external_accounts: u
                .external_accounts
                .iter()
                .map(super::external_accounts::render)
                .collect(),
            saml_accounts: Vec::new(),
            enterprise_accounts: Vec::new(),
            organization_memberships: Vec::new(),
            last_sign_in_at: u.last_sign_in_at,
            banned: u.banned,
            locked: u.is_locked(now),
            lockout_expires_in_seconds: u.lockout_expires_in_seconds(now),
            verification_attempts_remaining: Some(
                (max_attempts - u.failed_verification_attempts).max(0),
            ),
            created_at: u.created_at,
            updated_at: u.updated_at,
            delete_self_enabled: u.delete_self_enabled,
            create_organization_enabled: u.create_organization_enabled,
            create_organizations_limit: u.create_organizations_limit,
            last_active_at: u.last_active_at,
            legal_accepted_at: u.legal_accepted_at,
            bypass_client_trust: u.bypass_client_trust,
        }
    }
}

impl UserJson {
    /// The image every user without an uploaded one shows.
    pub fn frontend_avatar() -> &'static str {
        DEFAULT_AVATAR
    }

    /// The user's uploaded profile image, or the default one.
    pub fn image_of(u: &User) -> &str {
        u.image_url.as_deref().unwrap_or(DEFAULT_AVATAR)
    }

    /// The user as the Frontend API shows it to the user's own browser.
    pub fn frontend(u: &User, max_attempts: i64, now: Millis) -> Self {
        Self {
            private_metadata: None,
            ..Self::new(u, max_attempts, now)
        }
    }
}

/// `{object, id, deleted: true}`: what deleting returns, and the `user.deleted` payload.
#[derive(Debug, Serialize)]
pub struct DeletedObjectJson {
    pub object: &'static str,
    pub id: String,
    pub deleted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

impl DeletedObjectJson {
    /// `{object, id, deleted: true}`.
    pub fn new(object: &'static str, id: impl Into<String>) -> Self {
        Self {
            object,
            id: id.into(),
            deleted: true,
            external_id: None,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct VerifiedPasswordJson {
    pub verified: bool,
}

/// `POST /v1/users/{user_id}/verify_totp`: which kind of code matched (`totp`, `backup_code`).
#[derive(Debug, Serialize)]
pub struct VerifiedTotpJson {
    pub verified: bool,
    pub code_type: &'static str,
}

/// `DELETE /v1/users/{user_id}/mfa`, `/totp` and `/backup_code`.
#[derive(Debug, Serialize)]
pub struct UserIdJson {
    pub user_id: String,
}
