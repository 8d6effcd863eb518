//! A user's email addresses and phone numbers as identifiers of their own: added, verified with
//! a code, made primary, removed. The rules both APIs share; uniqueness across users is the
//! store's (its `user_identifiers` key).

use super::identifiers::{IdentifierKind, normalize, validate_email, validate_phone};
use super::model::{EmailAddress, PhoneNumber, User, Verification};
use crate::clients::factors::FactorVerification;
use crate::clients::strategy::Strategy;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::IdentificationId;
use crate::instance::Environment;

pub const EMAIL_NOT_FOUND: CoreError = CoreError::NotFound {
    resource: "email address",
};
pub const PHONE_NOT_FOUND: CoreError = CoreError::NotFound {
    resource: "phone number",
};

/// Which of a user's identifiers an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactKind {
    Email,
    Phone,
}

impl ContactKind {
    pub fn not_found(self) -> CoreError {
        match self {
            ContactKind::Email => EMAIL_NOT_FOUND,
            ContactKind::Phone => PHONE_NOT_FOUND,
        }
    }
}

/// Adds an email address. The first one becomes primary, as does one added with `primary`.
/// One the user already has is `form_identifier_exists`, as one another user has is (the store
/// says so at commit).
pub fn add_email(
    user: &mut User,
    raw: &str,
    verification: Verification,
    primary: bool,
    now: Millis,
) -> CoreResult<IdentificationId> {
    let value = validate_email(raw)?;
    let key = normalize(IdentifierKind::Email, &value);
    if user
        .email_addresses
        .iter()
        .any(|e| normalize(IdentifierKind::Email, &e.email_address) == key)
    {
        return Err(CoreError::IdentifierExists {
            param: "email_address",
        });
    }
    let email = EmailAddress::new(value, verification, now);
    let id = email.id.clone();
    user.email_addresses.push(email);
    if primary || user.primary_email_address_id.is_none() {
        user.primary_email_address_id = Some(id.clone());
    }
    user.updated_at = now;
    Ok(id)
}

/// Adds a phone number (E.164). The first one becomes primary, as does one added with
/// `primary`. A number reserved for a second factor must be verified; the first such number is
/// also the default second factor.
pub fn add_phone(
    user: &mut User,
    raw: &str,
    verification: Verification,
    primary: bool,
    reserved_for_second_factor: bool,
    now: Millis,
) -> CoreResult<IdentificationId> {
    let value = validate_phone(raw)?;
    if user.phone_numbers.iter().any(|p| p.phone_number == value) {
        return Err(CoreError::IdentifierExists {
            param: "phone_number",
        });
    }
    let phone = PhoneNumber::new(value, verification, now);
    let id = phone.id.clone();
    user.phone_numbers.push(phone);
    if primary || user.primary_phone_number_id.is_none() {
        user.primary_phone_number_id = Some(id.clone());
    }
    if reserved_for_second_factor {
        reserve_for_second_factor(user, &id, true, now)?;
    }
    user.updated_at = now;
    Ok(id)
}

/// Which kind of identifier of `user` the id names, if any.
pub fn kind_of(user: &User, id: &str) -> Option<ContactKind> {
    if user.email_addresses.iter().any(|e| e.id == id) {
        Some(ContactKind::Email)
    } else if user.phone_numbers.iter().any(|p| p.id == id) {
        Some(ContactKind::Phone)
    } else {
        None
    }
}

pub fn email<'u>(user: &'u User, id: &str) -> CoreResult<&'u EmailAddress> {
    user.email_addresses
        .iter()
        .find(|e| e.id == id)
        .ok_or(EMAIL_NOT_FOUND)
}

pub fn phone<'u>(user: &'u User, id: &str) -> CoreResult<&'u PhoneNumber> {
    user.phone_numbers
        .iter()
        .find(|p| p.id == id)
        .ok_or(PHONE_NOT_FOUND)
}

pub(crate) fn email_mut<'u>(user: &'u mut User, id: &str) -> CoreResult<&'u mut EmailAddress> {
    user.email_addresses
        .iter_mut()
        .find(|e| e.id == id)
        .ok_or(EMAIL_NOT_FOUND)
}

fn phone_mut<'u>(user: &'u mut User, id: &str) -> CoreResult<&'u mut PhoneNumber> {
    user.phone_numbers
        .iter_mut()
        .find(|p| p.id == id)
        .ok_or(PHONE_NOT_FOUND)
}

/// The Backend API's `verified`: marks the identifier verified by the admin, or unverified.
/// Verifying one already verified keeps how it was verified.
pub fn set_verified(
    user: &mut User,
    kind: ContactKind,
    id: &str,
    verified: bool,
    now: Millis,
) -> CoreResult<()> {
    let (verification, pending, updated_at) = match kind {
        ContactKind::Email => {
            let e = email_mut(user, id)?;
            (&mut e.verification, &mut e.pending, &mut e.updated_at)
        }
        ContactKind::Phone => {
            let p = phone_mut(user, id)?;
            (&mut p.verification, &mut p.pending, &mut p.updated_at)
        }
    };
    if verified != verification.is_verified() {
        *verification = if verified {
            Verification::Admin
        } else {
            Verification::Unverified
        };
        *pending = None;
        *updated_at = now;
    }
    user.updated_at = now;
    Ok(())
}

/// Makes the identifier primary. The Frontend API (`require_verified`) takes only a verified
/// one; the Backend API's caller vouches for it.
pub fn make_primary(
    user: &mut User,
    kind: ContactKind,
    id: &str,
    require_verified: bool,
    now: Millis,
) -> CoreResult<()> {
    let (verified, param) = match kind {
        ContactKind::Email => (
            email(user, id)?.verification.is_verified(),
            "primary_email_address_id",
        ),
        ContactKind::Phone => (
            phone(user, id)?.verification.is_verified(),
            "primary_phone_number_id",
        ),
    };
    if require_verified && !verified {
        return Err(CoreError::value(
            param,
            "only a verified identifier can become primary",
        ));
    }
    let id = IdentificationId::from_stored(id);
    match kind {
        ContactKind::Email => user.primary_email_address_id = Some(id),
        ContactKind::Phone => user.primary_phone_number_id = Some(id),
    }
    user.updated_at = now;
    Ok(())
}

/// Reserves a verified phone number for a second factor (or releases it). The first reserved
/// number becomes the default second factor; releasing the default passes it on.
pub fn reserve_for_second_factor(
    user: &mut User,
    id: &str,
    reserved: bool,
    now: Millis,
) -> CoreResult<()> {
    let p = phone(user, id)?;
    if reserved && !p.verification.is_verified() {
        return Err(CoreError::value(
            "reserved_for_second_factor",
            "the phone number must be verified first",
        ));
    }
    let has_default = user.phone_numbers.iter().any(|p| p.default_second_factor);
    let p = phone_mut(user, id)?;
    p.reserved_for_second_factor = reserved;
    p.updated_at = now;
    if reserved && !has_default {
        p.default_second_factor = true;
    }
    if !reserved && p.default_second_factor {
        p.default_second_factor = false;
        pass_on_default_second_factor(user);
    }
    user.updated_at = now;
    Ok(())
}

/// Makes a reserved number the default second factor, the others not.
pub fn make_default_second_factor(user: &mut User, id: &str, now: Millis) -> CoreResult<()> {
    if !phone(user, id)?.reserved_for_second_factor {
        return Err(CoreError::value(
            "default_second_factor",
            "the phone number must be reserved for a second factor first",
        ));
    }
    for p in &mut user.phone_numbers {
        p.default_second_factor = p.id == id;
    }
    user.updated_at = now;
    Ok(())
}

fn pass_on_default_second_factor(user: &mut User) {
    if let Some(p) = user
        .phone_numbers
        .iter_mut()
        .find(|p| p.reserved_for_second_factor)
    {
        p.default_second_factor = true;
    }
}

/// What a removal changed, for the caller's security bookkeeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    pub kind: ContactKind,
    pub was_primary: bool,
    pub was_verified: bool,
}

/// Removes an identifier. The primary one passes to another of its kind (a verified one first).
/// The user's last identification (no email address, phone number or username left to sign in
/// with) is never removed: Clerk's `identification_deletion_failed`.
pub fn remove(user: &mut User, id: &str, now: Millis) -> CoreResult<Removed> {
    let kind = kind_of(user, id).ok_or(CoreError::NotFound {
        resource: "identification",
    })?;
    let others = user.email_addresses.len() + user.phone_numbers.len() - 1;
    if others == 0 && user.username.is_none() {
        return Err(CoreError::LastIdentification);
    }
    let removed = match kind {
        ContactKind::Email => {
            let e = email(user, id)?;
            let was_verified = e.verification.is_verified();
            let was_primary = user.primary_email_address_id.as_deref() == Some(id);
            user.email_addresses.retain(|e| e.id != id);
            if was_primary {
                user.primary_email_address_id =
                    next_primary(user.email_addresses.iter().map(|e| (&e.id, e.verification)));
            }
            Removed {
                kind,
                was_primary,
                was_verified,
            }
        }
        ContactKind::Phone => {
            let p = phone(user, id)?;
            let was_verified = p.verification.is_verified();
            let was_default = p.default_second_factor;
            let was_primary = user.primary_phone_number_id.as_deref() == Some(id);
            user.phone_numbers.retain(|p| p.id != id);
            if was_primary {
                user.primary_phone_number_id =
                    next_primary(user.phone_numbers.iter().map(|p| (&p.id, p.verification)));
            }
            if was_default {
                pass_on_default_second_factor(user);
            }
            Removed {
                kind,
                was_primary,
                was_verified,
            }
        }
    };
    user.updated_at = now;
    Ok(removed)
}

fn next_primary<'a>(
    candidates: impl Iterator<Item = (&'a IdentificationId, Verification)> + Clone,
) -> Option<IdentificationId> {
    candidates
        .clone()
        .find(|(_, v)| v.is_verified())
        .or_else(|| candidates.clone().next())
        .map(|(id, _)| id.clone())
}

/// Starts (or restarts) the verification of an unverified identifier with a code: the code to
/// send, or `None` for a test identifier on a development instance (the code is 424242 and
/// nothing is sent).
pub fn prepare(
    user: &mut User,
    kind: ContactKind,
    id: &str,
    environment: Environment,
    now: Millis,
) -> CoreResult<Option<String>> {
    let (value, verification, pending, strategy) = match kind {
        ContactKind::Email => {
            let e = email_mut(user, id)?;
            (
                e.email_address.clone(),
                e.verification,
                &mut e.pending,
                Strategy::EmailCode,
            )
        }
        ContactKind::Phone => {
            let p = phone_mut(user, id)?;
            (
                p.phone_number.clone(),
                p.verification,
                &mut p.pending,
                Strategy::PhoneCode,
            )
        }
    };
    if verification.is_verified() {
        return Err(CoreError::VerificationAlreadyVerified);
    }
    let (v, code) = FactorVerification::issue_code(strategy, &value, Some(id), environment, now);
    *pending = Some(v);
    Ok(code)
}

/// Checks a code against the pending verification. The outcome is kept whatever it is (the
/// attempts counted), so the caller stores the user on failure too; on success the identifier
/// is verified.
pub fn attempt(
    user: &mut User,
    kind: ContactKind,
    id: &str,
    code: &str,
    now: Millis,
) -> CoreResult<()> {
    let (verification, pending, updated_at, verified_as) = match kind {
        ContactKind::Email => {
            let e = email_mut(user, id)?;
            (
                &mut e.verification,
                &mut e.pending,
                &mut e.updated_at,
                Verification::EmailCode,
            )
        }
        ContactKind::Phone => {
            let p = phone_mut(user, id)?;
            (
                &mut p.verification,
                &mut p.pending,
                &mut p.updated_at,
                Verification::PhoneCode,
            )
        }
    };
    if verification.is_verified() {
        return Err(CoreError::VerificationAlreadyVerified);
    }
    let v = pending.as_mut().ok_or(CoreError::FlowInvalid {
        reason: "no verification was prepared for this identifier",
    })?;
    v.attempt_code(code, now)?;
    *verification = verified_as;
    *updated_at = now;
    user.updated_at = now;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::fixtures::user_with;

    fn bare_user() -> User {
        let mut u = user_with(&["x@y.co"], None);
        u.email_addresses.clear();
        u.primary_email_address_id = None;
        u.username = None;
        u
    }

    #[test]
    fn the_first_address_is_primary_and_duplicates_are_refused() {
        let mut u = bare_user();
        let a = add_email(&mut u, "a@b.co", Verification::Admin, false, 1).unwrap();
        assert_eq!(u.primary_email_address_id.as_ref(), Some(&a));
        let b = add_email(&mut u, "c@d.co", Verification::Unverified, false, 2).unwrap();
        assert_eq!(u.primary_email_address_id.as_ref(), Some(&a));
        assert_eq!(
            add_email(&mut u, " A@B.co", Verification::Admin, false, 3),
            Err(CoreError::IdentifierExists {
                param: "email_address"
            })
        );
        assert!(make_primary(&mut u, ContactKind::Email, &b, true, 4).is_err());
        make_primary(&mut u, ContactKind::Email, &b, false, 4).unwrap();
        assert_eq!(u.primary_email_address_id.as_ref(), Some(&b));
    }

    #[test]
    fn removing_the_primary_passes_it_on_and_the_last_identification_stays() {
        let mut u = bare_user();
        let a = add_email(&mut u, "a@b.co", Verification::Admin, false, 1).unwrap();
        let b = add_email(&mut u, "c@d.co", Verification::Unverified, false, 1).unwrap();
        let c = add_email(&mut u, "e@f.co", Verification::Admin, false, 1).unwrap();
        let r = remove(&mut u, &a, 2).unwrap();
        assert!(r.was_primary && r.was_verified);
        assert_eq!(u.primary_email_address_id.as_ref(), Some(&c));
        remove(&mut u, &c, 3).unwrap();
        assert_eq!(u.primary_email_address_id.as_ref(), Some(&b));
        assert_eq!(remove(&mut u, &b, 4), Err(CoreError::LastIdentification));
        u.username = Some("jo_user".into());
        remove(&mut u, &b, 4).unwrap();
        assert_eq!(u.primary_email_address_id, None);
    }

    #[test]
    fn a_code_verifies_a_number_and_wrong_ones_are_counted() {
        let mut u = user_with(&["a@b.co"], None);
        let p = add_phone(
            &mut u,
            "+14155550123",
            Verification::Unverified,
            false,
            false,
            1,
        )
        .unwrap();
        assert!(reserve_for_second_factor(&mut u, &p, true, 1).is_err());
        let code = prepare(&mut u, ContactKind::Phone, &p, Environment::Production, 1)
            .unwrap()
            .unwrap();
        let wrong = if code == "000000" { "111111" } else { "000000" };
        assert_eq!(
            attempt(&mut u, ContactKind::Phone, &p, wrong, 2),
            Err(CoreError::CodeIncorrect)
        );
        assert_eq!(u.phone_numbers[0].pending.as_ref().unwrap().attempts, 1);
        attempt(&mut u, ContactKind::Phone, &p, &code, 3).unwrap();
        assert_eq!(u.phone_numbers[0].verification, Verification::PhoneCode);
        reserve_for_second_factor(&mut u, &p, true, 4).unwrap();
        assert!(u.phone_numbers[0].default_second_factor);
    }

    #[test]
    fn test_numbers_take_424242_on_development_instances_only() {
        let mut u = user_with(&["a@b.co"], None);
        let p = add_phone(
            &mut u,
            "+12015550150",
            Verification::Unverified,
            false,
            false,
            1,
        )
        .unwrap();
        let sent = prepare(&mut u, ContactKind::Phone, &p, Environment::Development, 1).unwrap();
        assert_eq!(sent, None);
        attempt(&mut u, ContactKind::Phone, &p, "424242", 2).unwrap();
        let q = add_phone(
            &mut u,
            "+12015550151",
            Verification::Unverified,
            false,
            false,
            1,
        )
        .unwrap();
        let sent = prepare(&mut u, ContactKind::Phone, &q, Environment::Production, 1).unwrap();
        assert!(sent.is_some());
    }
}
