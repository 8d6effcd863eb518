//! A sign-up's phone number, verified by a texted code (`phone_code`) as its email address is
//! by an emailed one. A number that belongs to an account (found with enumeration protection
//! on) gets no text, and no code is accepted for it; the answers are those of any number.

use super::factors::FactorVerification;
use super::sign_ups::{SignUp, SignUpStatus};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::instance::Environment;

impl SignUp {
    /// Starts the phone verification: the code to text, `None` for a test number on a
    /// development instance (424242) or a number that is `taken`.
    pub fn prepare_phone_verification(
        &mut self,
        taken: bool,
        environment: Environment,
        now: Millis,
    ) -> CoreResult<Option<String>> {
        if self.status == SignUpStatus::Complete {
            return Err(CoreError::FlowInvalid {
                reason: "this sign-up is already complete",
            });
        }
        let number = self
            .phone_number
            .clone()
            .ok_or_else(|| CoreError::missing("phone_number"))?;
        if self
            .phone_verification
            .as_ref()
            .is_some_and(|v| v.is_verified())
        {
            return Err(CoreError::VerificationAlreadyVerified);
        }
        self.phone_taken = taken;
        let environment = if taken {
            Environment::Production
        } else {
            environment
        };
        let (v, code) = FactorVerification::issue_phone_code(&number, "", environment, now);
        self.phone_verification = Some(v);
        self.updated_at = now;
        Ok(code.filter(|_| !taken))
    }

    pub fn attempt_phone_verification(&mut self, code: &str, now: Millis) -> CoreResult<()> {
        let taken = self.phone_taken;
        let v = self
            .phone_verification
            .as_mut()
            .ok_or(CoreError::FlowInvalid {
                reason: "prepare the verification before attempting it",
            })?;
        self.updated_at = now;
        // No code was texted to a taken number, so none is right.
        v.attempt_code(if taken { "" } else { code }, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::sign_ups::SignUpFields;
    use crate::instance::InstanceSettings;
    use crate::users::model::{PasswordDigest, Verification};

    fn settings() -> InstanceSettings {
        InstanceSettings {
            phone_numbers_enabled: true,
            phone_number_required: true,
            ..Default::default()
        }
    }

    #[test]
    fn a_required_number_is_asked_for_then_verified_by_its_code() {
        let mut s = SignUp::start(0);
        let f = SignUpFields {
            email_address: Some("a@b.co".into()),
            ..Default::default()
        };
        s.apply(f, Some(PasswordDigest("$argon2id$x".into())), 1)
            .unwrap();
        assert_eq!(s.missing_fields(&settings()), vec!["phone_number"]);
        let f = SignUpFields {
            phone_number: Some("+44 7700 900123".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        s.apply(f, None, 2).unwrap();
        assert_eq!(s.phone_number.as_deref(), Some("+447700900123"));
        assert_eq!(s.unverified_fields(), vec!["email_address", "phone_number"]);
        let code = s
            .prepare_phone_verification(false, Environment::Production, 3)
            .unwrap()
            .unwrap();
        s.attempt_phone_verification(&code, 4).unwrap();
        assert_eq!(s.unverified_fields(), vec!["email_address"]);
        let user = s.to_user(&settings(), 5).unwrap();
        assert_eq!(user.phone_numbers[0].verification, Verification::PhoneCode);
        assert_eq!(
            user.primary_phone_number_id,
            Some(user.phone_numbers[0].id.clone())
        );
    }

    #[test]
    fn a_taken_number_is_sent_nothing_and_takes_no_code() {
        let mut s = SignUp::start(0);
        s.phone_number = Some("+447700900123".into());
        assert_eq!(
            s.prepare_phone_verification(true, Environment::Development, 1),
            Ok(None)
        );
        assert_eq!(
            s.attempt_phone_verification("424242", 2),
            Err(CoreError::CodeIncorrect)
        );
    }
}
