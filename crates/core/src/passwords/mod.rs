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

/// No password longer than this is ever hashed: the policy refuses to set one even when its
/// checks are skipped, and a sign-in with one is wrong without a check.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// How long a new password must be, in characters: the instance's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LengthBounds {
    pub min: usize,
    pub max: usize,
}

impl LengthBounds {
    pub fn of(settings: &InstanceSettings) -> Self {
        Self {
            min: settings.password_min_length,
            max: settings.password_max_length,
        }
    }

    /// The length rule. `skip_checks` (the Backend API's `skip_password_checks`) skips the
    /// instance's bounds but never the byte cap, which protects the hasher, nor emptiness.
    pub fn check(self, password: &str, skip_checks: bool) -> CoreResult<()> {
        let len = password.chars().count();
        if password.len() > MAX_PASSWORD_BYTES || (!skip_checks && len > self.max) {
            return Err(CoreError::PasswordTooLong { max: self.max });
        }
        if !skip_checks && len < self.min {
            return Err(CoreError::PasswordTooShort { min: self.min });
        }
        if password.is_empty() {
            return Err(CoreError::PasswordTooShort { min: 1 });
        }
        Ok(())
    }
}

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
    LengthBounds::of(settings).check(password, skip_checks)?;
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
    fn the_length_rule_counts_characters_and_never_skips_the_byte_cap() {
        let bounds = LengthBounds::of(&InstanceSettings::default());
        assert_eq!(bounds, LengthBounds { min: 8, max: 72 });
        bounds.check("abcdefgh", false).unwrap();
        // Eight characters, sixteen bytes.
        bounds.check("éééééééé", false).unwrap();
        assert_eq!(
            bounds.check("abcdefg", false),
            Err(CoreError::PasswordTooShort { min: 8 })
        );
        assert_eq!(
            bounds.check(&"a".repeat(73), false),
            Err(CoreError::PasswordTooLong { max: 72 })
        );
        bounds.check("a", true).unwrap();
        bounds.check(&"a".repeat(MAX_PASSWORD_BYTES), true).unwrap();
        assert_eq!(
            bounds.check(&"a".repeat(MAX_PASSWORD_BYTES + 1), true),
            Err(CoreError::PasswordTooLong { max: 72 })
        );
        assert_eq!(
            bounds.check("", true),
            Err(CoreError::PasswordTooShort { min: 1 })
        );
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
