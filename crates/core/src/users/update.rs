//! Changing a user: `PATCH /v1/users/{id}` semantics. `None` leaves a field alone; `Some(None)`
//! clears it.

use super::identifiers::{
    validate_external_id, validate_locale, validate_names, validate_organizations_limit,
    validate_username,
};
use super::metadata::check_size;
use super::model::{Metadata, PasswordDigest, User};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::instance::InstanceSettings;
use crate::passwords::{self, PasswordInput};

#[derive(Debug, Default, Clone)]
pub struct UserPatch {
    pub external_id: Option<Option<String>>,
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub locale: Option<Option<String>>,
    pub username: Option<Option<String>>,
    pub primary_email_address_id: Option<String>,
    pub primary_phone_number_id: Option<String>,
    pub password: Option<String>,
    pub password_digest: Option<String>,
    pub password_hasher: Option<String>,
    pub skip_password_checks: bool,
    pub sign_out_of_other_sessions: bool,
    /// Accepted for clients older than API version 2026-05-12: replaces the whole field.
    pub public_metadata: Option<Metadata>,
    pub private_metadata: Option<Metadata>,
    pub unsafe_metadata: Option<Metadata>,
    pub delete_self_enabled: Option<bool>,
    pub create_organization_enabled: Option<bool>,
    pub create_organizations_limit: Option<Option<i64>>,
    pub bypass_client_trust: Option<bool>,
    pub legal_accepted_at: Option<Option<Millis>>,
    pub created_at: Option<Millis>,
}

#[derive(Debug)]
pub struct ValidatedPatch {
    patch: UserPatch,
    pub password: PasswordInput,
}

pub fn validate(mut patch: UserPatch, settings: &InstanceSettings) -> CoreResult<ValidatedPatch> {
    if let Some(Some(u)) = &patch.username {
        patch.username = Some(Some(validate_username(u)?));
    }
    if let Some(Some(x)) = &patch.external_id {
        patch.external_id = Some(Some(validate_external_id(x)?));
    }
    validate_names(
        patch.first_name.as_ref().and_then(Option::as_deref),
        patch.last_name.as_ref().and_then(Option::as_deref),
    )?;
    if let Some(Some(l)) = &patch.locale {
        validate_locale(l)?;
    }
    if let Some(Some(limit)) = patch.create_organizations_limit {
        validate_organizations_limit(limit)?;
    }
    let password = passwords::classify_input(
        patch.password.take(),
        patch.password_digest.take(),
        patch.password_hasher.take(),
        patch.skip_password_checks,
        settings,
    )?;
    Ok(ValidatedPatch { patch, password })
}

impl ValidatedPatch {
    pub fn sign_out_of_other_sessions(&self) -> bool {
        self.patch.sign_out_of_other_sessions
    }

    /// Applies the patch to `user`. Fails without changing anything when a referenced
    /// identifier does not belong to the user.
    pub fn apply(
        &self,
        user: &mut User,
        digest: Option<PasswordDigest>,
        now: Millis,
    ) -> CoreResult<()> {
        let p = &self.patch;
        if let Some(id) = &p.primary_email_address_id
            && !user.email_addresses.iter().any(|e| &e.id == id)
        {
            return Err(CoreError::value(
                "primary_email_address_id",
                "is not one of this user's email addresses",
            ));
        }
        if let Some(id) = &p.primary_phone_number_id
            && !user.phone_numbers.iter().any(|e| &e.id == id)
        {
            return Err(CoreError::value(
                "primary_phone_number_id",
                "is not one of this user's phone numbers",
            ));
        }
        let public = p.public_metadata.as_ref().unwrap_or(&user.public_metadata);
        let private = p
            .private_metadata
            .as_ref()
            .unwrap_or(&user.private_metadata);
        let unsafe_ = p.unsafe_metadata.as_ref().unwrap_or(&user.unsafe_metadata);
        check_size(public, private, unsafe_)?;

        set(&mut user.external_id, &p.external_id);
        set(&mut user.first_name, &p.first_name);
        set(&mut user.last_name, &p.last_name);
        set(&mut user.locale, &p.locale);
        set(&mut user.username, &p.username);
        set(
            &mut user.create_organizations_limit,
            &p.create_organizations_limit,
        );
        set(&mut user.legal_accepted_at, &p.legal_accepted_at);
        // Checked above to name one of the user's own addresses and numbers.
        if let Some(id) = &p.primary_email_address_id {
            user.primary_email_address_id = user
                .email_addresses
                .iter()
                .find(|e| e.id == *id)
                .map(|e| e.id.clone());
        }
        if let Some(id) = &p.primary_phone_number_id {
            user.primary_phone_number_id = user
                .phone_numbers
                .iter()
                .find(|e| e.id == *id)
                .map(|e| e.id.clone());
        }
        if let Some(m) = &p.public_metadata {
            user.public_metadata = m.clone();
        }
        if let Some(m) = &p.private_metadata {
            user.private_metadata = m.clone();
        }
        if let Some(m) = &p.unsafe_metadata {
            user.unsafe_metadata = m.clone();
        }
        if let Some(v) = p.delete_self_enabled {
            user.delete_self_enabled = v;
        }
        if let Some(v) = p.create_organization_enabled {
            user.create_organization_enabled = v;
        }
        if let Some(v) = p.bypass_client_trust {
            user.bypass_client_trust = v;
        }
        if let Some(v) = p.created_at {
            user.created_at = v;
        }
        if let Some(d) = digest {
            user.set_password(d, now);
        }
        user.updated_at = now;
        Ok(())
    }
}

fn set<T: Clone>(field: &mut Option<T>, change: &Option<Option<T>>) {
    if let Some(v) = change {
        *field = v.clone();
    }
}
