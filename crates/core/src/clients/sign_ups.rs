//! A sign-up attempt: collect the fields the instance requires, verify the email address with a
//! code, then (the caller) create the user and its first session in one transaction.

use serde::{Deserialize, Serialize};

use super::factors::FactorVerification;
use super::sign_ins::{ABANDON_AFTER_MS, CodeToSend};
use super::strategy::Strategy;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{new_id, prefix};
use crate::instance::{Environment, InstanceSettings};
use crate::users::User;
use crate::users::create::{NewUser, validate};
use crate::users::identifiers::{
    validate_email, validate_names, validate_phone, validate_username,
};
use crate::users::metadata::check_size;
use crate::users::model::{Metadata, PasswordDigest, Verification};

/// What preparing a sign-up's email verification sends.
#[derive(Debug, Clone, PartialEq)]
pub enum VerificationMail {
    Code(CodeToSend),
    /// The address already has an account: its owner is told someone tried to sign up with it.
    AccountExists {
        email_address: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignUpStatus {
    MissingRequirements,
    Complete,
    Abandoned,
}

impl SignUpStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SignUpStatus::MissingRequirements => "missing_requirements",
            SignUpStatus::Complete => "complete",
            SignUpStatus::Abandoned => "abandoned",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignUp {
    pub id: String,
    pub status: SignUpStatus,
    pub email_address: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Hashed as soon as it is given: the plaintext is never kept.
    pub password: Option<PasswordDigest>,
    pub unsafe_metadata: Metadata,
    pub locale: Option<String>,
    pub legal_accepted_at: Option<Millis>,
    pub email_verification: Option<FactorVerification>,
    /// A phone number (E.164), verified by a texted code (`phone_code`).
    #[serde(default)]
    pub phone_number: Option<String>,
    #[serde(default)]
    pub phone_verification: Option<FactorVerification>,
    /// The number belongs to an account (found while preparing its verification with
    /// enumeration protection on): no code was texted, and none is accepted.
    #[serde(default)]
    pub phone_taken: bool,
    pub created_user_id: Option<String>,
    pub created_session_id: Option<String>,
    /// The address belongs to an account (found while preparing its verification with
    /// enumeration protection on): its owner was told, no code was sent, and none is accepted.
    #[serde(default)]
    pub email_taken: bool,
    /// The organization invitation whose ticket started this sign-up: its address counts as
    /// verified, and completing the sign-up accepts it. Dropped if the address changes.
    #[serde(default)]
    pub organization_invitation_id: Option<String>,
    /// A social sign-up's verification: the provider's authorization URL to go to.
    #[serde(default)]
    pub external_verification: Option<FactorVerification>,
    /// The instance invitation (`/v1/invitations`) whose ticket started this sign-up: as an
    /// organization invitation's, its address counts as verified, and completing the sign-up
    /// accepts it and gives the user its public metadata. Dropped if the address changes.
    #[serde(default)]
    pub invitation_id: Option<String>,
    /// A social sign-up the provider vouched for, held until the fields the instance requires
    /// and the provider did not give are supplied; completing it creates the user with this
    /// external account.
    #[serde(default)]
    pub oauth_transfer: Option<crate::oauth::accounts::Transfer>,
    pub abandon_at: Millis,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// Fields a create or update request gives, already parsed. `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct SignUpFields {
    pub email_address: Option<String>,
    pub phone_number: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub unsafe_metadata: Option<Metadata>,
    pub locale: Option<String>,
    pub legal_accepted: bool,
}

impl SignUpFields {
    /// Checks formats before anything is hashed or stored.
    pub fn validate(mut self) -> CoreResult<Self> {
        self.email_address = self
            .email_address
            .as_deref()
            .map(validate_email)
            .transpose()?;
        self.phone_number = self
            .phone_number
            .as_deref()
            .map(validate_phone)
            .transpose()?;
        self.username = self
            .username
            .as_deref()
            .map(validate_username)
            .transpose()?;
        validate_names(self.first_name.as_deref(), self.last_name.as_deref())?;
        if let Some(m) = &self.unsafe_metadata {
            check_size(&Metadata::new(), &Metadata::new(), m)?;
        }
        Ok(self)
    }
}

impl SignUp {
    pub fn start(now: Millis) -> Self {
        Self {
            id: new_id(prefix::SIGN_UP),
            status: SignUpStatus::MissingRequirements,
            email_address: None,
            username: None,
            first_name: None,
            last_name: None,
            password: None,
            unsafe_metadata: Metadata::new(),
            locale: None,
            legal_accepted_at: None,
            email_verification: None,
            phone_number: None,
            phone_verification: None,
            phone_taken: false,
            created_user_id: None,
            created_session_id: None,
            email_taken: false,
            organization_invitation_id: None,
            external_verification: None,
            invitation_id: None,
            oauth_transfer: None,
            abandon_at: now + ABANDON_AFTER_MS,
            created_at: now,
            updated_at: now,
        }
    }

    pub fn is_abandoned(&self, now: Millis) -> bool {
        self.status != SignUpStatus::Complete && now >= self.abandon_at
    }

    /// Applies validated fields (and a password hashed by the caller).
    pub fn apply(
        &mut self,
        f: SignUpFields,
        password: Option<PasswordDigest>,
        now: Millis,
    ) -> CoreResult<()> {
        if self.status == SignUpStatus::Complete {
            return Err(CoreError::FlowInvalid {
                reason: "this sign-up is already complete",
            });
        }
        if let Some(e) = f.email_address
            && self.email_address.as_deref() != Some(e.as_str())
        {
            self.email_address = Some(e);
            // A new address needs a new code, and is not the invited one.
            self.email_verification = None;
            self.organization_invitation_id = None;
            self.invitation_id = None;
        }
        if let Some(p) = f.phone_number
            && self.phone_number.as_deref() != Some(p.as_str())
        {
            // A new number needs a new code.
            self.phone_number = Some(p);
            self.phone_verification = None;
            self.phone_taken = false;
        }
        if f.username.is_some() {
            self.username = f.username;
        }
        if f.first_name.is_some() {
            self.first_name = f.first_name;
        }
        if f.last_name.is_some() {
            self.last_name = f.last_name;
        }
        if let Some(m) = f.unsafe_metadata {
            self.unsafe_metadata = m;
        }
        if f.locale.is_some() {
            self.locale = f.locale;
        }
        if f.legal_accepted {
            self.legal_accepted_at = Some(now);
        }
        if password.is_some() {
            self.password = password;
        }
        self.updated_at = now;
        Ok(())
    }

    /// Binds the sign-up to an invitation whose ticket was checked: its address is the sign-up's
    /// and counts as verified (the ticket was emailed to it).
    pub fn apply_ticket(
        &mut self,
        invitation_id: &str,
        email_address: &str,
        now: Millis,
    ) -> CoreResult<()> {
        if self.status == SignUpStatus::Complete {
            return Err(CoreError::FlowInvalid {
                reason: "this sign-up is already complete",
            });
        }
        self.email_address = Some(email_address.to_owned());
        self.email_verification = None;
        self.email_taken = false;
        self.organization_invitation_id = Some(invitation_id.to_owned());
        self.invitation_id = None;
        self.updated_at = now;
        Ok(())
    }

    /// As [`Self::apply_ticket`], for an invitation to the instance rather than to an
    /// organization.
    pub fn apply_invitation_ticket(
        &mut self,
        invitation_id: &str,
        email_address: &str,
        now: Millis,
    ) -> CoreResult<()> {
        self.apply_ticket(invitation_id, email_address, now)?;
        self.organization_invitation_id = None;
        self.invitation_id = Some(invitation_id.to_owned());
        Ok(())
    }

    /// Whether the address was verified by an invitation's ticket.
    pub fn verified_by_ticket(&self) -> bool {
        (self.organization_invitation_id.is_some() || self.invitation_id.is_some())
            && self.email_address.is_some()
    }

    pub fn unverified_fields(&self) -> Vec<&'static str> {
        let mut out = match (&self.email_address, &self.email_verification) {
            _ if self.verified_by_ticket() => Vec::new(),
            (Some(e), _) if self.brought_by_provider(e) => Vec::new(),
            (Some(_), Some(v)) if v.is_verified() => Vec::new(),
            (Some(_), _) => vec!["email_address"],
            (None, _) => Vec::new(),
        };
        if self.phone_number.is_some()
            && !self
                .phone_verification
                .as_ref()
                .is_some_and(|v| v.is_verified())
        {
            out.push("phone_number");
        }
        out
    }

    /// The address a code or a link is about to verify: refused when there is none, or when a
    /// ticket or an earlier verification already verified it.
    pub(crate) fn email_to_verify(&self) -> CoreResult<String> {
        let email = self
            .email_address
            .clone()
            .ok_or_else(|| CoreError::missing("email_address"))?;
        if self.verified_by_ticket()
            || self
                .email_verification
                .as_ref()
                .is_some_and(|v| v.is_verified())
        {
            return Err(CoreError::VerificationAlreadyVerified);
        }
        Ok(email)
    }

    /// Whether `email` is the address the held social account brought (which the provider
    /// vouched for, or which the user gets unverified, as a social sign-up's address).
    pub fn brought_by_provider(&self, email: &str) -> bool {
        self.oauth_transfer
            .as_ref()
            .is_some_and(|t| t.account.email_address.eq_ignore_ascii_case(email))
    }

    /// A social sign-up the provider answered for a new account: its verification is done and
    /// the sign-up holds the account, with the address and names the provider gave (fields the
    /// request already set are kept). Whether the user can be created now is
    /// [`missing_fields`](Self::missing_fields)'s answer.
    pub fn hold_social(
        &mut self,
        strategy: Strategy,
        transfer: crate::oauth::accounts::Transfer,
        now: Millis,
    ) {
        let a = &transfer.account;
        if !a.email_address.is_empty() {
            self.email_address = Some(a.email_address.clone());
            self.email_verification = None;
        }
        self.first_name = self.first_name.take().or(a.first_name.clone());
        self.last_name = self.last_name.take().or(a.last_name.clone());
        let expire_at = self
            .external_verification
            .as_ref()
            .filter(|v| v.strategy == strategy)
            .and_then(|v| v.expire_at)
            .unwrap_or(now);
        let mut v = FactorVerification::checked(strategy, true);
        v.expire_at = Some(expire_at);
        self.external_verification = Some(v);
        self.oauth_transfer = Some(transfer);
        self.status = SignUpStatus::MissingRequirements;
        self.updated_at = now;
    }

    /// Whether every requirement is met, so the user can be created.
    pub fn is_ready(&self, settings: &InstanceSettings) -> bool {
        self.status == SignUpStatus::MissingRequirements
            && self.missing_fields(settings).is_empty()
            && self.unverified_fields().is_empty()
    }

    /// Starts the email verification. `owner_known`: enumeration protection is on and the
    /// address belongs to an account; the sign-up goes on as for any address (the same answer),
    /// but the owner is told instead of being sent a code.
    pub fn prepare_email_verification(
        &mut self,
        owner_known: bool,
        environment: Environment,
        now: Millis,
    ) -> CoreResult<Option<VerificationMail>> {
        let email = self.email_to_verify()?;
        self.email_taken = owner_known;
        // A taken address never takes a development instance's test code either.
        let environment = if owner_known {
            Environment::Production
        } else {
            environment
        };
        let (v, code) =
            FactorVerification::issue_code(Strategy::EmailCode, &email, None, environment, now);
        self.email_verification = Some(v);
        self.updated_at = now;
        if owner_known {
            return Ok(Some(VerificationMail::AccountExists {
                email_address: email,
            }));
        }
        Ok(code.map(|code| {
            VerificationMail::Code(CodeToSend {
                code,
                email_address: email,
                email_address_id: String::new(),
            })
        }))
    }

    pub fn attempt_email_verification(&mut self, code: &str, now: Millis) -> CoreResult<()> {
        let v = self
            .email_verification
            .as_mut()
            .ok_or(CoreError::FlowInvalid {
                reason: "prepare the verification before attempting it",
            })?;
        self.updated_at = now;
        if self.email_taken {
            // No code was sent, so none is right; the attempt counts as any wrong one.
            return v.attempt_code("", now);
        }
        v.attempt_code(code, now)
    }

    /// The user this sign-up creates, its email verified by code.
    pub fn to_user(&self, settings: &InstanceSettings, now: Millis) -> CoreResult<User> {
        let input = NewUser {
            email_addresses: self.email_address.iter().cloned().collect(),
            phone_numbers: self.phone_number.iter().cloned().collect(),
            username: self.username.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            locale: self.locale.clone(),
            unsafe_metadata: Some(self.unsafe_metadata.clone()),
            legal_accepted_at: self.legal_accepted_at,
            skip_password_requirement: true,
            ..Default::default()
        };
        let mut user = validate(input, settings)?.into_user(self.password.clone(), settings, now);
        let by_link = self
            .email_verification
            .as_ref()
            .is_some_and(|v| v.strategy == Strategy::EmailLink);
        let verification = if self.verified_by_ticket() {
            Verification::Ticket
        } else if by_link {
            Verification::EmailLink
        } else {
            Verification::EmailCode
        };
        for e in &mut user.email_addresses {
            e.verification = verification;
        }
        for p in &mut user.phone_numbers {
            p.verification = Verification::PhoneCode;
        }
        Ok(user)
    }

    pub fn complete(&mut self, user_id: &str, session_id: &str, now: Millis) {
        self.status = SignUpStatus::Complete;
        self.created_user_id = Some(user_id.to_owned());
        self.created_session_id = Some(session_id.to_owned());
        self.updated_at = now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_must_be_verified_before_the_user_exists() {
        let settings = InstanceSettings::default();
        let mut s = SignUp::start(0);
        let f = SignUpFields {
            email_address: Some("New@Example.com".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        s.apply(f, Some(PasswordDigest("$argon2id$x".into())), 1)
            .unwrap();
        assert_eq!(s.unverified_fields(), vec!["email_address"]);
        assert!(!s.is_ready(&settings));
        let Some(VerificationMail::Code(sent)) = s
            .prepare_email_verification(false, Environment::Production, 2)
            .unwrap()
        else {
            panic!("a code is sent to a new address");
        };
        assert_eq!(
            s.attempt_email_verification("nope", 3),
            Err(CoreError::CodeIncorrect)
        );
        s.attempt_email_verification(&sent.code, 4).unwrap();
        assert!(s.is_ready(&settings));
        let user = s.to_user(&settings, 5).unwrap();
        assert_eq!(
            user.email_addresses[0].verification,
            Verification::EmailCode
        );
        assert!(user.password.is_some());
    }

    #[test]
    fn a_taken_address_goes_on_like_any_other_but_gets_no_code_and_takes_none() {
        let mut s = SignUp::start(0);
        let f = SignUpFields {
            email_address: Some("owner+clerk_test@example.com".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        s.apply(f, Some(PasswordDigest("$argon2id$x".into())), 1)
            .unwrap();
        let mail = s
            .prepare_email_verification(true, Environment::Development, 2)
            .unwrap();
        assert_eq!(
            mail,
            Some(VerificationMail::AccountExists {
                email_address: "owner+clerk_test@example.com".into()
            })
        );
        assert_eq!(s.unverified_fields(), vec!["email_address"]);
        // Not even a development instance's test code.
        assert_eq!(
            s.attempt_email_verification("424242", 3),
            Err(CoreError::CodeIncorrect)
        );
        assert!(!s.is_ready(&InstanceSettings::default()));
    }

    #[test]
    fn a_ticket_verifies_the_invited_address_until_it_changes() {
        let settings = InstanceSettings::default();
        let mut s = SignUp::start(0);
        s.apply_ticket("orginv_1", "inv@example.com", 1).unwrap();
        assert_eq!(s.email_address.as_deref(), Some("inv@example.com"));
        assert!(s.unverified_fields().is_empty());
        assert_eq!(s.missing_fields(&settings), vec!["password"]);
        s.apply(
            SignUpFields::default(),
            Some(PasswordDigest("$argon2id$x".into())),
            2,
        )
        .unwrap();
        assert!(s.is_ready(&settings));
        let user = s.to_user(&settings, 3).unwrap();
        assert_eq!(user.email_addresses[0].verification, Verification::Ticket);
        let f = SignUpFields {
            email_address: Some("other@example.com".into()),
            ..Default::default()
        };
        s.apply(f, None, 4).unwrap();
        assert_eq!(s.organization_invitation_id, None);
        assert_eq!(s.unverified_fields(), vec!["email_address"]);
    }

    #[test]
    fn missing_password_is_reported() {
        let mut s = SignUp::start(0);
        s.apply(
            SignUpFields {
                email_address: Some("a@b.co".into()),
                ..Default::default()
            },
            None,
            1,
        )
        .unwrap();
        assert_eq!(
            s.missing_fields(&InstanceSettings::default()),
            vec!["password"]
        );
    }
}
