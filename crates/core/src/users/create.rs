//! Creating a user: validate every field first (so no hashing is wasted on a request that will
//! fail), hash the password on the pool, then build the user.

use super::identifiers::{
    validate_email, validate_external_id, validate_locale, validate_names,
    validate_organizations_limit, validate_phone, validate_username,
};
use super::metadata::check_size;
use super::model::{EmailAddress, Metadata, PasswordDigest, PhoneNumber, User, Verification};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::UserId;
use crate::instance::InstanceSettings;
use crate::passwords::{self, PasswordInput};

/// A request to create a user, already parsed from its wire form.
#[derive(Debug, Default, Clone)]
pub struct NewUser {
    pub email_addresses: Vec<String>,
    pub phone_numbers: Vec<String>,
    pub username: Option<String>,
    pub external_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub password: Option<String>,
    pub password_digest: Option<String>,
    pub password_hasher: Option<String>,
    pub skip_password_checks: bool,
    pub skip_password_requirement: bool,
    pub public_metadata: Option<Metadata>,
    pub private_metadata: Option<Metadata>,
    pub unsafe_metadata: Option<Metadata>,
    pub created_at: Option<Millis>,
    pub legal_accepted_at: Option<Millis>,
    pub delete_self_enabled: Option<bool>,
    pub create_organization_enabled: Option<bool>,
    pub create_organizations_limit: Option<i64>,
    pub bypass_client_trust: Option<bool>,
    pub banned: Option<bool>,
    pub locked: Option<bool>,
}

/// A `NewUser` whose every field passed validation; only the password may still need hashing.
#[derive(Debug)]
pub struct ValidatedNewUser {
    fields: NewUser,
    emails: Vec<String>,
    phones: Vec<String>,
    pub password: PasswordInput,
}

pub fn validate(mut input: NewUser, settings: &InstanceSettings) -> CoreResult<ValidatedNewUser> {
    let emails = dedupe_checked(&input.email_addresses, validate_email, "email_address")?;
    let phones = dedupe_checked(&input.phone_numbers, validate_phone, "phone_number")?;
    input.username = input
        .username
        .as_deref()
        .map(validate_username)
        .transpose()?;
    input.external_id = input
        .external_id
        .as_deref()
        .map(validate_external_id)
        .transpose()?;
    validate_names(input.first_name.as_deref(), input.last_name.as_deref())?;
    if let Some(l) = &input.locale {
        validate_locale(l)?;
    }
    if let Some(limit) = input.create_organizations_limit {
        validate_organizations_limit(limit)?;
    }
    let password = passwords::classify_input(
        input.password.take(),
        input.password_digest.take(),
        input.password_hasher.take(),
        input.skip_password_checks,
        settings,
    )?;
    if matches!(password, PasswordInput::None)
        && settings.password_required
        && !input.skip_password_requirement
    {
        return Err(CoreError::missing("password"));
    }
    let empty = Metadata::new();
    check_size(
        input.public_metadata.as_ref().unwrap_or(&empty),
        input.private_metadata.as_ref().unwrap_or(&empty),
        input.unsafe_metadata.as_ref().unwrap_or(&empty),
    )?;
    if emails.is_empty()
        && phones.is_empty()
        && input.username.is_none()
        && input.external_id.is_none()
    {
        // A user nobody can ever sign in as or find again is almost certainly a mistake.
        return Err(CoreError::missing("email_address"));
    }
    Ok(ValidatedNewUser {
        fields: input,
        emails,
        phones,
        password,
    })
}

fn dedupe_checked(
    values: &[String],
    check: fn(&str) -> CoreResult<String>,
    param: &'static str,
) -> CoreResult<Vec<String>> {
    if values.len() > 100 {
        return Err(CoreError::value(param, "at most 100 values are accepted"));
    }
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for v in values {
        let v = check(v)?;
        if out.iter().any(|o| o.eq_ignore_ascii_case(&v)) {
            return Err(CoreError::IdentifierExists { param });
        }
        out.push(v);
    }
    Ok(out)
}

impl ValidatedNewUser {
    pub fn into_user(
        self,
        digest: Option<PasswordDigest>,
        settings: &InstanceSettings,
        now: Millis,
    ) -> User {
        let f = self.fields;
        let created_at = f.created_at.unwrap_or(now);
        let email_addresses: Vec<EmailAddress> = self
            .emails
            .into_iter()
            .map(|e| EmailAddress::new(e, Verification::Admin, now))
            .collect();
        let phone_numbers: Vec<PhoneNumber> = self
            .phones
            .into_iter()
            .map(|p| PhoneNumber::new(p, Verification::Admin, now))
            .collect();
        let has_password = digest.is_some();
        User {
            id: UserId::new(),
            version: 0,
            external_id: f.external_id,
            username: f.username,
            first_name: f.first_name,
            last_name: f.last_name,
            locale: f.locale,
            primary_email_address_id: email_addresses.first().map(|e| e.id.clone()),
            primary_phone_number_id: phone_numbers.first().map(|p| p.id.clone()),
            email_addresses,
            phone_numbers,
            password: digest,
            password_last_updated_at: has_password.then_some(now),
            password_compromised: false,
            public_metadata: f.public_metadata.unwrap_or_default(),
            private_metadata: f.private_metadata.unwrap_or_default(),
            unsafe_metadata: f.unsafe_metadata.unwrap_or_default(),
            banned: f.banned.unwrap_or(false),
            locked_until: f
                .locked
                .unwrap_or(false)
                .then(|| now + settings.lockout_duration_secs * 1000),
            failed_verification_attempts: 0,
            delete_self_enabled: f.delete_self_enabled.unwrap_or(true),
            create_organization_enabled: f.create_organization_enabled.unwrap_or(true),
            create_organizations_limit: f.create_organizations_limit,
            bypass_client_trust: f.bypass_client_trust.unwrap_or(false),
            legal_accepted_at: f.legal_accepted_at,
            totp: None,
            backup_codes: Vec::new(),
            passkeys: Vec::new(),
            image_url: None,
            image_id: None,
            external_accounts: Vec::new(),
            last_sign_in_at: None,
            last_active_at: None,
            created_at,
            updated_at: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> InstanceSettings {
        InstanceSettings::default()
    }

    #[test]
    fn requires_password_unless_skipped() {
        let input = NewUser {
            email_addresses: vec!["a@b.co".into()],
            ..Default::default()
        };
        assert_eq!(
            validate(input.clone(), &settings()).unwrap_err(),
            CoreError::missing("password")
        );
        let ok = NewUser {
            skip_password_requirement: true,
            ..input
        };
        let v = validate(ok, &settings()).unwrap();
        let user = v.into_user(None, &settings(), 1000);
        assert_eq!(user.email_addresses.len(), 1);
        assert_eq!(
            user.primary_email_address_id.as_deref(),
            Some(user.email_addresses[0].id.as_str())
        );
        assert!(user.password.is_none());
    }

    #[test]
    fn rejects_duplicate_emails_in_one_request_and_short_passwords() {
        let dup = NewUser {
            email_addresses: vec!["a@b.co".into(), "A@b.co".into()],
            skip_password_requirement: true,
            ..Default::default()
        };
        assert_eq!(
            validate(dup, &settings()).unwrap_err(),
            CoreError::IdentifierExists {
                param: "email_address"
            }
        );
        let short = NewUser {
            email_addresses: vec!["a@b.co".into()],
            password: Some("short".into()),
            ..Default::default()
        };
        assert_eq!(
            validate(short, &settings()).unwrap_err(),
            CoreError::PasswordTooShort { min: 8 }
        );
        let skipped = NewUser {
            email_addresses: vec!["a@b.co".into()],
            password: Some("short".into()),
            skip_password_checks: true,
            ..Default::default()
        };
        assert!(validate(skipped, &settings()).is_ok());
    }
}
