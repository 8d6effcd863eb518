//! The state of one factor being verified within a sign-in or sign-up: a password check, an
//! emailed code, a TOTP or backup code. Codes are stored hashed and spent on success.

use serde::{Deserialize, Serialize};

use super::strategy::Strategy;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{new_id, prefix};
use crate::instance::Environment;
use crate::verifications::{
    CODE_LIFETIME_MS, MAX_CODE_ATTEMPTS, code_matches, generate_code, hash_code,
};

/// The code every test identifier accepts on development instances (Clerk's test mode).
pub const TEST_MODE_CODE: &str = "424242";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    Unverified,
    Verified,
    Failed,
    Expired,
    /// A social sign-in whose account has no user yet: clerk-js transfers it to a sign-up.
    Transferable,
}

impl VerificationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationStatus::Unverified => "unverified",
            VerificationStatus::Verified => "verified",
            VerificationStatus::Failed => "failed",
            VerificationStatus::Expired => "expired",
            VerificationStatus::Transferable => "transferable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorVerification {
    /// Also the salt of `code_hash`.
    pub id: String,
    pub strategy: Strategy,
    pub status: VerificationStatus,
    pub attempts: i64,
    pub expire_at: Option<Millis>,
    #[serde(default)]
    pub code_hash: Option<String>,
    #[serde(default)]
    pub email_address_id: Option<String>,
    /// The phone number a texted code (`phone_code`) went to.
    #[serde(default)]
    pub phone_number_id: Option<String>,
    /// A test identifier on a development instance: the code is 424242 and nothing is sent.
    #[serde(default)]
    pub test_mode: bool,
    /// A social sign-in's: the provider's authorization URL the browser goes to.
    #[serde(default)]
    pub external_verification_redirect_url: Option<String>,
    /// A passkey's request options, as the browser is handed them (`nonce`).
    #[serde(default)]
    pub nonce: Option<String>,
    /// A passkey's challenge state, kept here (server-side) until answered once.
    #[serde(default)]
    pub ceremony: Option<crate::passkeys::PendingCeremony>,
    /// An email link's: where the browser that opens it is sent (`redirect_url`).
    #[serde(default)]
    pub redirect_url: Option<String>,
    /// An email link's: the client whose browser opened it (`verified_at_client`).
    #[serde(default)]
    pub verified_at_client: Option<String>,
}

/// A test email address (`…+clerk_test…@…`) or phone number (`+1 XXX 555-0100…0199`).
pub fn is_test_identifier(identifier: &str) -> bool {
    let lower = identifier.to_ascii_lowercase();
    if let Some((local, _)) = lower.rsplit_once('@') {
        return local.contains("+clerk_test");
    }
    let digits: String = identifier.chars().filter(char::is_ascii_digit).collect();
    digits.len() == 11 && digits.starts_with('1') && digits[4..8] == *"5550" && digits[8..9] == *"1"
}

/// The verification a sign-in prepared for `strategy` in `slot` (its first or second factor),
/// ready for an attempt; `FlowInvalid` with `reason` when none was.
pub(crate) fn prepared<'v>(
    slot: &'v mut Option<FactorVerification>,
    strategy: &Strategy,
    reason: &'static str,
) -> CoreResult<&'v mut FactorVerification> {
    slot.as_mut()
        .filter(|v| v.strategy == *strategy)
        .ok_or(CoreError::FlowInvalid { reason })
}

impl FactorVerification {
    /// A factor checked in one step (password, TOTP, backup code): verified or failed at once.
    pub fn checked(strategy: Strategy, ok: bool) -> Self {
        Self {
            id: new_id(prefix::VERIFICATION),
            strategy,
            status: if ok {
                VerificationStatus::Verified
            } else {
                VerificationStatus::Unverified
            },
            attempts: 1,
            expire_at: None,
            code_hash: None,
            email_address_id: None,
            phone_number_id: None,
            test_mode: false,
            external_verification_redirect_url: None,
            nonce: None,
            ceremony: None,
            redirect_url: None,
            verified_at_client: None,
        }
    }

    /// A social sign-in's verification: unverified until the provider sends the browser back.
    pub fn external(strategy: Strategy, redirect_url: String, expire_at: Millis) -> Self {
        let mut v = Self::checked(strategy, false);
        v.attempts = 0;
        v.expire_at = Some(expire_at);
        v.external_verification_redirect_url = Some(redirect_url);
        v
    }

    /// A new emailed code for `email_address`. Returns the code to send, or `None` in test
    /// mode (development instances, test addresses), where nothing is sent.
    pub fn issue_code(
        strategy: Strategy,
        email_address: &str,
        email_address_id: Option<&str>,
        environment: Environment,
        now: Millis,
    ) -> (Self, Option<String>) {
        let id = new_id(prefix::VERIFICATION);
        let test_mode =
            environment == Environment::Development && is_test_identifier(email_address);
        let code = if test_mode {
            TEST_MODE_CODE.to_owned()
        } else {
            generate_code()
        };
        let v = Self {
            code_hash: Some(hash_code(&id, &code)),
            id,
            strategy,
            status: VerificationStatus::Unverified,
            attempts: 0,
            expire_at: Some(now + CODE_LIFETIME_MS),
            email_address_id: email_address_id.map(str::to_owned),
            phone_number_id: None,
            test_mode,
            external_verification_redirect_url: None,
            nonce: None,
            ceremony: None,
            redirect_url: None,
            verified_at_client: None,
        };
        (v, (!test_mode).then_some(code))
    }

    /// A new texted code (`phone_code`) for `phone_number`: as [`Self::issue_code`], test
    /// numbers on development instances taking 424242.
    pub fn issue_phone_code(
        phone_number: &str,
        phone_number_id: &str,
        environment: Environment,
        now: Millis,
    ) -> (Self, Option<String>) {
        let (mut v, code) =
            Self::issue_code(Strategy::PhoneCode, phone_number, None, environment, now);
        v.phone_number_id = Some(phone_number_id.to_owned());
        (v, code)
    }

    /// Checks a code. A wrong code counts an attempt; the last allowed wrong attempt spends the
    /// code; the right one verifies it and spends it, so it can never be used again. The caller
    /// stores the verification whatever the outcome.
    pub fn attempt_code(&mut self, code: &str, now: Millis) -> CoreResult<()> {
        self.attempt_secret(code.trim(), 16, now)
    }

    /// [`Self::attempt_code`] for a secret of at most `max_len` bytes (a code, an email link's).
    pub(super) fn attempt_secret(
        &mut self,
        code: &str,
        max_len: usize,
        now: Millis,
    ) -> CoreResult<()> {
        match self.status {
            VerificationStatus::Verified => return Err(CoreError::VerificationAlreadyVerified),
            VerificationStatus::Failed => return Err(CoreError::VerificationFailed),
            VerificationStatus::Expired => return Err(CoreError::VerificationExpired),
            VerificationStatus::Transferable => return Err(CoreError::VerificationFailed),
            VerificationStatus::Unverified => {}
        }
        if self.expire_at.is_some_and(|at| now >= at) {
            self.status = VerificationStatus::Expired;
            self.code_hash = None;
            return Err(CoreError::VerificationExpired);
        }
        let Some(stored) = self.code_hash.as_deref() else {
            return Err(CoreError::VerificationFailed);
        };
        let ok = code.len() <= max_len && code_matches(&self.id, code, stored);
        self.attempts += 1;
        if ok {
            self.status = VerificationStatus::Verified;
            self.code_hash = None;
            return Ok(());
        }
        if self.attempts >= MAX_CODE_ATTEMPTS {
            self.status = VerificationStatus::Failed;
            self.code_hash = None;
        }
        Err(CoreError::CodeIncorrect)
    }

    pub fn is_verified(&self) -> bool {
        self.status == VerificationStatus::Verified
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issued(env: Environment, email: &str) -> (FactorVerification, Option<String>) {
        FactorVerification::issue_code(Strategy::EmailCode, email, None, env, 1_000)
    }

    #[test]
    fn a_code_works_once_and_not_after_expiry() {
        let (mut v, code) = issued(Environment::Production, "a@b.co");
        let code = code.unwrap();
        assert!(v.code_hash.as_deref() != Some(code.as_str()));
        assert_eq!(v.attempt_code(&code, 2_000), Ok(()));
        assert_eq!(
            v.attempt_code(&code, 2_000),
            Err(CoreError::VerificationAlreadyVerified)
        );
        let (mut late, code) = issued(Environment::Production, "a@b.co");
        assert_eq!(
            late.attempt_code(&code.unwrap(), 1_000 + CODE_LIFETIME_MS),
            Err(CoreError::VerificationExpired)
        );
        assert_eq!(late.status, VerificationStatus::Expired);
    }

    #[test]
    fn wrong_codes_spend_the_code_after_the_attempt_limit() {
        let (mut v, code) = issued(Environment::Production, "a@b.co");
        let code = code.unwrap();
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..MAX_CODE_ATTEMPTS {
            assert_eq!(v.attempt_code(wrong, 2_000), Err(CoreError::CodeIncorrect));
        }
        assert_eq!(v.status, VerificationStatus::Failed);
        assert_eq!(
            v.attempt_code(&code, 2_000),
            Err(CoreError::VerificationFailed)
        );
    }

    #[test]
    fn test_mode_only_for_test_identifiers_on_development_instances() {
        let (mut dev, sent) = issued(Environment::Development, "jo+clerk_test@example.com");
        assert!(sent.is_none() && dev.test_mode);
        assert_eq!(dev.attempt_code(TEST_MODE_CODE, 2_000), Ok(()));
        let (mut prod, sent) = issued(Environment::Production, "jo+clerk_test@example.com");
        assert!(sent.is_some() && !prod.test_mode);
        if sent.as_deref() != Some(TEST_MODE_CODE) {
            assert_eq!(
                prod.attempt_code(TEST_MODE_CODE, 2_000),
                Err(CoreError::CodeIncorrect)
            );
        }
        let (_, sent) = issued(Environment::Development, "jo@example.com");
        assert!(sent.is_some());
        assert!(is_test_identifier("+1 (201) 555-0123"));
        assert!(!is_test_identifier("+1 (201) 555-0223"));
        assert!(!is_test_identifier("+44 20 5550 1234"));
    }
}
