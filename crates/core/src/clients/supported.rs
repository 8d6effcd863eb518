//! Which factors a sign-in offers: `supported_first_factors` and `supported_second_factors`,
//! for a real account and for a decoy (enumeration protection) alike.

use super::decoys;
use super::sign_ins::{SignIn, SignInStatus};
use super::strategy::Strategy;
use crate::ids::IdentificationId;
use crate::users::User;
use crate::users::model::PhoneNumber;

/// A factor the user can verify. Emailed codes name the address they go to, texted codes the
/// phone number.
#[derive(Debug, Clone, PartialEq)]
pub struct SupportedFactor {
    pub strategy: Strategy,
    pub email_address_id: Option<IdentificationId>,
    pub phone_number_id: Option<IdentificationId>,
    pub safe_identifier: Option<String>,
    pub primary: bool,
    /// The phone number a second factor goes to unless another is named.
    pub default: bool,
}

impl SupportedFactor {
    fn bare(strategy: Strategy) -> Self {
        Self {
            strategy,
            email_address_id: None,
            phone_number_id: None,
            safe_identifier: None,
            primary: false,
            default: false,
        }
    }

    fn phone(p: &PhoneNumber, safe_identifier: String, primary: bool) -> Self {
        Self {
            phone_number_id: Some(p.id.clone()),
            safe_identifier: Some(safe_identifier),
            primary,
            default: p.default_second_factor,
            ..Self::bare(Strategy::PhoneCode)
        }
    }
}

/// A phone number as a factor shows it to someone who did not type it: the `+`, the first
/// digit and the last two, the rest masked (`+1*******99`).
pub fn mask_phone(number: &str) -> String {
    let digits: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return "*".repeat(digits.len().max(1));
    }
    let hidden = "*".repeat(digits.len() - 3);
    let tail: String = digits[digits.len() - 2..].iter().collect();
    format!("+{}{hidden}{tail}", digits[0])
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
    let typed = sign_in.identifier.as_deref();
    let first = if sign_in.decoy {
        decoys::supported_first_factors(sign_in)
    } else {
        user.map(|u| first_factors_for(u, typed))
            .unwrap_or_default()
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
/// email address, the primary first, then a texted code per phone number that is not kept for
/// a second factor. A phone number shows in full only when it is what was typed.
pub fn first_factors_for(user: &User, typed: Option<&str>) -> Vec<SupportedFactor> {
    let mut out = first_factors(user);
    let typed_digits: Option<String> =
        typed.map(|t| t.chars().filter(char::is_ascii_digit).collect());
    let mut phones: Vec<_> = user
        .phone_numbers
        .iter()
        .filter(|p| !p.reserved_for_second_factor && p.verification.is_verified())
        .collect();
    phones.sort_by_key(|p| Some(&p.id) != user.primary_phone_number_id.as_ref());
    for p in phones {
        let digits: String = p
            .phone_number
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let shown = if typed_digits.as_deref() == Some(digits.as_str()) {
            p.phone_number.clone()
        } else {
            mask_phone(&p.phone_number)
        };
        let primary = Some(&p.id) == user.primary_phone_number_id.as_ref();
        out.push(SupportedFactor::phone(p, shown, primary));
    }
    out
}

/// The password and emailed factors of [`first_factors_for`].
pub fn first_factors(user: &User) -> Vec<SupportedFactor> {
    let mut out = Vec::new();
    if user.password.is_some() {
        out.push(SupportedFactor::bare(Strategy::Password));
    }
    if !user.passkeys.is_empty() {
        out.push(SupportedFactor::bare(Strategy::Passkey));
    }
    let mut emails: Vec<_> = user.email_addresses.iter().collect();
    emails.sort_by_key(|e| Some(&e.id) != user.primary_email_address_id.as_ref());
    for strat in [Strategy::EmailCode, Strategy::ResetPasswordEmailCode] {
        if strat == Strategy::ResetPasswordEmailCode && user.password.is_none() {
            continue;
        }
        for e in &emails {
            out.push(SupportedFactor {
                email_address_id: Some(e.id.clone()),
                safe_identifier: Some(e.email_address.clone()),
                primary: Some(&e.id) == user.primary_email_address_id.as_ref(),
                ..SupportedFactor::bare(strat.clone())
            });
        }
    }
    out
}

/// `supported_second_factors`: TOTP, a texted code per phone number kept for a second factor
/// (the default first, masked), then backup codes, as enrolled.
pub fn second_factors(user: &User) -> Vec<SupportedFactor> {
    let mut out = Vec::new();
    for p in user.second_factor_phones() {
        out.push(SupportedFactor::phone(
            p,
            mask_phone(&p.phone_number),
            Some(&p.id) == user.primary_phone_number_id.as_ref(),
        ));
    }
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
