//! Affiliation verification: a member who manages an organization's domains proves the domain is
//! theirs by receiving a code at an address there (Clerk's `email_code` strategy for domains).
//! The code is the same kind sign-ins email: six digits, hashed, single use, ten minutes, a few
//! wrong tries; and on development instances a test address takes 424242 with nothing sent.

use serde::{Deserialize, Serialize};

use super::domains::OrganizationDomain;
use crate::clients::Strategy;
use crate::clients::factors::FactorVerification;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::instance::Environment;
use crate::users::identifiers::validate_email;

const PARAM: &str = "affiliation_email_address";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affiliation {
    pub email_address: String,
    pub verification: FactorVerification,
}

/// The address, which must be at the domain itself (not a subdomain of it).
fn address_at(domain: &OrganizationDomain, raw: &str) -> CoreResult<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(CoreError::missing(PARAM));
    }
    let email = validate_email(raw)
        .map_err(|_| CoreError::format(PARAM, "must be a valid email address"))?;
    let at_domain = email
        .rsplit_once('@')
        .is_some_and(|(_, host)| host.eq_ignore_ascii_case(&domain.name));
    if !at_domain {
        return Err(CoreError::value(
            PARAM,
            format!("must be an email address at {}", domain.name),
        ));
    }
    Ok(email)
}

/// Starts (or restarts) the verification: a new code replaces any earlier one. Returns the code
/// to email, or `None` in test mode.
pub fn prepare(
    domain: &mut OrganizationDomain,
    raw_email: &str,
    environment: Environment,
    now: Millis,
) -> CoreResult<Option<String>> {
    if domain.verified {
        return Err(CoreError::VerificationAlreadyVerified);
    }
    let email_address = address_at(domain, raw_email)?;
    let (verification, code) =
        FactorVerification::issue_code(Strategy::EmailCode, &email_address, None, environment, now);
    domain.affiliation = Some(Affiliation {
        email_address,
        verification,
    });
    domain.updated_at = now;
    Ok(code)
}

/// Checks a code. The domain changes whatever the outcome (a wrong code counts an attempt, the
/// last one spends the code), so the caller stores it before answering with the error; the right
/// code verifies the domain.
pub fn attempt(domain: &mut OrganizationDomain, code: &str, now: Millis) -> CoreResult<()> {
    let Some(affiliation) = domain.affiliation.as_mut() else {
        return Err(if domain.verified {
            CoreError::VerificationAlreadyVerified
        } else {
            CoreError::FlowInvalid {
                reason: "No affiliation verification was prepared for this domain",
            }
        });
    };
    let outcome = affiliation.verification.attempt_code(code, now);
    domain.updated_at = now;
    if outcome.is_ok() {
        domain.verified = true;
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::factors::VerificationStatus;
    use crate::ids::{OrganizationDomainId, OrganizationId};
    use crate::organizations::domains::EnrollmentMode;
    use crate::verifications::{CODE_LIFETIME_MS, MAX_CODE_ATTEMPTS};

    fn domain() -> OrganizationDomain {
        OrganizationDomain {
            id: OrganizationDomainId::from_stored("orgdmn_1"),
            organization_id: OrganizationId::from_stored("org_1"),
            name: "acme.com".into(),
            enrollment_mode: EnrollmentMode::ManualInvitation,
            verified: false,
            affiliation: None,
            ownership_verified_at: None,
            created_at: 0,
            updated_at: 0,
            version: 1,
        }
    }

    fn wrong(code: &str) -> &'static str {
        if code == "000000" { "111111" } else { "000000" }
    }

    #[test]
    fn only_an_address_at_the_domain_itself() {
        let env = Environment::Production;
        for bad in ["jo@other.com", "jo@sub.acme.com", "jo@acme.com.evil.io"] {
            assert!(
                matches!(
                    prepare(&mut domain(), bad, env, 0),
                    Err(CoreError::ParamValueInvalid { .. })
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            prepare(&mut domain(), "not an address", env, 0),
            Err(CoreError::ParamFormatInvalid { .. })
        ));
        assert_eq!(
            prepare(&mut domain(), " ", env, 0),
            Err(CoreError::missing(PARAM))
        );
        let mut d = domain();
        assert!(prepare(&mut d, "Jo@ACME.com", env, 5).unwrap().is_some());
        assert_eq!(d.affiliation.as_ref().unwrap().email_address, "Jo@ACME.com");
        assert_eq!(d.updated_at, 5);
        assert!(!d.verified);
    }

    #[test]
    fn the_right_code_verifies_the_domain_once() {
        let mut d = domain();
        let code = prepare(&mut d, "jo@acme.com", Environment::Production, 0)
            .unwrap()
            .unwrap();
        assert_eq!(
            attempt(&mut d, wrong(&code), 1),
            Err(CoreError::CodeIncorrect)
        );
        assert_eq!(d.affiliation.as_ref().unwrap().verification.attempts, 1);
        assert!(!d.verified);
        assert_eq!(attempt(&mut d, &code, 2), Ok(()));
        assert!(d.verified);
        assert_eq!(
            attempt(&mut d, &code, 3),
            Err(CoreError::VerificationAlreadyVerified)
        );
        assert_eq!(
            prepare(&mut d, "jo@acme.com", Environment::Production, 4),
            Err(CoreError::VerificationAlreadyVerified)
        );
    }

    #[test]
    fn wrong_codes_and_time_spend_the_code() {
        let mut d = domain();
        let code = prepare(&mut d, "jo@acme.com", Environment::Production, 0)
            .unwrap()
            .unwrap();
        for _ in 0..MAX_CODE_ATTEMPTS {
            assert_eq!(
                attempt(&mut d, wrong(&code), 1),
                Err(CoreError::CodeIncorrect)
            );
        }
        assert_eq!(
            attempt(&mut d, &code, 1),
            Err(CoreError::VerificationFailed)
        );
        let status = d.affiliation.as_ref().unwrap().verification.status;
        assert_eq!(status, VerificationStatus::Failed);
        assert!(!d.verified);

        let code = prepare(&mut d, "jo@acme.com", Environment::Production, 10)
            .unwrap()
            .unwrap();
        assert_eq!(
            attempt(&mut d, &code, 10 + CODE_LIFETIME_MS),
            Err(CoreError::VerificationExpired)
        );
        assert!(!d.verified);
    }

    #[test]
    fn nothing_to_attempt_before_prepare() {
        assert!(matches!(
            attempt(&mut domain(), "123456", 0),
            Err(CoreError::FlowInvalid { .. })
        ));
    }

    #[test]
    fn test_addresses_on_development_take_the_test_code() {
        let mut d = domain();
        let sent = prepare(
            &mut d,
            "jo+clerk_test@acme.com",
            Environment::Development,
            0,
        )
        .unwrap();
        assert!(sent.is_none());
        assert_eq!(
            attempt(&mut d, crate::clients::factors::TEST_MODE_CODE, 1),
            Ok(())
        );
        assert!(d.verified);
    }
}
