//! Verifying a user's own email address by link (`email_link`, from `<UserProfile/>`): the link
//! goes to the address and opening it verifies that address. Its token names the address
//! (where a sign-in's names the client) and the verification, with a secret kept only as its
//! salted hash: once, for ten minutes, a few wrong secrets spend it, as a sign-in's link.

use super::contacts::{email, email_mut};
use super::model::{User, Verification};
use crate::clients::email_links::{LinkToSend, LinkToken, named};
use crate::clients::factors::FactorVerification;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::prefix;

/// Whether `token` names one of a user's addresses (a profile's link) rather than a client.
pub fn names_address(token: &LinkToken) -> bool {
    token.client_id.starts_with(prefix::EMAIL)
}

/// Starts (or restarts) verifying the unverified address `id` by link: the link to email.
/// `redirect_url` (already checked) is where the browser that opens it goes.
pub fn prepare(
    user: &mut User,
    id: &str,
    redirect_url: String,
    now: Millis,
) -> CoreResult<LinkToSend> {
    let e = email_mut(user, id)?;
    if e.verification.is_verified() {
        return Err(CoreError::VerificationAlreadyVerified);
    }
    let (v, token) = FactorVerification::issue_link(Some(id), id, redirect_url, now);
    e.pending = Some(v);
    Ok(LinkToSend {
        token,
        email_address: e.email_address.clone(),
        email_address_id: id.to_owned(),
    })
}

/// The `redirect_url` of the link `token` names, if the user's address holds it.
pub fn redirect_url<'u>(user: &'u User, token: &LinkToken) -> Option<&'u str> {
    token.redirect_url(email(user, &token.client_id).ok()?.pending.as_ref())
}

/// Opens the link `token` from the client `opened_by` (if the browser has one): the address is
/// verified. A wrong secret counts as a try and an expired link is refused; the caller stores
/// the user either way, so what was spent stays spent.
pub fn open(
    user: &mut User,
    token: &LinkToken,
    opened_by: Option<&str>,
    now: Millis,
) -> CoreResult<()> {
    let e = email_mut(user, &token.client_id).map_err(|_| CoreError::VerificationFailed)?;
    if e.verification.is_verified() {
        return Err(CoreError::VerificationFailed);
    }
    let v = named(e.pending.as_mut(), token)?;
    v.attempt_link(token, now)?;
    v.verified_at_client = opened_by.map(str::to_owned);
    e.verification = Verification::EmailLink;
    e.updated_at = now;
    user.updated_at = now;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::email_links::LINK_LIFETIME_MS;
    use crate::clients::factors::VerificationStatus;
    use crate::users::fixtures::user_with;

    fn with_unverified() -> (User, String) {
        let mut u = user_with(&["a@b.co", "second@b.co"], None);
        u.email_addresses[1].verification = Verification::Unverified;
        let id = u.email_addresses[1].id.to_string();
        (u, id)
    }

    fn secret_swapped(token: &LinkToken) -> LinkToken {
        let param = token.as_param();
        let (head, _) = param.rsplit_once('.').unwrap();
        LinkToken::parse(&format!("{head}.{}", "x".repeat(32))).unwrap()
    }

    #[test]
    fn a_link_verifies_its_address_once() {
        let (mut u, id) = with_unverified();
        let sent = prepare(&mut u, &id, "https://app.test/verify".into(), 10).unwrap();
        assert!(names_address(&sent.token));
        assert_eq!(sent.email_address, "second@b.co");
        assert_eq!(
            redirect_url(&u, &sent.token),
            Some("https://app.test/verify")
        );
        open(&mut u, &sent.token, Some("client_1"), 20).unwrap();
        let e = &u.email_addresses[1];
        assert_eq!(e.verification, Verification::EmailLink);
        let v = e.pending.as_ref().unwrap();
        assert_eq!(v.status, VerificationStatus::Verified);
        assert_eq!(v.verified_at_client.as_deref(), Some("client_1"));
        assert!(open(&mut u, &sent.token, None, 21).is_err());
        assert_eq!(
            prepare(&mut u, &id, "https://app.test".into(), 30),
            Err(CoreError::VerificationAlreadyVerified)
        );
    }

    #[test]
    fn wrong_secrets_and_expiry_are_refused() {
        let (mut u, id) = with_unverified();
        let sent = prepare(&mut u, &id, "https://app.test".into(), 0).unwrap();
        assert!(open(&mut u, &secret_swapped(&sent.token), None, 1).is_err());
        assert_eq!(u.email_addresses[1].pending.as_ref().unwrap().attempts, 1);
        assert_eq!(
            open(&mut u, &sent.token, None, LINK_LIFETIME_MS),
            Err(CoreError::VerificationExpired)
        );
        assert_eq!(u.email_addresses[1].verification, Verification::Unverified);
        // A newer link replaces the older one.
        let old = prepare(&mut u, &id, "https://app.test".into(), 0).unwrap();
        let new = prepare(&mut u, &id, "https://app.test".into(), 1).unwrap();
        assert!(open(&mut u, &old.token, None, 2).is_err());
        open(&mut u, &new.token, None, 2).unwrap();
    }
}
