//! Enumeration protection: what a sign-in for an identifier nobody has shows. The decoy is
//! answered from a phantom account (a password and the typed email address), so its
//! `supported_first_factors` are built by the same code as a real account's, and the phantom
//! address's id is a keyed HMAC of the identifier: stable for every attempt, different per
//! instance, and shaped like any `idn_` id.

use aws_lc_rs::hmac;
use svix_ksuid::{Ksuid, KsuidLike};

use super::factors::FactorVerification;
use super::sign_ins::{SignIn, SignInStatus};
use super::strategy::Strategy;
use super::supported::{SupportedFactor, first_factors_for, password_only};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{IdentificationId, prefix};
use crate::instance::{Environment, InstanceSettings};
use crate::users::User;
use crate::users::create::{NewUser, validate};
use crate::users::identifiers::validate_phone;
use crate::users::identifiers::{IdentifierKind, guess_kind, normalize};
use crate::users::model::PasswordDigest;

/// The instance's secret for decoy ids. Kept in the store (the same on every node and across
/// restarts), never shown.
#[derive(Clone)]
pub struct DecoyKey {
    key: hmac::Key,
    /// Seconds: ids carry a KSUID timestamp, placed in the day after the instance was created.
    epoch_secs: i64,
}

impl std::fmt::Debug for DecoyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DecoyKey(<redacted>)")
    }
}

impl DecoyKey {
    pub fn new(secret: &[u8], instance_created_at: Millis) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            epoch_secs: instance_created_at / 1000,
        }
    }

    /// The id of the phantom email address `email` (already normalised).
    pub fn email_address_id(&self, email: &str) -> String {
        self.identification_id("email_address_id", email)
    }

    /// The id of the phantom phone number `phone` (already normalised).
    pub fn phone_number_id(&self, phone: &str) -> String {
        self.identification_id("phone_number_id", phone)
    }

    fn identification_id(&self, kind: &str, value: &str) -> String {
        let tag = hmac::sign(&self.key, format!("{kind}:{value}").as_bytes());
        let bytes = tag.as_ref();
        let mut seconds = [0u8; 4];
        seconds.copy_from_slice(&bytes[16..20]);
        let offset = i64::from(u32::from_be_bytes(seconds) % 86_400);
        let ksuid = Ksuid::from_seconds(Some(self.epoch_secs + offset), Some(&bytes[..16]));
        format!("{}{}", prefix::EMAIL, ksuid.to_base62())
    }
}

/// The normalised email address a decoy pretends to have, if the identifier is one.
fn decoy_email(identifier: &str) -> Option<String> {
    (guess_kind(identifier) == IdentifierKind::Email)
        .then(|| normalize(IdentifierKind::Email, identifier))
}

/// The normalised phone number a decoy pretends to have, if the identifier is a valid one.
fn decoy_phone(identifier: &str) -> Option<String> {
    (guess_kind(identifier) == IdentifierKind::Phone)
        .then(|| validate_phone(identifier).ok())
        .flatten()
}

/// A sign-in for `identifier`, which no user has.
pub fn start(identifier: String, key: &DecoyKey, now: Millis) -> SignIn {
    let email_id = decoy_email(&identifier)
        .map(|e| key.email_address_id(&e))
        .or_else(|| decoy_phone(&identifier).map(|p| key.phone_number_id(&p)));
    let mut s = SignIn::decoy(identifier, now);
    s.decoy_email_address_id = email_id;
    s
}

/// The account a decoy pretends to be: a password and the typed email address (or verified
/// phone number) as its primary identifier under the decoy's id. `None` when the identifier is
/// neither a valid email address nor a valid phone number.
fn phantom(sign_in: &SignIn) -> Option<User> {
    let typed = sign_in.identifier.as_deref()?;
    let id = sign_in.decoy_email_address_id.clone()?;
    let settings = InstanceSettings::default();
    let (email, phone) = match decoy_email(typed) {
        Some(e) => (Some(e), None),
        None => (None, Some(decoy_phone(typed)?)),
    };
    let fields = NewUser {
        email_addresses: email.into_iter().collect(),
        phone_numbers: phone.into_iter().collect(),
        skip_password_requirement: true,
        ..Default::default()
    };
    let mut user = validate(fields, &settings).ok()?.into_user(
        Some(PasswordDigest(String::new())),
        &settings,
        sign_in.created_at,
    );
    // Made by `DecoyKey`, shaped like a real one.
    let id = IdentificationId::from_stored(id);
    if let Some(number) = user.phone_numbers.first_mut() {
        number.id = id.clone();
        user.primary_phone_number_id = Some(id);
    } else {
        let address = user.email_addresses.first_mut()?;
        address.id = id.clone();
        user.primary_email_address_id = Some(id);
    }
    Some(user)
}

/// `supported_first_factors` of a decoy: what a real account with a password and that address
/// offers (only a password for an identifier that is not an email address).
pub fn supported_first_factors(sign_in: &SignIn) -> Vec<SupportedFactor> {
    match phantom(sign_in) {
        Some(user) => first_factors_for(&user, sign_in.identifier.as_deref()),
        None => password_only(),
    }
}

/// Prepares a factor of a decoy exactly as a real account's is prepared (the same checks, the
/// same errors), except that the code is sent to nobody and kept by no one. `identification_id`
/// is the email address (or, for `phone_code`, phone number) the request names.
pub fn prepare_first_factor(
    sign_in: &mut SignIn,
    strategy: &Strategy,
    identification_id: Option<&str>,
    now: Millis,
) -> CoreResult<()> {
    match phantom(sign_in) {
        // Production: a decoy never takes a development instance's test code.
        Some(user) if *strategy == Strategy::PhoneCode => sign_in
            .prepare_phone_code(&user, identification_id, Environment::Production, now)
            .map(|_| ()),
        Some(user) => sign_in
            .prepare_first_factor(
                &user,
                strategy,
                identification_id,
                Environment::Production,
                now,
            )
            .map(|_| ()),
        None => {
            sign_in.expect(SignInStatus::NeedsFirstFactor)?;
            let (v, _) = FactorVerification::issue_code(
                strategy.clone(),
                sign_in.identifier.as_deref().unwrap_or(""),
                None,
                Environment::Production,
                now,
            );
            sign_in.first_factor = Some(v);
            sign_in.updated_at = now;
            Ok(())
        }
    }
}

/// Prepares an email link of a decoy as a real account's is prepared (the same checks, the
/// same errors); the link is emailed to nobody.
pub fn prepare_email_link(
    sign_in: &mut SignIn,
    email_address_id: Option<&str>,
    client_id: &str,
    redirect_url: String,
    now: Millis,
) -> CoreResult<()> {
    let user = phantom(sign_in).ok_or(CoreError::StrategyInvalid {
        param: "email_address_id",
    })?;
    sign_in
        .prepare_email_link(&user, email_address_id, client_id, redirect_url, now)
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> DecoyKey {
        DecoyKey::new(b"instance secret", 1_700_000_000_000)
    }

    fn real_user(email: &str) -> User {
        let settings = InstanceSettings::default();
        validate(
            NewUser {
                email_addresses: vec![email.into()],
                skip_password_requirement: true,
                ..Default::default()
            },
            &settings,
        )
        .unwrap()
        .into_user(Some(PasswordDigest("$argon2id$x".into())), &settings, 0)
    }

    /// The factors with the ids taken out, which differ by nature.
    fn shape(f: &[SupportedFactor]) -> Vec<(Strategy, Option<String>, bool, bool)> {
        f.iter()
            .map(|f| {
                (
                    f.strategy.clone(),
                    f.safe_identifier.clone(),
                    f.primary,
                    f.email_address_id.is_some(),
                )
            })
            .collect()
    }

    #[test]
    fn a_decoy_offers_what_a_real_account_with_a_password_offers() {
        let real = crate::clients::supported::first_factors(&real_user("someone@example.com"));
        let decoy = supported_first_factors(&start("Someone@Example.com ".into(), &key(), 5));
        assert_eq!(shape(&decoy), shape(&real));
        assert!(
            decoy
                .iter()
                .any(|f| f.strategy == Strategy::ResetPasswordEmailCode)
        );
    }

    #[test]
    fn a_decoy_for_a_phone_number_offers_a_password_and_a_texted_code() {
        let mut s = start("+1 415 555 0123".into(), &key(), 5);
        let offered = supported_first_factors(&s);
        let names: Vec<_> = offered.iter().map(|f| f.strategy.to_string()).collect();
        assert_eq!(names, ["password", "phone_code"]);
        assert_eq!(offered[1].safe_identifier.as_deref(), Some("+14155550123"));
        assert_eq!(
            offered[1].phone_number_id.as_deref(),
            s.decoy_email_address_id.as_deref()
        );
        prepare_first_factor(&mut s, &Strategy::PhoneCode, None, 6).unwrap();
        assert!(
            s.first_factor
                .is_some_and(|v| v.strategy == Strategy::PhoneCode)
        );
    }

    #[test]
    fn decoy_ids_are_stable_per_identifier_and_instance_and_shaped_like_real_ones() {
        let a = start("ghost@example.com".into(), &key(), 1);
        let b = start("GHOST@example.com".into(), &key(), 2);
        assert_ne!(a.id, b.id);
        let id = a.decoy_email_address_id.clone().unwrap();
        assert_eq!(Some(id.clone()), b.decoy_email_address_id);
        let real_id = &real_user("x@example.com").email_addresses[0].id;
        assert_eq!(id.len(), real_id.len());
        assert!(crate::ids::looks_like(&id, prefix::EMAIL));
        let other = start("other@example.com".into(), &key(), 1);
        assert_ne!(other.decoy_email_address_id, a.decoy_email_address_id);
        let elsewhere = start(
            "ghost@example.com".into(),
            &DecoyKey::new(b"another instance", 1_700_000_000_000),
            1,
        );
        assert_ne!(elsewhere.decoy_email_address_id, a.decoy_email_address_id);
        assert!(!format!("{:?}", key()).contains("instance secret"));
    }

    #[test]
    fn preparing_a_decoy_checks_what_a_real_prepare_checks() {
        let mut s = start("ghost@example.com".into(), &key(), 1);
        let id = s.decoy_email_address_id.clone().unwrap();
        assert_eq!(
            prepare_first_factor(&mut s, &Strategy::EmailCode, Some("idn_other"), 2),
            Err(CoreError::StrategyInvalid {
                param: "email_address_id"
            })
        );
        assert_eq!(
            prepare_first_factor(&mut s, &Strategy::PhoneCode, None, 2),
            Err(CoreError::StrategyInvalid {
                param: "phone_number_id"
            })
        );
        prepare_first_factor(&mut s, &Strategy::EmailCode, Some(&id), 2).unwrap();
        let v = s.first_factor.as_ref().unwrap();
        assert_eq!(v.email_address_id.as_deref(), Some(id.as_str()));
        assert!(!v.test_mode);
        let mut u = start("ghost_user".into(), &key(), 1);
        assert_eq!(supported_first_factors(&u).len(), 1);
        prepare_first_factor(&mut u, &Strategy::EmailCode, None, 2).unwrap();
    }
}
