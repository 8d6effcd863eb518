//! The one password check every sign-in path uses (Frontend API, hosted pages, the Backend
//! API's `verify_password`, a password change): verify against the stored digest and, when a
//! correct password is stored in an outdated form (an imported bcrypt digest, older Argon2
//! parameters), hash it again with Argon2id for the caller to store with its own write.

use super::MAX_PASSWORD_BYTES;
use super::digests::needs_upgrade;
use super::hasher_pool::HasherPool;
use crate::clock::Millis;
use crate::error::CoreResult;
use crate::users::User;
use crate::users::model::PasswordDigest;

/// What a password check found.
#[derive(Debug, Clone, PartialEq)]
pub struct PasswordCheck {
    pub correct: bool,
    /// The digest that was checked.
    checked: PasswordDigest,
    /// The password hashed afresh, when it was correct and `checked` is outdated.
    upgraded: Option<PasswordDigest>,
}

impl PasswordCheck {
    /// A check whose hashing the caller did (`upgraded`: the correct password hashed afresh).
    pub fn new(correct: bool, checked: PasswordDigest, upgraded: Option<PasswordDigest>) -> Self {
        Self {
            correct,
            checked,
            upgraded: upgraded.filter(|_| correct),
        }
    }

    /// Stores the upgraded digest on `user` (as read now) if it still holds the digest that was
    /// checked: a password changed meanwhile wins. Whether `user` changed.
    pub fn apply_upgrade(&self, user: &mut User, now: Millis) -> bool {
        match &self.upgraded {
            Some(new) if user.password.as_ref() == Some(&self.checked) => {
                user.password = Some(new.clone());
                user.updated_at = now;
                true
            }
            _ => false,
        }
    }

    pub fn upgrades(&self) -> bool {
        self.upgraded.is_some()
    }
}

/// Checks `password` against `digest` on the hasher pool, and rehashes a correct password whose
/// digest is outdated.
pub async fn check(
    hasher: &HasherPool,
    digest: &PasswordDigest,
    password: &str,
) -> CoreResult<PasswordCheck> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Ok(PasswordCheck::new(false, digest.clone(), None));
    }
    let correct = hasher.verify(password.to_owned(), digest.clone()).await?;
    let upgraded = if correct && needs_upgrade(digest) {
        Some(hasher.hash(password.to_owned()).await?)
    } else {
        None
    };
    Ok(PasswordCheck::new(correct, digest.clone(), upgraded))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(digest: &str) -> User {
        crate::users::fixtures::user_with(&["a@b.co"], Some(digest))
    }

    #[test]
    fn an_upgrade_replaces_only_the_digest_that_was_checked() {
        let old = PasswordDigest("$2b$10$old".into());
        let new = PasswordDigest("$argon2id$new".into());
        let check = PasswordCheck::new(true, old.clone(), Some(new.clone()));
        assert!(check.upgrades());
        let mut u = user("$2b$10$old");
        assert!(check.apply_upgrade(&mut u, 7));
        assert_eq!(u.password, Some(new));
        assert_eq!(u.updated_at, 7);
        // Changed meanwhile: the newer password stays.
        let mut changed = user("$argon2id$changed");
        assert!(!check.apply_upgrade(&mut changed, 7));
        assert_eq!(
            changed.password,
            Some(PasswordDigest("$argon2id$changed".into()))
        );
        // A wrong password never upgrades.
        let wrong = PasswordCheck::new(false, old, Some(PasswordDigest("$argon2id$x".into())));
        assert!(!wrong.upgrades());
        assert!(!wrong.apply_upgrade(&mut user("$2b$10$old"), 7));
    }
}
