//! Which factors a sign-in offers: `supported_first_factors` and `supported_second_factors`,
//! for a real account and for a decoy (enumeration protection) alike.

use super::decoys;
use super::sign_ins::{SignIn, SignInStatus};
use super::strategy::Strategy;
use crate::ids::IdentificationId;
use crate::users::User;

/// A factor the user can verify. Emailed codes name the address they go to.
#[derive(Debug, Clone, PartialEq)]
pub struct SupportedFactor {
    pub strategy: Strategy,
    pub email_address_id: Option<IdentificationId>,
    pub safe_identifier: Option<String>,
    pub primary: bool,
}

impl SupportedFactor {
    fn bare(strategy: Strategy) -> Self {
        Self {
            strategy,
            email_address_id: None,
            safe_identifier: None,
            primary: false,
        }
    }
}

/// What a sign-in offers in its current state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SupportedFactors {
    pub first: Vec<SupportedFactor>,
    /// `None` unless the sign-in waits for a second factor (or a device confirmation).
    pub second: Option<Vec<SupportedFactor>>,
}

/// The factors `sign_in` offers, `user` being the account it identified (none for a decoy or
/// before identification).
pub fn of_sign_in(sign_in: &SignIn, user: Option<&User>) -> SupportedFactors {
    let first = if sign_in.decoy {
        decoys::supported_first_factors(sign_in)
    } else {
        user.map(first_factors).unwrap_or_default()
    };
    let second = match sign_in.status {
        SignInStatus::NeedsSecondFactor => Some(user.map(second_factors).unwrap_or_default()),
        // Client Trust confirms the device with an emailed code (a second factor to older
        // clients).
        SignInStatus::NeedsClientTrust => Some(
            user.map(first_factors)
                .unwrap_or_default()
                .into_iter()
                .filter(|f| f.strategy == Strategy::EmailCode)
                .collect(),
        ),
        _ => None,
    };
    SupportedFactors { first, second }
}

/// `supported_first_factors`: password (when set), then an emailed code and a reset code per
/// email address, the primary first.
pub fn first_factors(user: &User) -> Vec<SupportedFactor> {
    let mut out = Vec::new();
    if user.password.is_some() {
        out.push(SupportedFactor::bare(Strategy::Password));
    }
    let mut emails: Vec<_> = user.email_addresses.iter().collect();
    emails.sort_by_key(|e| Some(&e.id) != user.primary_email_address_id.as_ref());
    for strat in [Strategy::EmailCode, Strategy::ResetPasswordEmailCode] {
        if strat == Strategy::ResetPasswordEmailCode && user.password.is_none() {
            continue;
        }
        for e in &emails {
            out.push(SupportedFactor {
                strategy: strat.clone(),
                email_address_id: Some(e.id.clone()),
                safe_identifier: Some(e.email_address.clone()),
                primary: Some(&e.id) == user.primary_email_address_id.as_ref(),
            });
        }
    }
    out
}

/// `supported_second_factors`: TOTP, then backup codes, as enrolled.
pub fn second_factors(user: &User) -> Vec<SupportedFactor> {
    let mut out = Vec::new();
    if user.totp_enabled() {
        out.push(SupportedFactor::bare(Strategy::Totp));
    }
    if user.backup_code_enabled() {
        out.push(SupportedFactor::bare(Strategy::BackupCode));
    }
    out
}

/// A factor of the decoy for an identifier that is not an email address: only a password.
pub(super) fn password_only() -> Vec<SupportedFactor> {
    vec![SupportedFactor::bare(Strategy::Password)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::decoys::{self, DecoyKey};

    use crate::mfa::backup_codes;

    use crate::users::model::TotpEnrolment;

    fn user(password: bool) -> User {
        crate::users::fixtures::user_with(&["a@b.co", "c@d.co"], password.then_some("$argon2id$x"))
    }

    fn names(f: &[SupportedFactor]) -> Vec<String> {
        f.iter().map(|f| f.strategy.to_string()).collect()
    }

    #[test]
    fn first_factors_list_the_password_then_codes_per_address_primary_first() {
        let u = user(true);
        let f = first_factors(&u);
        assert_eq!(
            names(&f),
            [
                "password",
                "email_code",
                "email_code",
                "reset_password_email_code",
                "reset_password_email_code"
            ]
        );
        assert!(f[1].primary && !f[2].primary);
        assert_eq!(f[1].safe_identifier.as_deref(), Some("a@b.co"));
        // No password: neither the password nor its reset.
        assert_eq!(
            names(&first_factors(&user(false))),
            ["email_code", "email_code"]
        );
    }

    #[test]
    fn second_factors_follow_the_status() {
        let mut u = user(true);
        u.totp = Some(TotpEnrolment {
            id: "totp_1".into(),
            secret: "s".into(),
            verified: true,
            last_used_step: None,
            created_at: 0,
            updated_at: 0,
        });
        u.backup_codes = backup_codes::generate().1;
        let mut s = SignIn::start(None, Some(&u), 0);
        assert_eq!(of_sign_in(&s, Some(&u)).second, None);
        s.status = SignInStatus::NeedsSecondFactor;
        assert_eq!(
            names(&of_sign_in(&s, Some(&u)).second.unwrap()),
            ["totp", "backup_code"]
        );
        s.status = SignInStatus::NeedsClientTrust;
        let trust = of_sign_in(&s, Some(&u)).second.unwrap();
        assert_eq!(names(&trust), ["email_code", "email_code"]);
        assert!(trust.iter().all(|f| f.email_address_id.is_some()));
    }

    #[test]
    fn a_decoy_offers_what_a_password_account_with_the_typed_address_offers() {
        let key = DecoyKey::new(b"k", 0);
        let decoy = decoys::start("ghost@example.com".into(), &key, 0);
        let offered = of_sign_in(&decoy, None);
        assert_eq!(
            names(&offered.first),
            ["password", "email_code", "reset_password_email_code"]
        );
        assert_eq!(offered.second, None);
        let by_name = decoys::start("ghost".into(), &key, 0);
        assert_eq!(names(&of_sign_in(&by_name, None).first), ["password"]);
    }
}
