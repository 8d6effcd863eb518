//! Passwords: the policy a new password must meet, imported digests, and the bounded pool that
//! hashes and verifies them off the request threads.

pub mod digests;
pub mod hasher_pool;

pub use hasher_pool::{HasherPool, PoolStats};

use crate::error::{CoreError, CoreResult};
use crate::instance::InstanceSettings;
use crate::users::model::PasswordDigest;

/// What a create or update request says about the password.
#[derive(Debug)]
pub enum PasswordInput {
    None,
    /// A plaintext password that passed the policy; hash it before storing.
    Plain(String),
    /// A digest imported from another system, stored as is and upgraded on the next sign-in.
    Imported(PasswordDigest),
}

pub fn classify_input(
    password: Option<String>,
    digest: Option<String>,
    hasher: Option<String>,
    skip_checks: bool,
    settings: &InstanceSettings,
) -> CoreResult<PasswordInput> {
    match (password, digest) {
        (Some(_), Some(_)) => Err(CoreError::value(
            "password_digest",
            "give either password or password_digest, not both",
        )),
        (Some(p), None) => {
            check_policy(&p, skip_checks, settings)?;
            Ok(PasswordInput::Plain(p))
        }
        (None, Some(d)) => {
            let hasher = hasher.ok_or_else(|| CoreError::missing("password_hasher"))?;
            Ok(PasswordInput::Imported(digests::parse_imported(
                &hasher, &d,
            )?))
        }
        (None, None) => {
            if hasher.is_some() {
                return Err(CoreError::missing("password_digest"));
            }
            Ok(PasswordInput::None)
        }
    }
}

pub fn check_policy(
    password: &str,
    skip_checks: bool,
    settings: &InstanceSettings,
) -> CoreResult<()> {
    let len = password.chars().count();
    // The upper bound also protects the hasher from megabyte-sized inputs, so it is never skipped.
    if password.len() > 1024 || (!skip_checks && len > settings.password_max_length) {
        return Err(CoreError::PasswordTooLong {
            max: settings.password_max_length,
        });
    }
    if !skip_checks && len < settings.password_min_length {
        return Err(CoreError::PasswordTooShort {
            min: settings.password_min_length,
        });
    }
    if password.is_empty() {
        return Err(CoreError::PasswordTooShort { min: 1 });
    }
    Ok(())
}
