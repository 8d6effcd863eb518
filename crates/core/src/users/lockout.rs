//! Lockout: failed sign-in attempts lock an account for a while, and a banned or locked user
//! neither signs in nor gets session tokens.

use super::model::User;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::instance::InstanceSettings;

/// Seconds until a lock lifts, rounded up; `None` when not locked at `now`.
pub fn expires_in_seconds(locked_until: Option<Millis>, now: Millis) -> Option<i64> {
    match locked_until {
        Some(until) if until > now => Some((until - now + 999) / 1000),
        _ => None,
    }
}

/// The gate before a sign-in and before every token: a banned user, then a locked one, is
/// refused. Takes the two fields, for the token path reads them without the user.
pub fn ensure_not_barred(
    banned: bool,
    locked_until: Option<Millis>,
    now: Millis,
) -> CoreResult<()> {
    if banned {
        return Err(CoreError::UserBanned);
    }
    if let Some(secs) = expires_in_seconds(locked_until, now) {
        return Err(CoreError::UserLocked {
            expires_in_seconds: Some(secs),
        });
    }
    Ok(())
}

/// Counts a failed password or code. The attempt that reaches the instance's limit, and every
/// one after it, locks the account for the lockout duration from now.
pub fn record_failure(user: &mut User, settings: &InstanceSettings, now: Millis) {
    user.failed_verification_attempts += 1;
    if user.failed_verification_attempts >= settings.max_verification_attempts {
        user.locked_until = Some(now + settings.lockout_duration_secs * 1000);
    }
    user.updated_at = now;
}

/// An operator's lock (for the lockout duration) or unlock; unlocking also forgets the
/// failures counted so far.
pub fn set_locked(user: &mut User, locked: bool, settings: &InstanceSettings, now: Millis) {
    user.locked_until = locked.then(|| now + settings.lockout_duration_secs * 1000);
    if !locked {
        user.failed_verification_attempts = 0;
    }
    user.updated_at = now;
}

/// The end of an indefinite lock: 9999-12-31T23:59:59Z, lifted only by an unlock.
pub const INDEFINITELY: Millis = 253_402_300_799_000;

/// The emergency lockout: locked until `until` (none: [`INDEFINITELY`]), which must be later
/// than `now`.
pub fn lock_until(user: &mut User, until: Option<Millis>, now: Millis) -> CoreResult<()> {
    let until = until.unwrap_or(INDEFINITELY);
    if until <= now {
        return Err(CoreError::value("until", "must be in the future"));
    }
    user.locked_until = Some(until);
    user.updated_at = now;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::users::fixtures::user;

    #[test]
    fn the_attempt_reaching_the_limit_locks_for_the_duration() {
        let settings = InstanceSettings {
            max_verification_attempts: 3,
            lockout_duration_secs: 60,
            ..InstanceSettings::default()
        };
        let mut u = user();
        record_failure(&mut u, &settings, 1_000);
        record_failure(&mut u, &settings, 2_000);
        assert_eq!((u.failed_verification_attempts, u.locked_until), (2, None));
        record_failure(&mut u, &settings, 3_000);
        assert_eq!(u.locked_until, Some(63_000));
        assert_eq!(u.updated_at, 3_000);
        // Further failures push the end of the lock.
        record_failure(&mut u, &settings, 10_000);
        assert_eq!(u.locked_until, Some(70_000));
        assert_eq!(expires_in_seconds(u.locked_until, 10_001), Some(60));
        assert_eq!(expires_in_seconds(u.locked_until, 70_000), None);
        set_locked(&mut u, false, &settings, 11_000);
        assert_eq!((u.failed_verification_attempts, u.locked_until), (0, None));
        set_locked(&mut u, true, &settings, 12_000);
        assert_eq!(u.locked_until, Some(72_000));
        lock_until(&mut u, None, 13_000).unwrap();
        assert_eq!(u.locked_until, Some(INDEFINITELY));
        lock_until(&mut u, Some(20_000), 13_000).unwrap();
        assert_eq!(u.locked_until, Some(20_000));
        assert!(lock_until(&mut u, Some(13_000), 13_000).is_err());
    }

    #[test]
    fn banned_comes_before_locked_and_a_lock_lifts_at_its_end() {
        assert_eq!(ensure_not_barred(false, None, 5), Ok(()));
        assert_eq!(
            ensure_not_barred(true, Some(10_000), 5),
            Err(CoreError::UserBanned)
        );
        assert_eq!(
            ensure_not_barred(false, Some(10_000), 0),
            Err(CoreError::UserLocked {
                expires_in_seconds: Some(10)
            })
        );
        assert_eq!(
            ensure_not_barred(false, Some(10_000), 9_001),
            Err(CoreError::UserLocked {
                expires_in_seconds: Some(1)
            })
        );
        assert_eq!(ensure_not_barred(false, Some(10_000), 10_000), Ok(()));
    }
}
