//! One trip to the provider and back. [`AuthRequest::start`] draws the `state` (the browser
//! carries it to the provider and back; only its SHA-256 is stored), the `nonce` the ID token
//! must echo, and the PKCE verifier whose S256 challenge goes with the authorization request.
//! The stored [`PendingAuth`] is bound to the browser's client, expires after
//! [`STATE_LIFETIME_MS`] and is taken (deleted) by the callback, so a state works once.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::random_alphanumeric;

/// How long the browser has to come back from the provider.
pub const STATE_LIFETIME_MS: Millis = 10 * 60 * 1000;

/// What the flow ends in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Intent {
    SignIn {
        sign_in_id: String,
    },
    SignUp {
        sign_up_id: String,
    },
    /// `POST /v1/me/external_accounts` (or `…/reauthorize`): connect an account to this
    /// signed-in user, as the external account `external_account_id` (reserved at the start,
    /// or the account being reauthorized).
    Connect {
        user_id: String,
        #[serde(default)]
        external_account_id: Option<String>,
    },
}

/// What the callback needs, stored under the state's digest until the browser comes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAuth {
    /// SHA-256 (hex) of the state; the row's key.
    pub state_digest: String,
    pub client_id: String,
    pub provider: String,
    pub intent: Intent,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Where the browser goes once the callback is done (clerk-js finishes there).
    pub redirect_url: String,
    pub action_complete_redirect_url: Option<String>,
    pub expires_at: Millis,
    pub created_at: Millis,
}

/// A new authorization request: the state the browser carries and what is stored.
pub struct AuthRequest {
    pub state: String,
    pub pending: PendingAuth,
}

pub fn state_digest(state: &str) -> String {
    hex::encode(Sha256::digest(state.as_bytes()))
}

/// RFC 7636 S256: BASE64URL(SHA-256(verifier)).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl AuthRequest {
    pub fn start(
        client_id: &str,
        provider: &str,
        intent: Intent,
        redirect_url: String,
        action_complete_redirect_url: Option<String>,
        now: Millis,
    ) -> Self {
        let state = random_alphanumeric(43);
        let pending = PendingAuth {
            state_digest: state_digest(&state),
            client_id: client_id.to_owned(),
            provider: provider.to_owned(),
            intent,
            nonce: random_alphanumeric(32),
            // 64 characters of [A-Za-z0-9]: within RFC 7636's 43–128 unreserved characters.
            pkce_verifier: random_alphanumeric(64),
            redirect_url,
            action_complete_redirect_url,
            expires_at: now + STATE_LIFETIME_MS,
            created_at: now,
        };
        Self { state, pending }
    }

    /// The provider's authorization URL for this request.
    pub fn authorization_url(
        &self,
        authorization_endpoint: &str,
        client_id: &str,
        callback_url: &str,
        scopes: &str,
        oidc: bool,
    ) -> CoreResult<String> {
        let mut u = url::Url::parse(authorization_endpoint)
            .map_err(|_| CoreError::value("authorization_endpoint", "not a URL"))?;
        {
            let mut q = u.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", client_id)
                .append_pair("redirect_uri", callback_url)
                .append_pair("scope", scopes)
                .append_pair("state", &self.state)
                .append_pair(
                    "code_challenge",
                    &pkce_challenge(&self.pending.pkce_verifier),
                )
                .append_pair("code_challenge_method", "S256");
            if oidc {
                q.append_pair("nonce", &self.pending.nonce);
            }
        }
        Ok(u.into())
    }
}

impl PendingAuth {
    /// The callback's checks on what it took by the state's digest: the same browser client,
    /// not expired. (Single use is the store's: the row is deleted as it is read.)
    pub fn check(&self, client_id: Option<&str>, now: Millis) -> CoreResult<()> {
        if now >= self.expires_at {
            return Err(CoreError::VerificationExpired);
        }
        let same =
            client_id.is_some_and(|c| bool::from(c.as_bytes().ct_eq(self.client_id.as_bytes())));
        if !same {
            return Err(CoreError::FlowInvalid {
                reason: "the sign-in was started in another browser",
            });
        }
        Ok(())
    }
}

/// The redirect rule lives in [`crate::redirects`]; this path is kept for its callers.
pub use crate::redirects::check_absolute as check_redirect_url;

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> AuthRequest {
        AuthRequest::start(
            "client_1",
            "custom_acme",
            Intent::SignIn {
                sign_in_id: "sia_1".into(),
            },
            "http://localhost:3000/cb".into(),
            None,
            1_000,
        )
    }

    #[test]
    fn pkce_s256_matches_rfc_7636() {
        // RFC 7636 appendix B.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn only_the_digest_of_the_state_is_kept() {
        let r = req();
        assert_ne!(r.pending.state_digest, r.state);
        assert_eq!(r.pending.state_digest, state_digest(&r.state));
        assert!(
            !serde_json::to_string(&r.pending)
                .unwrap()
                .contains(&r.state)
        );
        let other = req();
        assert_ne!(other.state, r.state);
        assert_ne!(other.pending.nonce, r.pending.nonce);
        assert_ne!(other.pending.pkce_verifier, r.pending.pkce_verifier);
    }

    #[test]
    fn the_authorization_url_carries_state_nonce_and_challenge() {
        let r = req();
        let u = r
            .authorization_url(
                "https://idp.example/auth?x=1",
                "cid",
                "https://u/cb",
                "openid email",
                true,
            )
            .unwrap();
        let u = url::Url::parse(&u).unwrap();
        let q: std::collections::HashMap<_, _> = u.query_pairs().into_owned().collect();
        assert_eq!(q["x"], "1");
        assert_eq!(q["state"], r.state);
        assert_eq!(q["nonce"], r.pending.nonce);
        assert_eq!(
            q["code_challenge"],
            pkce_challenge(&r.pending.pkce_verifier)
        );
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["redirect_uri"], "https://u/cb");
    }

    #[test]
    fn a_state_is_for_its_browser_and_expires() {
        let p = req().pending;
        assert!(p.check(Some("client_1"), 2_000).is_ok());
        assert!(p.check(Some("client_2"), 2_000).is_err());
        assert!(p.check(None, 2_000).is_err());
        assert_eq!(
            p.check(Some("client_1"), 1_000 + STATE_LIFETIME_MS),
            Err(CoreError::VerificationExpired)
        );
    }

    #[test]
    fn redirect_urls_must_be_on_an_allowed_origin() {
        let allowed = |o: &str| o == "http://localhost:3000";
        let check = |u: &str| check_redirect_url(u, "redirect_url", allowed);
        assert!(check("http://localhost:3000/sso-callback").is_ok());
        assert!(check("http://evil.example/x").is_err());
        assert!(check("javascript:alert(1)").is_err());
        assert!(check("/relative").is_err());
    }
}
