//! Email links (`email_link`): a sign-in's first factor, or a sign-up's email address, proven by
//! opening a link emailed to the address. The link carries a token naming the client and the verification,
//! and a random secret stored only as its salted hash in the verification; it works once, for
//! ten minutes, and a few wrong secrets spend it. Whoever opens it, the sign-in completes on the
//! client that asked for it, where the original tab finds it by polling.

use super::factors::{FactorVerification, VerificationStatus};
use super::sign_ins::{SignIn, SignInStatus, factor_email};
use super::sign_ups::SignUp;
use super::strategy::Strategy;
use super::supported::SupportedFactor;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{new_id, prefix, random_alphanumeric};
use crate::users::User;
use crate::verifications::{CODE_LIFETIME_MS, hash_code};

/// How long a link works (Clerk's: ten minutes, as a code).
pub const LINK_LIFETIME_MS: Millis = CODE_LIFETIME_MS;

const SECRET_LEN: usize = 32;
const MAX_PART_LEN: usize = 64;

/// What an email link's token names: the client holding the attempt, its verification, and
/// the secret proving the link was read from the email.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkToken {
    pub client_id: String,
    pub verification_id: String,
    secret: String,
}

impl std::fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkToken")
            .field("client_id", &self.client_id)
            .field("verification_id", &self.verification_id)
            .finish_non_exhaustive()
    }
}

impl LinkToken {
    /// Whether `v` is the email-link verification this token names.
    pub(crate) fn names(&self, v: &FactorVerification) -> bool {
        v.strategy == Strategy::EmailLink && v.id == self.verification_id
    }

    /// The `redirect_url` of `v`, if it is the verification this token names.
    pub(crate) fn redirect_url<'v>(&self, v: Option<&'v FactorVerification>) -> Option<&'v str> {
        v.filter(|v| self.names(v))
            .and_then(|v| v.redirect_url.as_deref())
    }

    /// The token as the link carries it (`?token=`): URL-safe as it is.
    pub fn as_param(&self) -> String {
        format!(
            "{}.{}.{}",
            self.client_id, self.verification_id, self.secret
        )
    }

    /// A token as a link brought it; anything implausible is refused before a look-up.
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.split('.');
        let (client_id, verification_id, secret) = (parts.next()?, parts.next()?, parts.next()?);
        let plausible = |p: &str| {
            !p.is_empty()
                && p.len() <= MAX_PART_LEN
                && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        };
        (parts.next().is_none()
            && plausible(client_id)
            && plausible(verification_id)
            && plausible(secret))
        .then(|| Self {
            client_id: client_id.to_owned(),
            verification_id: verification_id.to_owned(),
            secret: secret.to_owned(),
        })
    }
}

/// What to email after preparing an email link.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkToSend {
    pub token: LinkToken,
    pub email_address: String,
    pub email_address_id: String,
}

/// How opening a link ended, as `__clerk_status` tells the page it lands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOutcome {
    Verified,
    Expired,
    Failed,
    /// The instance requires the link be opened on the browser that asked for it.
    ClientMismatch,
}

impl LinkOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkOutcome::Verified => "verified",
            LinkOutcome::Expired => "expired",
            LinkOutcome::Failed => "failed",
            LinkOutcome::ClientMismatch => "client_mismatch",
        }
    }

    /// The outcome of a refused link.
    pub fn of_error(e: &CoreError) -> Self {
        match e {
            CoreError::VerificationExpired => LinkOutcome::Expired,
            _ => LinkOutcome::Failed,
        }
    }
}

impl FactorVerification {
    /// A new email link to `email_address_id`, for the attempt on `client_id`, sending whoever
    /// opens it to `redirect_url` (already checked).
    pub fn issue_link(
        email_address_id: Option<&str>,
        client_id: &str,
        redirect_url: String,
        now: Millis,
    ) -> (Self, LinkToken) {
        let id = new_id(prefix::VERIFICATION);
        let secret = random_alphanumeric(SECRET_LEN);
        let mut v = Self::checked(Strategy::EmailLink, false);
        v.attempts = 0;
        v.code_hash = Some(hash_code(&id, &secret));
        v.expire_at = Some(now + LINK_LIFETIME_MS);
        v.email_address_id = email_address_id.map(str::to_owned);
        v.redirect_url = Some(redirect_url);
        v.id = id.clone();
        let token = LinkToken {
            client_id: client_id.to_owned(),
            verification_id: id,
            secret,
        };
        (v, token)
    }

    /// Checks a link's secret, as a code: once, before it expires, a few wrong tries.
    pub(crate) fn attempt_link(&mut self, token: &LinkToken, now: Millis) -> CoreResult<()> {
        self.attempt_secret(&token.secret, SECRET_LEN, now)
    }
}

impl SignIn {
    /// Starts an `email_link` first factor: a new link to one of the user's addresses (the one
    /// named, else the primary).
    pub fn prepare_email_link(
        &mut self,
        user: &User,
        email_address_id: Option<&str>,
        client_id: &str,
        redirect_url: String,
        now: Millis,
    ) -> CoreResult<LinkToSend> {
        self.expect(SignInStatus::NeedsFirstFactor)?;
        let email = factor_email(user, email_address_id)?;
        let (v, token) =
            FactorVerification::issue_link(Some(&email.id), client_id, redirect_url, now);
        self.first_factor = Some(v);
        self.updated_at = now;
        Ok(LinkToSend {
            token,
            email_address: email.email_address.clone(),
            email_address_id: email.id.to_string(),
        })
    }

    /// The `redirect_url` of the email link `token` names, if this sign-in prepared it.
    pub fn link_redirect_url(&self, token: &LinkToken) -> Option<&str> {
        token.redirect_url(self.first_factor.as_ref())
    }

    /// Opens the email link `token` from the client `opened_by` (if the browser has one): the
    /// first factor is verified, and the sign-in moves on as after any first factor.
    pub fn open_email_link(
        &mut self,
        user: &User,
        token: &LinkToken,
        opened_by: Option<&str>,
        now: Millis,
    ) -> CoreResult<()> {
        let v = named(self.first_factor.as_mut(), token)?;
        self.updated_at = now;
        v.attempt_link(token, now)?;
        v.verified_at_client = opened_by.map(str::to_owned);
        if self.status != SignInStatus::NeedsFirstFactor {
            return Err(CoreError::VerificationFailed);
        }
        if user.password_compromised {
            // As after an emailed code: a new password before any session.
            self.status = SignInStatus::NeedsNewPassword;
        } else {
            self.after_first_factor(user);
        }
        Ok(())
    }
}

/// The email link `token` names in `v`, if it is that verification.
pub(crate) fn named<'v>(
    v: Option<&'v mut FactorVerification>,
    token: &LinkToken,
) -> CoreResult<&'v mut FactorVerification> {
    let v = v
        .filter(|v| token.names(v))
        .ok_or(CoreError::VerificationFailed)?;
    if v.status == VerificationStatus::Verified {
        // Spent: its attempt went on when it was first opened.
        return Err(CoreError::VerificationFailed);
    }
    Ok(v)
}

impl SignUp {
    /// Starts verifying the sign-up's email address by link. `owner_known`: enumeration
    /// protection is on and the address has an account; the sign-up goes on alike, but no link
    /// is sent (the owner is told instead, as for a code).
    pub fn prepare_email_link(
        &mut self,
        owner_known: bool,
        client_id: &str,
        redirect_url: String,
        now: Millis,
    ) -> CoreResult<Option<LinkToSend>> {
        let email = self.email_to_verify()?;
        self.email_taken = owner_known;
        let (v, token) = FactorVerification::issue_link(None, client_id, redirect_url, now);
        self.email_verification = Some(v);
        self.updated_at = now;
        Ok((!owner_known).then(|| LinkToSend {
            token,
            email_address: email,
            email_address_id: String::new(),
        }))
    }

    /// The `redirect_url` of the email link `token` names, if this sign-up prepared it.
    pub fn link_redirect_url(&self, token: &LinkToken) -> Option<&str> {
        token.redirect_url(self.email_verification.as_ref())
    }

    /// Opens the email link `token` from the client `opened_by`: the address is verified.
    pub fn open_email_link(
        &mut self,
        token: &LinkToken,
        opened_by: Option<&str>,
        now: Millis,
    ) -> CoreResult<()> {
        let taken = self.email_taken;
        let v = named(self.email_verification.as_mut(), token)?;
        self.updated_at = now;
        if taken {
            // No link was sent, so none is right.
            return Err(CoreError::VerificationFailed);
        }
        v.attempt_link(token, now)?;
        v.verified_at_client = opened_by.map(str::to_owned);
        Ok(())
    }
}

/// Adds an `email_link` factor beside each emailed code of `factors` (a sign-in's
/// `supported_first_factors`, a decoy's alike) when the instance offers email links.
pub fn offer_email_links(factors: &mut Vec<SupportedFactor>) {
    let links: Vec<SupportedFactor> = factors
        .iter()
        .filter(|f| f.strategy == Strategy::EmailCode)
        .map(|f| SupportedFactor {
            strategy: Strategy::EmailLink,
            ..f.clone()
        })
        .collect();
    let after = factors
        .iter()
        .rposition(|f| f.strategy == Strategy::EmailCode)
        .map_or(factors.len(), |i| i + 1);
    factors.splice(after..after, links);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::fixtures::user_with_password as user;

    #[test]
    fn a_token_round_trips_and_implausible_ones_are_refused() {
        let (v, t) =
            FactorVerification::issue_link(Some("idn_1"), "client_1", "http://x/".into(), 0);
        assert_eq!(LinkToken::parse(&t.as_param()), Some(t.clone()));
        assert_ne!(v.code_hash.as_deref(), Some(t.secret.as_str()));
        assert!(!format!("{t:?}").contains(&t.secret));
        for bad in ["", "abc", "a.b", "a.b.c.d", "a..c", "a.b.c%"] {
            assert!(LinkToken::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn a_link_signs_in_once_and_not_after_expiry() {
        let u = user();
        let mut s = SignIn::start(Some("a@b.co".into()), Some(&u), 0);
        let sent = s
            .prepare_email_link(&u, None, "client_1", "http://x/".into(), 0)
            .unwrap();
        assert_eq!(sent.email_address, "a@b.co");
        assert_eq!(s.link_redirect_url(&sent.token), Some("http://x/"));
        let mut forged = sent.token.clone();
        forged.secret = "x".repeat(SECRET_LEN);
        assert_eq!(
            s.open_email_link(&u, &forged, None, 1),
            Err(CoreError::CodeIncorrect)
        );
        s.open_email_link(&u, &sent.token, Some("client_2"), 2)
            .unwrap();
        assert_eq!(s.status, SignInStatus::Complete);
        let v = s.first_factor.as_ref().unwrap();
        assert_eq!(v.verified_at_client.as_deref(), Some("client_2"));
        assert_eq!(s.strategy_used(), Some(&Strategy::EmailLink));
        assert_eq!(
            s.open_email_link(&u, &sent.token, None, 3),
            Err(CoreError::VerificationFailed)
        );

        let mut late = SignIn::start(None, Some(&u), 0);
        let sent = late
            .prepare_email_link(&u, None, "client_1", "http://x/".into(), 0)
            .unwrap();
        assert_eq!(
            late.open_email_link(&u, &sent.token, None, LINK_LIFETIME_MS),
            Err(CoreError::VerificationExpired)
        );
        assert_eq!(late.status, SignInStatus::NeedsFirstFactor);
    }

    #[test]
    fn a_sign_up_address_is_verified_by_its_link_once_and_a_taken_one_never() {
        let mut su = SignUp::start(0);
        su.email_address = Some("new@b.co".into());
        let sent = su
            .prepare_email_link(false, "client_1", "http://x/".into(), 0)
            .unwrap()
            .unwrap();
        assert_eq!(su.unverified_fields(), ["email_address"]);
        assert_eq!(su.link_redirect_url(&sent.token), Some("http://x/"));
        su.open_email_link(&sent.token, None, 1).unwrap();
        assert!(su.unverified_fields().is_empty());
        assert_eq!(
            su.open_email_link(&sent.token, None, 2),
            Err(CoreError::VerificationFailed)
        );
        let mut taken = SignUp::start(0);
        taken.email_address = Some("owner@b.co".into());
        assert_eq!(
            taken.prepare_email_link(true, "client_1", "http://x/".into(), 0),
            Ok(None)
        );
        let token = LinkToken::parse(&format!(
            "client_1.{}.{}",
            taken.email_verification.as_ref().unwrap().id,
            "x".repeat(SECRET_LEN)
        ))
        .unwrap();
        assert_eq!(
            taken.open_email_link(&token, None, 1),
            Err(CoreError::VerificationFailed)
        );
        assert_eq!(taken.unverified_fields(), ["email_address"]);
    }

    #[test]
    fn links_are_offered_beside_the_codes() {
        let u = crate::users::fixtures::user_with(&["a@b.co", "c@d.co"], Some("$argon2id$x"));
        let mut f = super::super::supported::first_factors(&u);
        offer_email_links(&mut f);
        let names: Vec<String> = f.iter().map(|f| f.strategy.to_string()).collect();
        assert_eq!(
            names,
            [
                "password",
                "email_code",
                "email_code",
                "email_link",
                "email_link",
                "reset_password_email_code",
                "reset_password_email_code"
            ]
        );
        assert_eq!(f[3].email_address_id, f[1].email_address_id);
    }
}
