//! Texted codes (`phone_code`) in a sign-in: as a first factor to a phone number the user signs
//! in with, and as a second factor to one kept for it (`reserved_for_second_factor`). The code
//! is stored hashed in the factor; what to text is handed back to the caller.

use super::factors::{FactorVerification, prepared};
use super::sign_ins::{SignIn, SignInStatus};
use super::strategy::Strategy;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::instance::Environment;
use crate::users::User;
use crate::users::model::PhoneNumber;

/// What to text after preparing a `phone_code` factor.
#[derive(Debug, Clone, PartialEq)]
pub struct SmsToSend {
    pub code: String,
    pub phone_number: String,
    pub phone_number_id: String,
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The phone number a first-factor code goes to: the one named, else the one typed, else the
/// primary, else the first; only verified numbers not kept for a second factor.
fn first_factor_phone<'u>(
    user: &'u User,
    named: Option<&str>,
    typed: Option<&str>,
) -> CoreResult<&'u PhoneNumber> {
    let usable: Vec<&PhoneNumber> = user
        .phone_numbers
        .iter()
        .filter(|p| !p.reserved_for_second_factor && p.verification.is_verified())
        .collect();
    let found = match named {
        Some(id) => usable.iter().find(|p| p.id == id),
        None => typed
            .map(digits)
            .and_then(|t| usable.iter().find(|p| digits(&p.phone_number) == t))
            .or_else(|| {
                usable
                    .iter()
                    .find(|p| Some(&p.id) == user.primary_phone_number_id.as_ref())
            })
            .or(usable.first()),
    };
    found.copied().ok_or(CoreError::StrategyInvalid {
        param: "phone_number_id",
    })
}

fn issue(
    p: &PhoneNumber,
    env: Environment,
    now: Millis,
) -> (FactorVerification, Option<SmsToSend>) {
    let (v, code) = FactorVerification::issue_phone_code(&p.phone_number, &p.id, env, now);
    let to_send = code.map(|code| SmsToSend {
        code,
        phone_number: p.phone_number.clone(),
        phone_number_id: p.id.to_string(),
    });
    (v, to_send)
}

impl SignIn {
    /// Starts a `phone_code` first factor: a new code to one of the user's phone numbers.
    pub fn prepare_phone_code(
        &mut self,
        user: &User,
        phone_number_id: Option<&str>,
        environment: Environment,
        now: Millis,
    ) -> CoreResult<Option<SmsToSend>> {
        self.expect(SignInStatus::NeedsFirstFactor)?;
        let phone = first_factor_phone(user, phone_number_id, self.identifier.as_deref())?;
        let (v, to_send) = issue(phone, environment, now);
        self.first_factor = Some(v);
        self.updated_at = now;
        Ok(to_send)
    }

    /// Starts a `phone_code` second factor: a new code to a phone number kept for it (the one
    /// named, else the default).
    pub fn prepare_second_factor_phone_code(
        &mut self,
        user: &User,
        phone_number_id: Option<&str>,
        environment: Environment,
        now: Millis,
    ) -> CoreResult<Option<SmsToSend>> {
        self.expect(SignInStatus::NeedsSecondFactor)?;
        let phones = user.second_factor_phones();
        let phone = match phone_number_id {
            Some(id) => phones.iter().find(|p| p.id == id),
            None => phones.first(),
        }
        .ok_or(CoreError::StrategyInvalid {
            param: "phone_number_id",
        })?;
        let (v, to_send) = issue(phone, environment, now);
        self.second_factor = Some(v);
        self.updated_at = now;
        Ok(to_send)
    }

    /// Checks a texted second-factor code against the prepared one.
    pub(super) fn attempt_second_factor_phone_code(
        &mut self,
        code: &str,
        now: Millis,
    ) -> CoreResult<()> {
        let v = prepared(
            &mut self.second_factor,
            &Strategy::PhoneCode,
            "prepare this factor before attempting it",
        )?;
        self.updated_at = now;
        v.attempt_code(code, now)?;
        self.status = SignInStatus::Complete;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::supported;
    use crate::users::contacts;
    use crate::users::model::Verification;

    fn user_with_phone(reserved: bool) -> User {
        let mut u = crate::users::fixtures::user_with_password();
        contacts::add_phone(
            &mut u,
            "+14155550123",
            Verification::Admin,
            true,
            reserved,
            0,
        )
        .unwrap();
        u
    }

    #[test]
    fn a_first_factor_code_goes_to_the_typed_number_and_verifies_once() {
        let u = user_with_phone(false);
        let mut s = SignIn::start(Some("+14155550123".into()), Some(&u), 0);
        let sent = s
            .prepare_phone_code(&u, None, Environment::Production, 1)
            .unwrap()
            .unwrap();
        assert_eq!(sent.phone_number, "+14155550123");
        assert_eq!(
            s.attempt_first_factor_code(&u, &Strategy::PhoneCode, "nope", 2),
            Err(CoreError::CodeIncorrect)
        );
        s.attempt_first_factor_code(&u, &Strategy::PhoneCode, &sent.code, 3)
            .unwrap();
        assert_eq!(s.status, SignInStatus::Complete);
        let offered = supported::of_sign_in(&s, Some(&u)).first;
        let phone = offered
            .iter()
            .find(|f| f.strategy == Strategy::PhoneCode)
            .unwrap();
        assert_eq!(phone.safe_identifier.as_deref(), Some("+14155550123"));
    }

    #[test]
    fn a_reserved_number_is_a_second_factor_only() {
        let u = user_with_phone(true);
        assert!(u.two_factor_enabled());
        let mut s = SignIn::start(Some("a@b.co".into()), Some(&u), 0);
        assert_eq!(
            s.prepare_phone_code(&u, None, Environment::Production, 1),
            Err(CoreError::StrategyInvalid {
                param: "phone_number_id"
            })
        );
        s.attempt_password(&u, true, true, 1).unwrap();
        assert_eq!(s.status, SignInStatus::NeedsSecondFactor);
        let offered = supported::of_sign_in(&s, Some(&u)).second.unwrap();
        assert_eq!(offered[0].strategy, Strategy::PhoneCode);
        assert_eq!(offered[0].safe_identifier.as_deref(), Some("+1********23"));
        let sent = s
            .prepare_second_factor_phone_code(&u, None, Environment::Production, 2)
            .unwrap()
            .unwrap();
        let mut u2 = u.clone();
        s.attempt_second_factor(&mut u2, &Strategy::PhoneCode, &sent.code, 3)
            .unwrap();
        assert_eq!(s.status, SignInStatus::Complete);
        assert!(s.second_factor_verified());
    }
}
