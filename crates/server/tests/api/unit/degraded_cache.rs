//! Unit tests of `degraded/cache.rs`.
#![allow(clippy::unwrap_used)]
use usher_core::degraded::{Revocation, Snapshot};
use usher_core::ids::{ClientId, SessionId, UserId};

use usher_core::sessions::{Session, SessionStatus};
use usher_core::store::SessionForToken;
use usher_server::degraded::cache::*;

fn held(id: &str, user: &str) -> Held {
    Held {
        snapshot: Snapshot {
            found: SessionForToken {
                session: Session {
                    id: SessionId::from_stored(id),
                    version: 1,
                    client_id: ClientId::from_stored("client_1"),
                    user_id: UserId::from_stored(user),
                    status: SessionStatus::Active,
                    last_active_organization_id: None,
                    actor: None,
                    last_active_at: 0,
                    expire_at: i64::MAX,
                    abandon_at: i64::MAX,
                    first_factor_verified_at: 0,
                    second_factor_verified_at: None,
                    user_agent: None,
                    ip_address: None,
                    created_at: 0,
                    updated_at: 0,
                },
                user_banned: false,
                user_locked_until: None,
                active_membership: None,
                user_plan: None,
            },
            confirmed_at: 10,
        },
        custom: None,
    }
}

fn sid(s: &str) -> SessionId {
    SessionId::from_stored(s)
}

#[test]
fn the_least_recently_used_goes_first() {
    let c = SnapshotCache::new(2);
    c.record(held("sess_a", "user_1"), None, 10);
    c.record(held("sess_b", "user_1"), None, 10);
    assert!(c.get(&sid("sess_a")).is_some());
    c.record(held("sess_c", "user_1"), None, 10);
    assert!(c.get(&sid("sess_b")).is_none(), "b was used least recently");
    assert!(c.get(&sid("sess_a")).is_some() && c.get(&sid("sess_c")).is_some());
    assert_eq!(c.len(), 2);
}

#[test]
fn revocations_remove_and_keep_older_reads_out() {
    let c = SnapshotCache::new(10);
    c.record(held("sess_a", "user_1"), None, 10);
    c.record(held("sess_b", "user_2"), None, 10);
    c.revoke(&Revocation::Session(sid("sess_a")), 20);
    assert!(c.get(&sid("sess_a")).is_none());
    c.record(held("sess_a", "user_1"), None, 19);
    assert!(
        c.get(&sid("sess_a")).is_none(),
        "a read begun before is refused"
    );
    c.record(held("sess_a", "user_1"), None, 21);
    assert!(
        c.get(&sid("sess_a")).is_some(),
        "a read begun after is the database's word"
    );
    c.revoke(&Revocation::User(UserId::from_stored("user_2")), 30);
    assert!(c.get(&sid("sess_b")).is_none());
    c.record(held("sess_b", "user_2"), None, 25);
    assert!(c.get(&sid("sess_b")).is_none());
    c.revoke(&Revocation::All, 40);
    assert!(c.is_empty());
    c.record(held("sess_a", "user_1"), None, 39);
    assert!(c.is_empty());
    c.prune(40 + TOMBSTONE_MS);
}

#[test]
fn a_rekeyed_client_forgets_its_earlier_digest() {
    let c = SnapshotCache::new(10);
    let client = HeldClient {
        id: ClientId::from_stored("client_1"),
        dev_browser: false,
    };
    c.record(
        held("sess_a", "u"),
        Some(("old".into(), client.clone())),
        10,
    );
    assert_eq!(c.client("old"), Some(client.clone()));
    c.record(
        held("sess_a", "u"),
        Some(("new".into(), client.clone())),
        11,
    );
    assert_eq!(c.client("old"), None);
    assert_eq!(c.client("new"), Some(client));
}
