use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::sign_ins::SignIn;
use super::sign_ups::SignUp;
use crate::clock::Millis;
use crate::ids::{ClientId, SessionId, random_alphanumeric};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Client {
    pub id: ClientId,
    /// Optimistic-concurrency counter, as on users and sessions.
    #[serde(default)]
    pub version: i64,
    /// SHA-256 (hex) of the secret the browser holds: the `__client` cookie or the dev-browser
    /// token. Clients created by the Backend API have none.
    #[serde(default)]
    pub token_hash: Option<String>,
    /// Whether the browser identifies itself with a dev-browser token instead of a cookie.
    #[serde(default)]
    pub dev_browser: bool,
    #[serde(default)]
    pub sign_in: Option<SignIn>,
    #[serde(default)]
    pub sign_up: Option<SignUp>,
    #[serde(default)]
    pub last_active_session_id: Option<SessionId>,
    #[serde(default)]
    pub last_authentication_strategy: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl Client {
    /// A client keyed by `token` (None: reachable only through the Backend API).
    pub fn new(token: Option<&ClientToken>, now: Millis) -> Self {
        Self {
            id: ClientId::new(),
            version: 0,
            token_hash: token.map(ClientToken::hash),
            dev_browser: false,
            sign_in: None,
            sign_up: None,
            last_active_session_id: None,
            last_authentication_strategy: None,
            created_at: now,
            updated_at: now,
        }
    }
}

impl Client {
    /// Gives the browser a new secret when a sign-in or sign-up completes and at sign-out, so a
    /// secret planted in the browser (or read from it) before then names no client afterwards.
    /// A dev browser keeps its token: clerk-js would have to swap it mid-flight (a request
    /// still carrying the old one is answered `dev_browser_unauthenticated`, and clerk-js then
    /// starts a new, signed-out dev browser), and development instances hold it in a readable
    /// cookie and in URLs anyway. Clients of the Backend API have no secret. Whether it changed.
    pub fn rotate_secret(&mut self, token: &ClientToken) -> bool {
        if self.dev_browser || self.token_hash.is_none() {
            return false;
        }
        self.token_hash = Some(token.hash());
        true
    }
}

/// The secret a browser presents to find its client. Only its hash is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientToken(String);

impl std::fmt::Debug for ClientToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientToken(<redacted>)")
    }
}

impl ClientToken {
    pub fn generate() -> Self {
        Self(random_alphanumeric(48))
    }

    /// A token as a browser sent it; anything implausible is refused before a look-up.
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() >= 32 && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_alphanumeric()))
            .then(|| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stored_only_as_hashes_and_parsed_strictly() {
        let t = ClientToken::generate();
        let c = Client::new(Some(&t), 5);
        assert_ne!(c.token_hash.as_deref(), Some(t.as_str()));
        assert_eq!(c.token_hash, Some(t.hash()));
        assert_eq!(ClientToken::parse(t.as_str()), Some(t.clone()));
        assert!(ClientToken::parse("short").is_none());
        assert!(ClientToken::parse(&"x".repeat(33).replace('x', "%")).is_none());
        assert!(!format!("{t:?}").contains(t.as_str()));
    }

    #[test]
    fn rotation_replaces_a_browser_secret_but_not_a_dev_browser_token() {
        let (old, new) = (ClientToken::generate(), ClientToken::generate());
        let mut c = Client::new(Some(&old), 0);
        assert!(c.rotate_secret(&new));
        assert_eq!(c.token_hash, Some(new.hash()));
        let mut dev = Client::new(Some(&old), 0);
        dev.dev_browser = true;
        assert!(!dev.rotate_secret(&new));
        assert_eq!(dev.token_hash, Some(old.hash()));
        let mut backend = Client::new(None, 0);
        assert!(!backend.rotate_secret(&new));
        assert_eq!(backend.token_hash, None);
    }
}
