//! Dashboard operators: the people who run the instance from `/dashboard` (not its users). An
//! operator signs in with an email address, a password (an Argon2id digest) and a TOTP code (the
//! secret sealed under an instance key); a signed-in browser holds a random token whose SHA-256
//! names its [`OperatorSession`]. What each [`Role`] may do is decided here.

use aws_lc_rs::digest;
use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{OperatorId, OperatorSessionId, random_alphanumeric};
use crate::users::model::PasswordDigest;
use crate::users::query::Page;

/// A signed-in session ends after this long without a request…
pub const IDLE_TIMEOUT_MS: Millis = 30 * 60 * 1000;
/// …and this long after sign-in, whatever happens.
pub const ABSOLUTE_LIFETIME_MS: Millis = 12 * 60 * 60 * 1000;
/// Between a correct password and its TOTP code.
pub const PENDING_LIFETIME_MS: Millis = 5 * 60 * 1000;
/// Failed sign-in steps (password or code) one email address may make per window…
pub const MAX_FAILURES: u64 = 5;
/// …after which it is locked out until the window ends.
pub const LOCKOUT_WINDOW_MS: Millis = 15 * 60 * 1000;
/// Failed sign-in steps one client address may make per window, whatever email addresses it
/// tries, before every sign-in from it is refused until the window ends.
pub const MAX_ADDRESS_FAILURES: u64 = 20;
/// Characters in a generated one-time password.
pub const GENERATED_PASSWORD_CHARS: usize = 24;
/// Shortest password an operator may choose.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// What an operator may do: `admin` everything, `support` read everything and sign users out
/// or unlock them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Support,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Support => "support",
        }
    }

    pub fn parse(s: &str) -> CoreResult<Self> {
        match s {
            "admin" => Ok(Role::Admin),
            "support" => Ok(Role::Support),
            _ => Err(CoreError::ParamValueInvalid {
                param: "role".into(),
                reason: "must be admin or support".into(),
            }),
        }
    }

    pub fn may(self, action: Action) -> bool {
        match self {
            Role::Admin => true,
            Role::Support => matches!(action, Action::SignOut | Action::Unlock),
        }
    }
}

/// The writes the dashboard offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Ban,
    Unban,
    Lock,
    Unlock,
    /// One session or all of the user's.
    SignOut,
    /// A change to the instance itself: webhook endpoints, keys, settings, JWT templates.
    Configure,
    /// Metadata, the password-compromised mark, resetting MFA.
    Edit,
    Create,
    Delete,
    /// An actor token impersonating the user.
    Impersonate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operator {
    pub id: OperatorId,
    /// Lower-cased.
    pub email: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: Millis,
}

impl Operator {
    /// How the audit log names what this operator did.
    pub fn actor(&self) -> String {
        format!("operator:{}", self.email)
    }
}

/// An operator with what proves it is them: as stored, never shown.
#[derive(Clone, PartialEq)]
pub struct OperatorCredentials {
    pub operator: Operator,
    pub password_digest: PasswordDigest,
    /// The TOTP secret sealed under the instance's key, the operator id as associated data.
    pub totp_sealed: String,
    pub last_totp_step: Option<i64>,
}

impl std::fmt::Debug for OperatorCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorCredentials")
            .field("operator", &self.operator)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct OperatorSession {
    pub id: OperatorSessionId,
    pub operator_id: OperatorId,
    /// Hex SHA-256 of the browser's token.
    pub token_digest: String,
    /// The TOTP code was accepted: the session may use the dashboard.
    pub verified: bool,
    pub created_at: Millis,
    pub last_seen: Millis,
    pub expires_at: Millis,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl OperatorSession {
    /// A session after a correct password, waiting for its TOTP code.
    pub fn pending(
        operator_id: OperatorId,
        token: &str,
        now: Millis,
        ip: Option<String>,
        user_agent: Option<String>,
    ) -> Self {
        Self {
            id: OperatorSessionId::new(),
            operator_id,
            token_digest: token_digest(token),
            verified: false,
            created_at: now,
            last_seen: now,
            expires_at: now + PENDING_LIFETIME_MS,
            ip,
            user_agent,
        }
    }

    /// Whether the session still stands at `now` (idle timeout and absolute lifetime).
    pub fn live(&self, now: Millis) -> bool {
        now < self.expires_at && (!self.verified || now < self.last_seen + IDLE_TIMEOUT_MS)
    }
}

/// A new browser token: 43 random base62 characters (about 256 bits).
pub fn new_token() -> String {
    random_alphanumeric(43)
}

/// A generated one-time password.
pub fn generate_password() -> String {
    random_alphanumeric(GENERATED_PASSWORD_CHARS)
}

/// How a token is stored and looked up: hex SHA-256 (the token is random, so no stretching).
pub fn token_digest(token: &str) -> String {
    hex::encode(digest::digest(&digest::SHA256, token.as_bytes()).as_ref())
}

/// An operator's email address as stored and compared: trimmed and lower-cased.
pub fn normalize_email(raw: &str) -> CoreResult<String> {
    let email = raw.trim().to_lowercase();
    let ok = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(email)
    } else {
        Err(CoreError::ParamFormatInvalid {
            param: "email".into(),
            reason: "must be an email address".into(),
        })
    }
}

/// An operator's chosen password: long enough, not absurdly long.
pub fn check_password(password: &str) -> CoreResult<()> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(CoreError::PasswordTooShort {
            min: MIN_PASSWORD_CHARS,
        });
    }
    if password.len() > 256 {
        return Err(CoreError::PasswordTooLong { max: 256 });
    }
    Ok(())
}

/// What the audit log page asks for: entries newest first, each filter an exact match.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target_id: Option<String>,
    pub page: Page,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles() {
        assert!(Role::Admin.may(Action::Ban));
        assert!(!Role::Support.may(Action::Ban));
        assert!(!Role::Support.may(Action::Unban));
        assert!(!Role::Support.may(Action::Lock));
        assert!(Role::Support.may(Action::Unlock));
        assert!(Role::Support.may(Action::SignOut));
        for admin_only in [
            Action::Edit,
            Action::Create,
            Action::Delete,
            Action::Impersonate,
        ] {
            assert!(Role::Admin.may(admin_only));
            assert!(!Role::Support.may(admin_only));
        }
        assert_eq!(Role::parse("support").ok(), Some(Role::Support));
        assert!(Role::parse("root").is_err());
    }

    #[test]
    fn sessions_end_when_idle_or_old() {
        let mut s = OperatorSession::pending(OperatorId::new(), "t", 1_000, None, None);
        assert!(s.live(1_000 + PENDING_LIFETIME_MS - 1));
        assert!(!s.live(1_000 + PENDING_LIFETIME_MS));
        s.verified = true;
        s.expires_at = 1_000 + ABSOLUTE_LIFETIME_MS;
        assert!(s.live(1_000 + IDLE_TIMEOUT_MS - 1));
        assert!(!s.live(1_000 + IDLE_TIMEOUT_MS));
        s.last_seen = 1_000 + ABSOLUTE_LIFETIME_MS - 10;
        assert!(!s.live(1_000 + ABSOLUTE_LIFETIME_MS));
    }

    #[test]
    fn emails() {
        assert_eq!(
            normalize_email(" Ops@Example.COM ").ok().as_deref(),
            Some("ops@example.com")
        );
        assert!(normalize_email("nobody").is_err());
        assert!(normalize_email("a b@x.y").is_err());
    }
}
