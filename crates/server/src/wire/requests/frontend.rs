//! Frontend API forms (what clerk-js posts). Unlike the Backend API's bodies, unknown fields are
//! ignored: clerk-js adds fields (`locale`, `timezone`, `tab_state`, …) that change between
//! versions, and refusing them would break sign-in for a newer browser SDK.

use serde::Deserialize;
use usher_core::CoreError;
use usher_core::clients::sign_ups::SignUpFields;
use usher_core::users::model::Metadata;

use super::fields::form;
use crate::app::frontend::me::ProfilePatch;
use crate::app::frontend::sign_ins::CreateSignIn;

/// `POST /v1/client/sign_ins`.
#[derive(Debug, Deserialize)]
pub struct CreateSignInForm {
    #[serde(default, with = "form::text")]
    identifier: Option<String>,
    #[serde(default, with = "form::text")]
    strategy: Option<String>,
    #[serde(default, with = "form::text")]
    password: Option<String>,
    #[serde(default, with = "form::text")]
    ticket: Option<String>,
    /// A social sign-in's: where the browser goes back to (clerk-js's SSO callback page).
    #[serde(default, with = "form::text")]
    pub redirect_url: Option<String>,
    #[serde(default, with = "form::text")]
    pub action_complete_redirect_url: Option<String>,
}

impl CreateSignInForm {
    /// The provider of an `oauth_<provider>` strategy, if that is the one named.
    pub fn oauth_provider(&self) -> Option<String> {
        match self.strategy.as_deref()?.parse() {
            Ok(usher_core::clients::Strategy::Oauth(p)) => Some(p),
            _ => None,
        }
    }
}

impl From<CreateSignInForm> for CreateSignIn {
    fn from(f: CreateSignInForm) -> Self {
        CreateSignIn {
            identifier: f.identifier,
            ticket: f.ticket,
            // Creating acts only on a password; any other strategy, known or not, only identifies.
            strategy: f.strategy.and_then(|s| s.parse().ok()),
            password: f.password,
        }
    }
}

/// `prepare_first_factor`, `prepare_second_factor`.
#[derive(Debug, Deserialize)]
pub struct PrepareFactorForm {
    #[serde(with = "form::required")]
    pub strategy: String,
    #[serde(default, with = "form::text")]
    pub email_address_id: Option<String>,
    /// For `phone_code`.
    #[serde(default, with = "form::text")]
    pub phone_number_id: Option<String>,
    /// For `email_link`: where the browser that opens the link goes.
    #[serde(default, with = "form::text")]
    pub redirect_url: Option<String>,
}

impl PrepareFactorForm {
    /// The email address or, for `phone_code`, the phone number the code goes to.
    pub fn identification_id(&self) -> Option<&str> {
        if self.strategy == "phone_code" {
            self.phone_number_id.as_deref()
        } else {
            self.email_address_id.as_deref()
        }
    }
}

/// `attempt_first_factor`: the password or the code, as the strategy says.
#[derive(Debug, Deserialize)]
pub struct AttemptFirstFactorForm {
    #[serde(with = "form::required")]
    pub strategy: String,
    #[serde(default, with = "form::text")]
    password: Option<String>,
    #[serde(default, with = "form::text")]
    code: Option<String>,
    /// For `passkey`: the browser's assertion, as JSON.
    #[serde(default, with = "form::text")]
    public_key_credential: Option<String>,
}

impl AttemptFirstFactorForm {
    pub fn public_key_credential(&self) -> Result<&str, CoreError> {
        self.public_key_credential
            .as_deref()
            .ok_or_else(|| CoreError::missing("public_key_credential"))
    }

    pub fn password(&self) -> Result<&str, CoreError> {
        self.password
            .as_deref()
            .ok_or_else(|| CoreError::missing("password"))
    }

    pub fn code(&self) -> Result<&str, CoreError> {
        self.code
            .as_deref()
            .ok_or_else(|| CoreError::missing("code"))
    }
}

/// `attempt_second_factor`, sign-up `attempt_verification`.
#[derive(Debug, Deserialize)]
pub struct StrategyCodeForm {
    #[serde(with = "form::required")]
    pub strategy: String,
    #[serde(with = "form::required")]
    pub code: String,
}

/// Sign-up `prepare_verification`.
#[derive(Debug, Deserialize)]
pub struct StrategyForm {
    #[serde(with = "form::required")]
    pub strategy: String,
    /// For `email_link`: where the browser that opens the link goes.
    #[serde(default, with = "form::text")]
    pub redirect_url: Option<String>,
}

/// `reset_password` on a sign-in.
#[derive(Debug, Deserialize)]
pub struct ResetPasswordForm {
    #[serde(with = "form::required")]
    pub password: String,
    #[serde(default, with = "form::flag")]
    pub sign_out_of_other_sessions: bool,
}

/// `POST /v1/client/sign_ups` and `PATCH …/sign_ups/{id}`.
#[derive(Debug, Deserialize)]
pub struct SignUpForm {
    #[serde(default, with = "form::text")]
    email_address: Option<String>,
    #[serde(default, with = "form::text")]
    username: Option<String>,
    #[serde(default, with = "form::text")]
    first_name: Option<String>,
    #[serde(default, with = "form::text")]
    last_name: Option<String>,
    #[serde(default, with = "form::metadata")]
    unsafe_metadata: Option<Metadata>,
    #[serde(default, with = "form::text")]
    locale: Option<String>,
    #[serde(default, with = "form::flag")]
    legal_accepted: bool,
    #[serde(default, with = "form::text")]
    pub password: Option<String>,
    #[serde(default, with = "form::text")]
    pub phone_number: Option<String>,
    #[serde(default, with = "form::text")]
    pub strategy: Option<String>,
    /// An organization invitation's ticket (`strategy=ticket`).
    #[serde(default, with = "form::text")]
    pub ticket: Option<String>,
    /// Creates the user a transferable social sign-in described.
    #[serde(default, with = "form::flag")]
    pub transfer: bool,
    /// A social sign-up's: where the browser goes back to.
    #[serde(default, with = "form::text")]
    pub redirect_url: Option<String>,
    #[serde(default, with = "form::text")]
    pub action_complete_redirect_url: Option<String>,
}

impl SignUpForm {
    /// The ticket `strategy=ticket` needs (refused when missing); none for any other strategy.
    pub fn ticket(&self) -> Result<Option<String>, usher_core::CoreError> {
        if self.strategy.as_deref() != Some("ticket") {
            return Ok(None);
        }
        match &self.ticket {
            Some(t) if !t.is_empty() => Ok(Some(t.clone())),
            _ => Err(usher_core::CoreError::missing("ticket")),
        }
    }

    /// The sign-up's fields, and its password apart.
    pub fn into_parts(self) -> (SignUpFields, Option<String>) {
        (
            SignUpFields {
                email_address: self.email_address,
                phone_number: self.phone_number,
                username: self.username,
                first_name: self.first_name,
                last_name: self.last_name,
                unsafe_metadata: self.unsafe_metadata,
                locale: self.locale,
                legal_accepted: self.legal_accepted,
            },
            self.password,
        )
    }
}

/// `PATCH /v1/me`: an empty name clears it.
#[derive(Debug, Deserialize)]
pub struct ProfileForm {
    #[serde(default, with = "form::raw")]
    first_name: Option<String>,
    #[serde(default, with = "form::raw")]
    last_name: Option<String>,
    #[serde(default, with = "form::text")]
    username: Option<String>,
    /// Only a verified address of the user's own (`app::identifiers::set_primary_mine`).
    #[serde(default, with = "form::text")]
    pub primary_email_address_id: Option<String>,
    #[serde(default, with = "form::text")]
    pub primary_phone_number_id: Option<String>,
}

impl ProfileForm {
    /// Whether a name or the username is given (not only a primary identifier).
    pub fn changes_profile(&self) -> bool {
        self.first_name.is_some() || self.last_name.is_some() || self.username.is_some()
    }
}

impl From<ProfileForm> for ProfilePatch {
    fn from(f: ProfileForm) -> Self {
        ProfilePatch {
            first_name: f.first_name,
            last_name: f.last_name,
            username: f.username,
        }
    }
}

/// `POST /v1/me/change_password`.
#[derive(Debug, Deserialize)]
pub struct ChangePasswordForm {
    #[serde(default, with = "form::text")]
    pub current_password: Option<String>,
    #[serde(with = "form::required")]
    pub new_password: String,
    #[serde(default, with = "form::flag")]
    pub sign_out_of_other_sessions: bool,
}

/// `POST /v1/me/totp/attempt_verification`.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(with = "form::required")]
    pub code: String,
}

/// `POST /v1/client/sessions/{id}/touch`: an empty organization clears it.
#[derive(Debug, Deserialize)]
pub struct TouchForm {
    #[serde(default, with = "form::raw")]
    pub active_organization_id: Option<String>,
}

/// `POST /v1/client/sessions/{id}/tokens`: clerk-js sends `organization_id` (empty: the personal
/// account) and `tab_state`; other fields are ignored.
#[derive(Debug, Default, Deserialize)]
pub struct TokenForm {
    #[serde(default, with = "form::raw")]
    pub organization_id: Option<String>,
}

/// `POST /v1/organizations` and `PATCH /v1/organizations/{id}`.
#[derive(Debug, Deserialize)]
pub struct OrganizationForm {
    #[serde(default, with = "form::text")]
    pub name: Option<String>,
    #[serde(default, with = "form::text")]
    pub slug: Option<String>,
}

/// `POST /v1/organizations/{id}/memberships` (`user_id`, `role`) and its `PATCH` (`role`).
#[derive(Debug, Deserialize)]
pub struct MemberForm {
    #[serde(default, with = "form::text")]
    pub user_id: Option<String>,
    #[serde(default, with = "form::text")]
    pub role: Option<String>,
}

/// `POST /v1/organizations/{id}/domains`: clerk-js sends `name`, and `enrollment_mode` only
/// when given one.
#[derive(Debug, Deserialize)]
pub struct DomainForm {
    #[serde(default, with = "form::text")]
    pub name: Option<String>,
    #[serde(default, with = "form::text")]
    pub enrollment_mode: Option<String>,
}

/// `POST /v1/organizations/{id}/domains/{domain_id}/update_enrollment_mode`.
#[derive(Debug, Deserialize)]
pub struct EnrollmentModeForm {
    #[serde(with = "form::required")]
    pub enrollment_mode: String,
    #[serde(default, with = "form::flag")]
    pub delete_pending: bool,
}

/// `POST /v1/organizations/{id}/domains/{domain_id}/prepare_affiliation_verification`.
#[derive(Debug, Deserialize)]
pub struct AffiliationForm {
    #[serde(with = "form::required")]
    pub affiliation_email_address: String,
}

/// `POST /v1/organizations/{id}/invitations` (one `email_address`) and `…/invitations/bulk`
/// (`email_address` repeated, read with `Form::all`); `notify` is accepted and every invitation
/// is emailed.
#[derive(Debug, Deserialize)]
pub struct InvitationForm {
    #[serde(default, with = "form::text")]
    pub email_address: Option<String>,
    #[serde(default, with = "form::text")]
    pub role: Option<String>,
}

/// `POST /v1/waitlist` (clerk-js's `joinWaitlist`).
#[derive(Debug, Deserialize)]
pub struct JoinWaitlistForm {
    #[serde(with = "form::required")]
    pub email_address: String,
}
