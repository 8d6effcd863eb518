//! A sign-in attempt: identify the user, verify a first factor (password or emailed code), a
//! second factor when the user enrolled one, or set a new password after a reset code. The
//! caller hashes passwords and creates the session; this module decides what comes next.

use serde::{Deserialize, Serialize};

use super::factors::{FactorVerification, VerificationStatus, prepared};
use super::strategy::Strategy;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{new_id, prefix};
use crate::instance::Environment;
use crate::mfa::{backup_codes, totp};
use crate::users::User;
use crate::users::model::EmailAddress;

/// An unfinished attempt is abandoned after a day, as on Clerk.
pub const ABANDON_AFTER_MS: Millis = 24 * 3600 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInStatus {
    NeedsIdentifier,
    NeedsFirstFactor,
    NeedsSecondFactor,
    NeedsNewPassword,
    /// A password was right, but the device is new to the user: an emailed code must confirm it
    /// (Clerk's Client Trust).
    NeedsClientTrust,
    Complete,
}

impl SignInStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInStatus::NeedsIdentifier => "needs_identifier",
            SignInStatus::NeedsFirstFactor => "needs_first_factor",
            SignInStatus::NeedsSecondFactor => "needs_second_factor",
            SignInStatus::NeedsNewPassword => "needs_new_password",
            SignInStatus::NeedsClientTrust => "needs_client_trust",
            SignInStatus::Complete => "complete",
        }
    }

    /// Why a step that needs this status is refused when the sign-in is at another one
    /// (`FlowInvalid`'s reason).
    pub(super) fn not_awaited(self) -> &'static str {
        match self {
            SignInStatus::NeedsIdentifier => "this sign-in is not waiting for an identifier",
            SignInStatus::NeedsFirstFactor => "this sign-in is not waiting for a first factor",
            SignInStatus::NeedsSecondFactor => "this sign-in is not waiting for a second factor",
            SignInStatus::NeedsNewPassword => "verify the reset code before setting a new password",
            SignInStatus::NeedsClientTrust => {
                "this sign-in is not waiting for a device confirmation"
            }
            SignInStatus::Complete => "this sign-in is not complete",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignIn {
    pub id: String,
    pub status: SignInStatus,
    /// As the user typed it.
    pub identifier: Option<String>,
    pub user_id: Option<String>,
    pub first_factor: Option<FactorVerification>,
    pub second_factor: Option<FactorVerification>,
    pub created_session_id: Option<String>,
    /// With enumeration protection, an identifier nobody has gets a sign-in that looks like any
    /// other and can never succeed, so responses do not tell who has an account.
    #[serde(default)]
    pub decoy: bool,
    /// The id of the email address (or, for a phone number typed, the phone number) a decoy
    /// pretends to have (see `decoys`).
    #[serde(default)]
    pub decoy_email_address_id: Option<String>,
    /// A social sign-in whose account has no user yet: what the sign-up it transfers to
    /// creates.
    #[serde(default)]
    pub oauth_transfer: Option<crate::oauth::accounts::Transfer>,
    pub abandon_at: Millis,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// What to send after preparing a factor: a code to email to an address.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeToSend {
    pub code: String,
    pub email_address: String,
    pub email_address_id: String,
}

/// The address an emailed factor goes to: the one named, else the primary, else the first.
pub(super) fn factor_email<'u>(
    user: &'u User,
    email_address_id: Option<&str>,
) -> CoreResult<&'u EmailAddress> {
    match email_address_id {
        Some(id) => user.email_addresses.iter().find(|e| e.id == id),
        None => user.primary_email().or(user.email_addresses.first()),
    }
    .ok_or(CoreError::StrategyInvalid {
        param: "email_address_id",
    })
}

/// A fresh code for one of the user's addresses (the one asked for, else the primary) and what
/// to email, if anything (test mode sends nothing).
fn issue_email_code(
    user: &User,
    strategy: &Strategy,
    email_address_id: Option<&str>,
    environment: Environment,
    now: Millis,
) -> CoreResult<(FactorVerification, Option<CodeToSend>)> {
    let email = factor_email(user, email_address_id)?;
    let (v, code) = FactorVerification::issue_code(
        strategy.clone(),
        &email.email_address,
        Some(&email.id),
        environment,
        now,
    );
    let to_send = code.map(|code| CodeToSend {
        code,
        email_address: email.email_address.clone(),
        email_address_id: email.id.to_string(),
    });
    Ok((v, to_send))
}

impl SignIn {
    pub fn start(identifier: Option<String>, user: Option<&User>, now: Millis) -> Self {
        Self {
            id: new_id(prefix::SIGN_IN),
            status: if user.is_some() {
                SignInStatus::NeedsFirstFactor
            } else {
                SignInStatus::NeedsIdentifier
            },
            identifier,
            user_id: user.map(|u| u.id.to_string()),
            first_factor: None,
            second_factor: None,
            created_session_id: None,
            decoy: false,
            decoy_email_address_id: None,
            oauth_transfer: None,
            abandon_at: now + ABANDON_AFTER_MS,
            created_at: now,
            updated_at: now,
        }
    }

    /// A sign-in by an organization invitation's ticket, which the caller checked: the ticket
    /// was emailed to `email_address` of `user`, so it stands as the first factor; a second
    /// factor is still asked for when the user has one.
    pub fn with_ticket(email_address: &str, user: &User, now: Millis) -> Self {
        let mut s = Self::start(Some(email_address.to_owned()), Some(user), now);
        s.first_factor = Some(FactorVerification::checked(Strategy::Ticket, true));
        s.after_first_factor(user);
        s
    }

    /// A sign-in by an actor token's ticket: complete at once. The actor acts for the user and
    /// has none of the user's second factors; a sign-in left waiting for one would end as an
    /// ordinary session of the user, without the actor.
    pub fn impersonating(email_address: &str, user: &User, now: Millis) -> Self {
        let mut s = Self::start(Some(email_address.to_owned()), Some(user), now);
        s.first_factor = Some(FactorVerification::checked(Strategy::Ticket, true));
        s.status = SignInStatus::Complete;
        s
    }

    /// A sign-in for an identifier no user has, indistinguishable from a real one until a
    /// factor is attempted, and then only as a wrong password or code.
    pub fn decoy(identifier: String, now: Millis) -> Self {
        Self {
            status: SignInStatus::NeedsFirstFactor,
            decoy: true,
            ..Self::start(Some(identifier), None, now)
        }
    }

    pub fn is_abandoned(&self, now: Millis) -> bool {
        self.status != SignInStatus::Complete && now >= self.abandon_at
    }

    /// Refuses a step the sign-in is not waiting for (`FlowInvalid`, saying why).
    pub(super) fn expect(&self, status: SignInStatus) -> CoreResult<()> {
        if self.status == status {
            Ok(())
        } else {
            Err(CoreError::FlowInvalid {
                reason: status.not_awaited(),
            })
        }
    }

    /// Starts an emailed-code factor (`email_code`, or `reset_password_email_code`).
    pub fn prepare_first_factor(
        &mut self,
        user: &User,
        strategy: &Strategy,
        email_address_id: Option<&str>,
        environment: Environment,
        now: Millis,
    ) -> CoreResult<Option<CodeToSend>> {
        self.expect(SignInStatus::NeedsFirstFactor)?;
        let reset = match strategy {
            Strategy::EmailCode => false,
            Strategy::ResetPasswordEmailCode => true,
            // Checked in one step by attempt_first_factor: nothing to prepare.
            Strategy::Password => return Ok(None),
            _ => return Err(CoreError::StrategyInvalid { param: "strategy" }),
        };
        if reset && user.password.is_none() {
            return Err(CoreError::StrategyInvalid { param: "strategy" });
        }
        let (v, code) = issue_email_code(user, strategy, email_address_id, environment, now)?;
        self.first_factor = Some(v);
        self.updated_at = now;
        Ok(code)
    }

    /// Records a password check done by the caller, then moves on. `trusted_device`: the user
    /// has signed in on this client before (or Client Trust is off for them).
    pub fn attempt_password(
        &mut self,
        user: &User,
        correct: bool,
        trusted_device: bool,
        now: Millis,
    ) -> CoreResult<()> {
        self.expect(SignInStatus::NeedsFirstFactor)?;
        if user.password.is_none() {
            return Err(CoreError::StrategyInvalid { param: "strategy" });
        }
        self.updated_at = now;
        if !correct {
            return Err(CoreError::PasswordIncorrect);
        }
        if user.password_compromised {
            // As on Clerk: the user signs in another way and must then set a new password.
            return Err(CoreError::PasswordCompromised);
        }
        self.first_factor = Some(FactorVerification::checked(Strategy::Password, true));
        self.after_first_factor(user);
        if self.status == SignInStatus::Complete && !trusted_device {
            self.status = SignInStatus::NeedsClientTrust;
        }
        Ok(())
    }

    /// Sends the code that confirms a new device (Client Trust).
    pub fn prepare_client_trust(
        &mut self,
        user: &User,
        email_address_id: Option<&str>,
        environment: Environment,
        now: Millis,
    ) -> CoreResult<Option<CodeToSend>> {
        self.expect(SignInStatus::NeedsClientTrust)?;
        let (v, code) = issue_email_code(
            user,
            &Strategy::EmailCode,
            email_address_id,
            environment,
            now,
        )?;
        self.second_factor = Some(v);
        self.updated_at = now;
        Ok(code)
    }

    /// Checks an emailed code against the prepared factor of the same strategy.
    pub fn attempt_first_factor_code(
        &mut self,
        user: &User,
        strategy: &Strategy,
        code: &str,
        now: Millis,
    ) -> CoreResult<()> {
        self.expect(SignInStatus::NeedsFirstFactor)?;
        if *strategy == Strategy::EmailLink {
            // Proven by opening the link (`email_links`), never by a code.
            return Err(CoreError::StrategyInvalid { param: "strategy" });
        }
        let v = prepared(
            &mut self.first_factor,
            strategy,
            "prepare this factor before attempting it",
        )?;
        self.updated_at = now;
        v.attempt_code(code, now)?;
        if *strategy == Strategy::ResetPasswordEmailCode || user.password_compromised {
            self.status = SignInStatus::NeedsNewPassword;
        } else {
            self.after_first_factor(user);
        }
        Ok(())
    }

    /// A social sign-in the provider vouched for: the account's user is identified and the
    /// first factor verified; a second factor is still asked for when the user has one.
    pub fn verified_by_provider(&mut self, user: &User, strategy: Strategy, now: Millis) {
        self.user_id = Some(user.id.to_string());
        if self.identifier.is_none() {
            self.identifier = user.primary_email().map(|e| e.email_address.clone());
        }
        let expire_at = self.external_expiry(&strategy, now);
        let mut v = FactorVerification::checked(strategy, true);
        v.expire_at = Some(expire_at);
        self.first_factor = Some(v);
        self.oauth_transfer = None;
        self.updated_at = now;
        self.after_first_factor(user);
    }

    /// When a social verification of `strategy` expires: as the flow that started it said (Clerk's
    /// verification keeps its `expire_at` once the provider answered), or `now` without one.
    pub fn external_expiry(&self, strategy: &Strategy, now: Millis) -> Millis {
        self.first_factor
            .as_ref()
            .filter(|v| &v.strategy == strategy)
            .and_then(|v| v.expire_at)
            .unwrap_or(now)
    }

    /// A social sign-in whose account has no user: transferable to a sign-up that creates it.
    pub fn transferable(
        &mut self,
        strategy: Strategy,
        transfer: crate::oauth::accounts::Transfer,
        now: Millis,
    ) {
        let expire_at = self.external_expiry(&strategy, now);
        let mut v = FactorVerification::checked(strategy, false);
        v.status = VerificationStatus::Transferable;
        v.expire_at = Some(expire_at);
        self.first_factor = Some(v);
        self.oauth_transfer = Some(transfer);
        self.updated_at = now;
    }

    pub(super) fn after_first_factor(&mut self, user: &User) {
        self.status = if user.two_factor_enabled() {
            SignInStatus::NeedsSecondFactor
        } else {
            SignInStatus::Complete
        };
    }

    /// Checks a TOTP or backup code. Spends it on `user` (TOTP step, backup code), which the
    /// caller stores with the sign-in.
    pub fn attempt_second_factor(
        &mut self,
        user: &mut User,
        strategy: &Strategy,
        code: &str,
        now: Millis,
    ) -> CoreResult<()> {
        if self.status == SignInStatus::NeedsClientTrust && *strategy == Strategy::EmailCode {
            let v = prepared(
                &mut self.second_factor,
                &Strategy::EmailCode,
                "prepare the email code before attempting it",
            )?;
            self.updated_at = now;
            v.attempt_code(code, now)?;
            self.status = SignInStatus::Complete;
            return Ok(());
        }
        self.expect(SignInStatus::NeedsSecondFactor)?;
        if *strategy == Strategy::PhoneCode {
            return self.attempt_second_factor_phone_code(code, now);
        }
        let ok = match strategy {
            Strategy::Totp => {
                let t = user
                    .totp
                    .as_mut()
                    .filter(|t| t.verified)
                    .ok_or(CoreError::StrategyInvalid { param: "strategy" })?;
                match totp::verify(&t.secret, code, now, t.last_used_step) {
                    Some(step) => {
                        t.last_used_step = Some(step);
                        t.updated_at = now;
                        true
                    }
                    None => false,
                }
            }
            Strategy::BackupCode => {
                if user.backup_codes.is_empty() {
                    return Err(CoreError::StrategyInvalid { param: "strategy" });
                }
                backup_codes::consume(&mut user.backup_codes, code)
            }
            _ => return Err(CoreError::StrategyInvalid { param: "strategy" }),
        };
        let mut v = FactorVerification::checked(strategy.clone(), ok);
        if let Some(previous) = &self.second_factor {
            v.attempts = previous.attempts + 1;
        }
        if !ok {
            v.status = VerificationStatus::Unverified;
        }
        self.second_factor = Some(v);
        self.updated_at = now;
        if !ok {
            return Err(CoreError::CodeIncorrect);
        }
        self.status = SignInStatus::Complete;
        Ok(())
    }

    /// After a reset code: the caller sets the new password on the user; then second factor
    /// or completion, as after any first factor.
    pub fn password_was_reset(&mut self, user: &User, now: Millis) -> CoreResult<()> {
        self.expect(SignInStatus::NeedsNewPassword)?;
        self.updated_at = now;
        self.after_first_factor(user);
        Ok(())
    }

    pub fn complete(&mut self, session_id: &str, now: Millis) {
        self.created_session_id = Some(session_id.to_owned());
        self.status = SignInStatus::Complete;
        self.updated_at = now;
    }

    /// The strategy that completed this sign-in, as `last_authentication_strategy` names it.
    pub fn strategy_used(&self) -> Option<&Strategy> {
        self.first_factor
            .as_ref()
            .filter(|v| v.is_verified())
            .map(|v| &v.strategy)
    }

    /// Whether a second factor was verified: Client Trust's emailed code confirms the device
    /// and is not one.
    pub fn second_factor_verified(&self) -> bool {
        self.second_factor
            .as_ref()
            .is_some_and(|v| v.is_verified() && v.strategy != Strategy::EmailCode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::supported::first_factors;

    use crate::users::fixtures::user_with_password as user;
    use crate::users::model::{PasswordDigest, TotpEnrolment};

    #[test]
    fn password_then_complete_or_second_factor() {
        let u = user();
        let mut s = SignIn::start(Some("a@b.co".into()), Some(&u), 0);
        assert_eq!(
            s.attempt_password(&u, false, true, 1),
            Err(CoreError::PasswordIncorrect)
        );
        assert_eq!(s.status, SignInStatus::NeedsFirstFactor);
        s.attempt_password(&u, true, true, 2).unwrap();
        assert_eq!(s.status, SignInStatus::Complete);

        let mut mfa = u.clone();
        let secret = totp::generate_secret();
        mfa.totp = Some(TotpEnrolment {
            id: "totp_1".into(),
            secret: secret.clone(),
            verified: true,
            last_used_step: None,
            created_at: 0,
            updated_at: 0,
        });
        let mut s = SignIn::start(None, Some(&mfa), 0);
        s.attempt_password(&mfa, true, false, 0).unwrap();
        assert_eq!(s.status, SignInStatus::NeedsSecondFactor);
        let now = 1_700_000_000_000;
        let step = now / 1000 / totp::STEP_SECS;
        let code = totp::code_at_step(&secret, step).unwrap();
        s.attempt_second_factor(&mut mfa, &Strategy::Totp, &code, now)
            .unwrap();
        assert_eq!(s.status, SignInStatus::Complete);
        // The same code cannot complete another sign-in.
        let mut again = SignIn::start(None, Some(&mfa), now);
        again.attempt_password(&mfa, true, true, now).unwrap();
        assert_eq!(
            again.attempt_second_factor(&mut mfa, &Strategy::Totp, &code, now),
            Err(CoreError::CodeIncorrect)
        );
    }

    #[test]
    fn a_new_device_confirms_a_password_sign_in_by_email_code() {
        let u = user();
        let mut s = SignIn::start(None, Some(&u), 0);
        s.attempt_password(&u, true, false, 1).unwrap();
        assert_eq!(s.status, SignInStatus::NeedsClientTrust);
        let sent = s
            .prepare_client_trust(&u, None, Environment::Production, 2)
            .unwrap()
            .unwrap();
        let mut u2 = u.clone();
        assert_eq!(
            s.attempt_second_factor(&mut u2, &Strategy::EmailCode, "nope", 3),
            Err(CoreError::CodeIncorrect)
        );
        s.attempt_second_factor(&mut u2, &Strategy::EmailCode, &sent.code, 4)
            .unwrap();
        assert_eq!(s.status, SignInStatus::Complete);
    }

    #[test]
    fn a_compromised_password_must_be_reset_after_an_emailed_code() {
        let mut u = user();
        u.password_compromised = true;
        let mut s = SignIn::start(None, Some(&u), 0);
        // A wrong password is still just wrong; a right one is refused as compromised.
        assert_eq!(
            s.attempt_password(&u, false, true, 1),
            Err(CoreError::PasswordIncorrect)
        );
        assert_eq!(
            s.attempt_password(&u, true, true, 1),
            Err(CoreError::PasswordCompromised)
        );
        assert_eq!(s.status, SignInStatus::NeedsFirstFactor);
        // Either emailed code leads to a new password, never straight to a session.
        for strat in [&Strategy::ResetPasswordEmailCode, &Strategy::EmailCode] {
            let mut s = SignIn::start(None, Some(&u), 0);
            let sent = s
                .prepare_first_factor(&u, strat, None, Environment::Production, 0)
                .unwrap()
                .unwrap();
            s.attempt_first_factor_code(&u, strat, &sent.code, 1)
                .unwrap();
            assert_eq!(s.status, SignInStatus::NeedsNewPassword, "{strat}");
            u.set_password(PasswordDigest("$argon2id$new".into()), 2);
            assert!(!u.password_compromised);
            s.password_was_reset(&u, 2).unwrap();
            assert_eq!(s.status, SignInStatus::Complete);
            u.password_compromised = true;
        }
    }

    #[test]
    fn second_factor_before_first_is_refused() {
        let mut u = user();
        let mut s = SignIn::start(None, Some(&u), 0);
        assert!(matches!(
            s.attempt_second_factor(&mut u, &Strategy::Totp, "123456", 0),
            Err(CoreError::FlowInvalid { .. })
        ));
    }

    #[test]
    fn reset_code_leads_to_new_password() {
        let u = user();
        let mut s = SignIn::start(None, Some(&u), 0);
        let sent = s
            .prepare_first_factor(
                &u,
                &Strategy::ResetPasswordEmailCode,
                None,
                Environment::Production,
                0,
            )
            .unwrap()
            .unwrap();
        assert_eq!(sent.email_address, "a@b.co");
        s.attempt_first_factor_code(&u, &Strategy::ResetPasswordEmailCode, &sent.code, 1)
            .unwrap();
        assert_eq!(s.status, SignInStatus::NeedsNewPassword);
        s.password_was_reset(&u, 2).unwrap();
        assert_eq!(s.status, SignInStatus::Complete);
        let factors = first_factors(&u);
        assert_eq!(factors[0].strategy, Strategy::Password);
        assert!(
            factors
                .iter()
                .any(|f| f.strategy == Strategy::EmailCode && f.primary)
        );
    }
}
