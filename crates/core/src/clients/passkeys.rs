//! `passkey` as a sign-in's first factor. The challenge is discoverable (no credential listed),
//! so starting one tells nothing about an identifier; the credential that answers names its
//! user. User verification is required, so a passkey stands for both factors, as on Clerk.

use super::factors::{FactorVerification, VerificationStatus, prepared};
use super::sign_ins::{SignIn, SignInStatus};
use super::strategy::Strategy;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{new_id, prefix};
use crate::passkeys::PendingCeremony;
use crate::users::User;

impl SignIn {
    /// A new challenge for this sign-in: its request options (`nonce`) and its state.
    pub fn prepare_passkey(
        &mut self,
        nonce: String,
        ceremony: PendingCeremony,
        now: Millis,
    ) -> CoreResult<()> {
        if !matches!(
            self.status,
            SignInStatus::NeedsIdentifier | SignInStatus::NeedsFirstFactor
        ) {
            return Err(CoreError::FlowInvalid {
                reason: SignInStatus::NeedsFirstFactor.not_awaited(),
            });
        }
        self.first_factor = Some(FactorVerification {
            id: new_id(prefix::VERIFICATION),
            strategy: Strategy::Passkey,
            status: VerificationStatus::Unverified,
            attempts: 0,
            expire_at: Some(ceremony.expires_at),
            code_hash: None,
            email_address_id: None,
            phone_number_id: None,
            test_mode: false,
            nonce: Some(nonce),
            ceremony: Some(ceremony),
            external_verification_redirect_url: None,
            redirect_url: None,
            verified_at_client: None,
        });
        self.updated_at = now;
        Ok(())
    }

    /// Takes the challenge to check an answer against: it is spent whatever the outcome.
    pub fn take_passkey_challenge(&mut self, now: Millis) -> CoreResult<PendingCeremony> {
        let v = prepared(
            &mut self.first_factor,
            &Strategy::Passkey,
            "prepare the passkey first factor before attempting it",
        )?;
        let ceremony = v.ceremony.take().ok_or(CoreError::PasskeyRefused {
            reason: "This passkey challenge was already answered: ask for a new one.",
        })?;
        v.nonce = None;
        v.attempts += 1;
        v.status = VerificationStatus::Failed;
        self.updated_at = now;
        if ceremony.is_live(now) {
            Ok(ceremony)
        } else {
            v.status = VerificationStatus::Expired;
            Err(CoreError::VerificationExpired)
        }
    }

    /// Whether the answer may be the user's: a sign-in started for someone else (or for an
    /// identifier nobody has) is not completed by another user's passkey.
    pub fn accepts_passkey_of(&self, user: &User) -> bool {
        !self.decoy
            && self
                .user_id
                .as_deref()
                .is_none_or(|id| id == user.id.as_str())
    }

    /// The passkey verified: the user is signed in.
    pub fn passkey_verified(&mut self, user: &User, now: Millis) {
        self.user_id = Some(user.id.to_string());
        if let Some(v) = self.first_factor.as_mut() {
            v.status = VerificationStatus::Verified;
        }
        self.status = SignInStatus::Complete;
        self.updated_at = now;
    }
}
