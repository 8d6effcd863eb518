//! Passwords: the policy a new password must meet (length, not a known breached password),
//! imported digests, and the bounded pool that hashes and verifies them off the request threads.

pub mod breached;
pub mod check;
pub mod digests;
pub mod hasher_pool;

pub use check::{PasswordCheck, check};
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

/// The checks every new password passes, whichever way it is set: Backend API create and update
/// (unless `skip_password_checks`), sign-up, password reset and change.
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
    if !skip_checks && settings.reject_breached_passwords && breached::is_breached(password) {
        return Err(CoreError::PasswordPwned);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breached_passwords_are_refused_unless_checks_are_skipped() {
        let settings = InstanceSettings::default();
        assert!(settings.reject_breached_passwords);
        for p in [
            "password",
            "123456789",
            "Password",
            "iloveyou1",
            "QWERTYUIOP",
        ] {
            assert_eq!(
                check_policy(p, false, &settings),
                Err(CoreError::PasswordPwned),
                "{p}"
            );
        }
        check_policy("u7Kp#2vX9qLm$4Wz", false, &settings).unwrap();
        check_policy("password", true, &settings).unwrap();
        // The length rule still comes first: a short common password is too short.
        assert_eq!(
            check_policy("123456", false, &settings),
            Err(CoreError::PasswordTooShort { min: 8 })
        );
        let off = InstanceSettings {
            reject_breached_passwords: false,
            ..InstanceSettings::default()
        };
        check_policy("password", false, &off).unwrap();
    }

    #[test]
    fn instances_stored_before_the_setting_reject_breached_passwords() {
        let stored: InstanceSettings =
            serde_json::from_str(r#"{"password_min_length": 10}"#).unwrap();
        assert!(stored.reject_breached_passwords);
        assert_eq!(stored.password_min_length, 10);
    }

    #[test]
    fn classify_input_applies_the_breach_check() {
        let settings = InstanceSettings::default();
        assert_eq!(
            classify_input(Some("Password".into()), None, None, false, &settings).unwrap_err(),
            CoreError::PasswordPwned
        );
        assert!(matches!(
            classify_input(Some("Password".into()), None, None, true, &settings),
            Ok(PasswordInput::Plain(_))
        ));
    }
}
