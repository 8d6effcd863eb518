//! Starting and ending sessions.

use super::model::{Session, SessionStatus};
use crate::clients::{Client, ClientToken, Strategy};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{ClientId, SessionId};
use crate::instance::{Environment, Instance};
use crate::users::{User, lockout};

/// `POST /v1/sessions`: a session created by the backend for testing flows. Clerk refuses it on
/// production instances, and so do we.
pub fn start_backend_session(
    instance: &Instance,
    user: &User,
    active_org: Option<crate::ids::OrganizationId>,
    now: Millis,
) -> CoreResult<(Client, Session)> {
    if instance.environment == Environment::Production {
        return Err(CoreError::ProductionForbidden {
            what: "creating sessions through the Backend API",
        });
    }
    ensure_can_sign_in(user, now)?;
    let client = Client::new(None, now);
    let session = new_session(instance, &client.id, user, active_org, now);
    Ok((client, session))
}

pub fn new_session(
    instance: &Instance,
    client_id: &ClientId,
    user: &User,
    active_org: Option<crate::ids::OrganizationId>,
    now: Millis,
) -> Session {
    Session {
        id: SessionId::new(),
        version: 0,
        client_id: client_id.clone(),
        user_id: user.id.clone(),
        status: super::tasks::starting_status(&instance.settings, active_org.as_ref()),
        last_active_organization_id: active_org,
        actor: None,
        last_active_at: now,
        expire_at: now + instance.settings.session_max_lifetime_ms,
        abandon_at: now + instance.settings.session_inactivity_ms,
        first_factor_verified_at: now,
        second_factor_verified_at: None,
        user_agent: None,
        ip_address: None,
        created_at: now,
        updated_at: now,
    }
}

/// What a completed sign-in (or a sign-up's first sign-in) records on the user: the time, and
/// a failed-attempt count that starts over.
pub fn record_sign_in(user: &mut User, now: Millis) {
    user.last_sign_in_at = Some(now);
    user.last_active_at = Some(now);
    user.failed_verification_attempts = 0;
    user.updated_at = now;
}

/// How a browser's sign-in was made, for its session and its client.
#[derive(Debug, Clone, Default)]
pub struct SignInMade<'a> {
    /// The first factor, as the client's `last_authentication_strategy`.
    pub strategy: Option<&'a Strategy>,
    /// A second factor was verified too (the session's `fva`).
    pub second_factor: bool,
    /// Shown in the user's list of devices.
    pub user_agent: Option<String>,
    pub ip_address: Option<String>,
}

/// A browser's sign-in or sign-up completes: a new session on `client`, which becomes its last
/// active one and takes `new_token` as its secret (no token from before the sign-in opens it);
/// the user records the sign-in.
pub fn start_browser_session(
    instance: &Instance,
    client: &mut Client,
    user: &mut User,
    new_token: &ClientToken,
    made: SignInMade<'_>,
    now: Millis,
) -> Session {
    let mut session = new_session(instance, &client.id, user, None, now);
    session.user_agent = made.user_agent;
    session.ip_address = made.ip_address;
    if made.second_factor {
        session.second_factor_verified_at = Some(now);
    }
    record_sign_in(user, now);
    client.last_active_session_id = Some(session.id.clone());
    client.rotate_secret(new_token);
    client.last_authentication_strategy = made.strategy.map(|s| s.to_string());
    client.updated_at = now;
    session
}

pub fn ensure_can_sign_in(user: &User, now: Millis) -> CoreResult<()> {
    lockout::ensure_not_barred(user.banned, user.locked_until, now)
}

/// Records a use of the session: an inactive session ends `session_inactivity_ms` after its
/// last use. Returns whether anything changed enough to be worth writing (uses are recorded at
/// most once per `granularity_ms`, so the token hot path rarely writes).
pub fn record_activity(
    session: &mut Session,
    inactivity_ms: Millis,
    granularity_ms: Millis,
    now: Millis,
) -> bool {
    if now - session.last_active_at < granularity_ms {
        return false;
    }
    session.last_active_at = now;
    session.abandon_at = now + inactivity_ms;
    session.updated_at = now;
    true
}

/// How a session ends; each maps to its status and its Clerk event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The backend revoked it (`POST /v1/sessions/{id}/revoke`, or the user was banned).
    Revoked,
    /// The user signed out.
    Ended,
    /// The user or its client was removed.
    Removed,
}

/// Ends a live session. Returns `false` (and changes nothing) when it had already ended.
pub fn end(session: &mut Session, how: Ending, now: Millis) -> bool {
    if !session.status_at(now).is_live() {
        return false;
    }
    session.status = match how {
        Ending::Revoked => SessionStatus::Revoked,
        Ending::Ended => SessionStatus::Ended,
        Ending::Removed => SessionStatus::Removed,
    };
    session.updated_at = now;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::InstanceId;
    use crate::instance::InstanceSettings;

    fn instance(env: Environment) -> Instance {
        Instance {
            id: InstanceId::from_stored("ins_1"),
            environment: env,
            frontend_host: "a.b".into(),
            settings: InstanceSettings::default(),
            created_at: 0,
        }
    }

    use crate::users::fixtures::user;

    #[test]
    fn production_refuses_backend_sessions() {
        let err = start_backend_session(&instance(Environment::Production), &user(), None, 0)
            .unwrap_err();
        assert!(matches!(err, CoreError::ProductionForbidden { .. }));
    }

    #[test]
    fn sessions_expire_and_end_once() {
        let inst = instance(Environment::Development);
        let (_, mut s) = start_backend_session(&inst, &user(), None, 1_000).unwrap();
        assert_eq!(s.status_at(1_000), SessionStatus::Active);
        assert_eq!(
            s.status_at(1_000 + inst.settings.session_max_lifetime_ms),
            SessionStatus::Expired
        );
        assert!(end(&mut s, Ending::Revoked, 2_000));
        assert!(!end(&mut s, Ending::Ended, 3_000));
        assert_eq!(s.status, SessionStatus::Revoked);
    }

    #[test]
    fn a_browser_sign_in_records_itself_on_the_session_the_user_and_the_client() {
        let inst = instance(Environment::Production);
        let mut u = user();
        u.failed_verification_attempts = 3;
        let mut client = Client::new(Some(&ClientToken::generate()), 0);
        let old_hash = client.token_hash.clone();
        let token = ClientToken::generate();
        let s = start_browser_session(
            &inst,
            &mut client,
            &mut u,
            &token,
            SignInMade {
                strategy: Some(&Strategy::Password),
                second_factor: true,
                user_agent: Some("agent".into()),
                ip_address: Some("192.0.2.1".into()),
            },
            5_000,
        );
        assert_eq!(
            (s.user_id.as_str(), s.client_id.as_str()),
            (u.id.as_str(), client.id.as_str())
        );
        assert_eq!((s.created_at, s.last_active_at), (5_000, 5_000));
        assert_eq!(s.first_factor_verified_at, 5_000);
        assert_eq!(s.second_factor_verified_at, Some(5_000));
        assert_eq!(s.user_agent.as_deref(), Some("agent"));
        assert_eq!(s.ip_address.as_deref(), Some("192.0.2.1"));
        assert_eq!(u.last_sign_in_at, Some(5_000));
        assert_eq!(u.last_active_at, Some(5_000));
        assert_eq!((u.failed_verification_attempts, u.updated_at), (0, 5_000));
        assert_eq!(client.last_active_session_id.as_ref(), Some(&s.id));
        assert_eq!(
            client.last_authentication_strategy.as_deref(),
            Some("password")
        );
        assert_ne!(client.token_hash, old_hash);
        let s = start_browser_session(
            &inst,
            &mut client,
            &mut u,
            &token,
            SignInMade::default(),
            6_000,
        );
        assert_eq!(s.second_factor_verified_at, None);
        assert_eq!(client.last_authentication_strategy, None);
    }

    #[test]
    fn banned_and_locked_users_cannot_sign_in() {
        let mut u = user();
        u.banned = true;
        assert_eq!(
            ensure_can_sign_in(&u, 0).unwrap_err(),
            CoreError::UserBanned
        );
        u.banned = false;
        u.locked_until = Some(10_000);
        assert!(matches!(
            ensure_can_sign_in(&u, 0).unwrap_err(),
            CoreError::UserLocked {
                expires_in_seconds: Some(10)
            }
        ));
        assert!(ensure_can_sign_in(&u, 10_000).is_ok());
    }
}
