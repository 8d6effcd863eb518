//! The records part of the storage suite: the instance, its keys, secrets and branding, users
//! (identifiers, versions, filters, order, paging), sessions by status, the outbox order and the
//! audit log.

use std::sync::Arc;

use serde_json::json;
use usher_core::audit::AuditEntry;
use usher_core::branding::Branding;
use usher_core::ids::{AuditId, InstanceId, UserId};
use usher_core::instance::{Instance, SecretKeyRecord};
use usher_core::jwt_templates::session_claims::SessionClaimsTemplate;
use usher_core::sessions::query::{SessionFilter, SessionQuery};
use usher_core::sessions::{Client, SessionStatus};
use usher_core::signing_keys::SigningKey;
use usher_core::store::{Changeset, Store, StoreError, Write};
use usher_core::users::User;
use usher_core::users::identifiers::IdentifierKind;
use usher_core::users::query::{Page, UserFilter, UserOrder, UserOrderField};

use super::{NOW, Outcome, create_instance, event, new_instance, one, session, user};

/// Alice, Bob and Carol, each inserted with their `user.created` event.
async fn three_users(store: &Arc<dyn Store>, ins: &InstanceId) -> Result<[User; 3], StoreError> {
    let alice = user("alice@example.com", "Alice", NOW);
    let bob = user("bob@example.com", "bob", NOW + 1);
    let carol = user("carol@example.org", "Carol", NOW + 2);
    for u in [&alice, &bob, &carol] {
        let mut cs = Changeset::default();
        cs.push(Write::InsertUser(u.clone()))
            .push(event(ins, "user.created", json!({"id": u.id})));
        store.commit(ins, cs).await?;
    }
    Ok([alice, bob, carol])
}

async fn get_user(store: &Arc<dyn Store>, ins: &InstanceId, id: &UserId) -> Result<User, String> {
    match store.get_user(ins, id).await {
        Ok(Some(u)) => Ok(u),
        Ok(None) => Err(format!("user {id} vanished")),
        Err(e) => Err(e.to_string()),
    }
}

/// Each signing key of `ins` by its kid, with whether it is the active one.
async fn key_states(
    store: &Arc<dyn Store>,
    ins: &InstanceId,
) -> Result<Vec<(String, bool)>, StoreError> {
    Ok(store
        .signing_keys(ins)
        .await?
        .into_iter()
        .map(|k| (k.kid, k.active))
        .collect())
}

pub async fn a_new_store_has_no_instance(store: Arc<dyn Store>) -> Outcome {
    assert_eq!(store.load_instance().await?, None);
    store.ping().await?;
    Ok(())
}

/// Instance, secret key and signing key are created together and read back.
pub async fn the_instance_and_its_keys_round_trip(store: Arc<dyn Store>) -> Outcome {
    let instance = new_instance();
    let secret = SecretKeyRecord::new(&instance.id, "sk_test_0123456789abcdefghij", NOW);
    let (key, key_record) = SigningKey::generate(&instance.id, &instance.id, NOW)?;
    store
        .create_instance(&instance, &secret, &key_record)
        .await?;
    let second = Instance {
        id: InstanceId::new(),
        ..instance.clone()
    };
    let res = store
        .create_instance(
            &second,
            &SecretKeyRecord::new(&second.id, "sk_test_0123456789abcdefghij", NOW),
            &key_record,
        )
        .await;
    assert_eq!(
        res,
        Err(StoreError::InstanceExists),
        "a second instance is refused"
    );
    let loaded = store.load_instance().await?;
    assert_eq!(loaded.as_ref(), Some(&instance), "instance round-trips");
    let secrets = store.secret_keys(&instance.id).await?;
    assert_eq!(secrets.len(), 1, "one secret key");
    assert!(
        secrets[0].matches("sk_test_0123456789abcdefghij"),
        "secret key hash round-trips"
    );
    let keys = store.signing_keys(&instance.id).await?;
    assert_eq!(keys.len(), 1, "one signing key");
    assert!(keys[0].active, "the signing key is active");
    let reloaded = SigningKey::from_record(&keys[0])?;
    assert_eq!(
        reloaded.jwk(),
        key.jwk(),
        "signing key parses to the same public key"
    );
    Ok(())
}

/// Rotation: the new key signs, the old one stays published until retired.
pub async fn signing_keys_rotate_and_retire(store: Arc<dyn Store>) -> Outcome {
    let instance = create_instance(&store).await?;
    let ins = &instance.id;
    let (next, next_record) = SigningKey::generate("key_next", &instance.id, NOW + 1)?;
    store.rotate_signing_key(ins, &next_record).await?;
    let keys = store.signing_keys(ins).await?;
    assert_eq!(keys.len(), 2, "rotation keeps the old key published");
    assert_eq!(
        keys.iter().filter(|k| k.active).count(),
        1,
        "rotation keeps one active key"
    );
    assert!(
        keys.iter().any(|k| k.active && k.kid == next.kid()),
        "the rotated-in key is active"
    );
    assert!(
        !store.retire_signing_key(ins, next.kid()).await?,
        "the active key cannot be retired"
    );
    assert!(
        store.retire_signing_key(ins, &instance.id).await?,
        "an inactive key can be retired"
    );
    assert_eq!(
        store.signing_keys(ins).await?.len(),
        1,
        "a retired key is gone"
    );
    Ok(())
}

/// The same, as writes of a changeset (with their event and audit entry, in one transaction): a
/// refused changeset rotates nothing.
pub async fn signing_keys_rotate_and_retire_in_a_changeset(store: Arc<dyn Store>) -> Outcome {
    let instance = create_instance(&store).await?;
    let ins = &instance.id;
    let (third, third_record) = SigningKey::generate("key_third", &instance.id, NOW + 2)?;
    let mut cs = Changeset::default();
    cs.push(Write::RotateSigningKey(third_record.clone()))
        .push(Write::RetireSigningKey {
            kid: "key_missing".into(),
        });
    assert_eq!(
        store.commit(ins, cs).await,
        Err(StoreError::Stale),
        "retiring a key that is not there is refused as stale"
    );
    assert_eq!(
        key_states(&store, ins).await?,
        [(ins.to_string(), true)],
        "a refused changeset rotates nothing"
    );
    let mut cs = Changeset::default();
    cs.push(Write::RotateSigningKey(third_record))
        .push(Write::RetireSigningKey {
            kid: instance.id.to_string(),
        });
    store.commit(ins, cs).await?;
    assert_eq!(
        key_states(&store, ins).await?,
        [(third.kid().to_owned(), true)],
        "a changeset rotates in a key and retires the one it replaced"
    );
    Ok(())
}

/// An instance secret is settled by the first caller; later candidates get the kept one.
pub async fn instance_secrets_are_kept_once_per_name(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let first = store.instance_secret(ins, "decoy", b"first").await?;
    let again = store.instance_secret(ins, "decoy", b"second").await?;
    let other = store.instance_secret(ins, "other", b"third").await?;
    assert_eq!(first, b"first", "the first candidate is kept");
    assert_eq!(again, b"first", "a later candidate gets the kept secret");
    assert_eq!(other, b"third", "secrets are kept per name");
    Ok(())
}

/// Branding: defaults until set, then versioned like the other documents.
pub async fn branding_is_versioned(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let put = |b: &Branding| one(Write::PutBranding(b.clone()));
    let unset = store.branding(ins).await?;
    assert_eq!(
        unset,
        Branding::default(),
        "branding starts as the defaults"
    );
    assert_eq!(unset.version, 0, "unset branding is unversioned");
    let mut first = unset.clone();
    first.application_name = Some("Acme".into());
    first.updated_at = Some(NOW);
    store.commit(ins, put(&first)).await?;
    let stored = store.branding(ins).await?;
    assert_eq!(
        (stored.application_name.as_deref(), stored.version),
        (Some("Acme"), 1),
        "branding round-trips with version 1"
    );
    assert_eq!(
        store.commit(ins, put(&first)).await,
        Err(StoreError::Stale),
        "a second first branding write is stale"
    );
    let mut next = stored.clone();
    next.primary_color = Some("#112233".into());
    store.commit(ins, put(&next)).await?;
    assert_eq!(
        store.commit(ins, put(&next)).await,
        Err(StoreError::Stale),
        "a branding write from an old version is stale"
    );
    let stored = store.branding(ins).await?;
    assert_eq!(
        (
            stored.version,
            stored.application_name.as_deref(),
            stored.primary_color.as_deref()
        ),
        (2, Some("Acme"), Some("#112233")),
        "branding updates bump the version"
    );
    Ok(())
}

/// The session token template: empty until set, then versioned; another instance's is its own.
pub async fn session_claims_are_versioned(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let put = |t: &SessionClaimsTemplate| one(Write::PutSessionClaims(t.clone()));
    let unset = store.session_claims(ins).await?;
    assert!(unset.is_empty(), "the template starts empty");
    assert_eq!(unset.version, 0, "an unset template is unversioned");
    let mut first = unset.clone();
    first.claims = json!({"role": "{{user.public_metadata.role}}", "n": [1, {"a": null}]})
        .as_object()
        .cloned()
        .unwrap_or_default();
    first.updated_at = Some(NOW);
    store.commit(ins, put(&first)).await?;
    let stored = store.session_claims(ins).await?;
    assert_eq!(
        (&stored.claims, stored.updated_at, stored.version),
        (&first.claims, Some(NOW), 1),
        "the claims round-trip with version 1"
    );
    assert_eq!(
        store.commit(ins, put(&first)).await,
        Err(StoreError::Stale),
        "a second first write is stale"
    );
    let mut next = stored.clone();
    next.claims.clear();
    store.commit(ins, put(&next)).await?;
    assert_eq!(
        store.commit(ins, put(&next)).await,
        Err(StoreError::Stale),
        "a write from an old version is stale"
    );
    let stored = store.session_claims(ins).await?;
    assert_eq!((stored.version, stored.is_empty()), (2, true));
    Ok(())
}

/// Users: insert with their event, read back.
pub async fn users_round_trip(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let [alice, _, _] = three_users(&store, ins).await?;
    let got = store.get_user(ins, &alice.id).await?;
    assert_eq!(
        got.as_ref().map(|u| &u.email_addresses),
        Some(&alice.email_addresses),
        "user round-trips"
    );
    assert_eq!(
        got.as_ref().map(|u| u.version),
        Some(1),
        "a new user is at version 1"
    );
    assert_eq!(
        store
            .get_user(ins, &UserId::from_stored("user_missing"))
            .await?,
        None,
        "unknown user is None"
    );
    assert_eq!(
        store
            .get_user(&InstanceId::from_stored("ins_other"), &alice.id)
            .await?,
        None,
        "users are scoped by instance"
    );
    Ok(())
}

/// A taken email (in any case) fails the whole changeset: no user, no event.
pub async fn a_taken_email_fails_the_whole_changeset(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    three_users(&store, ins).await?;
    let before = store.events_after(ins, 0, 1000).await?.len();
    let dup = user("ALICE@example.com", "Mallory", NOW + 3);
    let mut cs = Changeset::default();
    cs.push(event(ins, "user.created", json!({"id": dup.id})))
        .push(Write::InsertUser(dup.clone()));
    let res = store.commit(ins, cs).await;
    assert_eq!(
        res,
        Err(StoreError::IdentifierTaken(IdentifierKind::Email)),
        "duplicate email is IdentifierTaken(Email)"
    );
    assert_eq!(
        store.get_user(ins, &dup.id).await?,
        None,
        "failed changeset leaves no user"
    );
    assert_eq!(
        store.events_after(ins, 0, 1000).await?.len(),
        before,
        "failed changeset leaves no event"
    );
    Ok(())
}

/// Optimistic concurrency: a write against an old version is stale.
pub async fn a_stale_user_update_is_refused(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let [alice, _, _] = three_users(&store, ins).await?;
    let mut a1 = get_user(&store, ins, &alice.id).await?;
    let mut a2 = a1.clone();
    a1.last_name = Some("First".into());
    let mut cs = Changeset::default();
    cs.push(Write::UpdateUser(a1));
    store.commit(ins, cs).await?;
    a2.last_name = Some("Second".into());
    let mut cs = Changeset::default();
    cs.push(Write::UpdateUser(a2));
    assert_eq!(
        store.commit(ins, cs).await,
        Err(StoreError::Stale),
        "stale update is refused"
    );
    let a3 = get_user(&store, ins, &alice.id).await?;
    assert_eq!(
        (a3.last_name.as_deref(), a3.version),
        (Some("First"), 2),
        "first writer wins"
    );
    Ok(())
}

pub async fn changing_an_email_frees_the_old_one(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let [alice, _, _] = three_users(&store, ins).await?;
    let mut a = get_user(&store, ins, &alice.id).await?;
    a.email_addresses[0].email_address = "alice2@example.com".into();
    let mut cs = Changeset::default();
    cs.push(Write::UpdateUser(a));
    store.commit(ins, cs).await?;
    let reuse = user("alice@example.com", "New Alice", NOW + 4);
    let mut cs = Changeset::default();
    cs.push(Write::InsertUser(reuse.clone()));
    store.commit(ins, cs).await?;
    assert_eq!(
        store
            .user_id_by_identifier(ins, IdentifierKind::Email, "alice@example.com")
            .await?,
        Some(reuse.id),
        "the freed email belongs to the new user"
    );
    Ok(())
}

/// Filters, order and paging.
pub async fn users_are_filtered_ordered_and_paged(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let alice = user("alice2@example.com", "Alice", NOW);
    let bob = user("bob@example.com", "bob", NOW + 1);
    let carol = user("carol@example.org", "Carol", NOW + 2);
    let reuse = user("alice@example.com", "New Alice", NOW + 4);
    for u in [&alice, &bob, &carol, &reuse] {
        let mut cs = Changeset::default();
        cs.push(Write::InsertUser(u.clone()));
        store.commit(ins, cs).await?;
    }
    let all = UserFilter::default();
    assert_eq!(store.count_users(ins, &all).await?, 4, "count all users");
    let f = UserFilter {
        email_addresses: vec!["BOB@example.com".into(), "nobody@x.io".into()],
        ..Default::default()
    };
    let found = store
        .list_users(ins, &f, UserOrder::default(), &Page::default())
        .await?;
    assert_eq!(
        found.iter().map(|u| &u.id).collect::<Vec<_>>(),
        [&bob.id],
        "email filter is case-insensitive and ignores unknowns"
    );
    let q = UserFilter {
        query: Some("EXAMPLE.ORG".into()),
        ..Default::default()
    };
    assert_eq!(
        store.count_users(ins, &q).await?,
        1,
        "query matches identifiers partially"
    );
    let wild = UserFilter {
        query: Some("%".into()),
        ..Default::default()
    };
    assert_eq!(
        store.count_users(ins, &wild).await?,
        0,
        "query escapes LIKE wildcards"
    );
    let newest = store
        .list_users(
            ins,
            &all,
            UserOrder::default(),
            &Page {
                limit: 2,
                offset: 0,
            },
        )
        .await?;
    assert_eq!(
        newest.iter().map(|u| &u.id).collect::<Vec<_>>(),
        [&reuse.id, &carol.id],
        "default order is -created_at"
    );
    let by_name = UserOrder {
        field: UserOrderField::FirstName,
        descending: false,
    };
    let names: Vec<_> = store
        .list_users(
            ins,
            &all,
            by_name,
            &Page {
                limit: 10,
                offset: 1,
            },
        )
        .await?
        .into_iter()
        .filter_map(|u| u.first_name)
        .collect();
    assert_eq!(
        names,
        ["bob", "Carol", "New Alice"],
        "first_name order ignores case and offset skips"
    );
    let ids = UserFilter {
        exclude_user_ids: vec![alice.id.to_string()],
        ..Default::default()
    };
    assert_eq!(
        store.count_users(ins, &ids).await?,
        3,
        "user ids can be excluded"
    );
    Ok(())
}

/// Bob with a client, a live session and one past its `expire_at` at `NOW + 100`.
async fn bobs_sessions(
    store: &Arc<dyn Store>,
    ins: &InstanceId,
) -> Result<
    (
        User,
        usher_core::sessions::Session,
        usher_core::sessions::Session,
    ),
    StoreError,
> {
    let [_, bob, _] = three_users(store, ins).await?;
    let client = Client::new(None, NOW);
    let live = session(&bob.id, &client.id, NOW, NOW + 1_000_000);
    let old = session(&bob.id, &client.id, NOW - 10, NOW + 10);
    let mut cs = Changeset::default();
    cs.push(Write::InsertClient(client.clone()))
        .push(Write::InsertSession(live.clone()))
        .push(Write::InsertSession(old.clone()));
    store.commit(ins, cs).await?;
    Ok((bob, live, old))
}

/// Sessions: statuses depend on time.
pub async fn session_statuses_depend_on_time(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let (bob, live, old) = bobs_sessions(&store, ins).await?;
    let later = NOW + 100;
    let q = |status| SessionQuery {
        filter: SessionFilter {
            user_id: Some(bob.id.clone()),
            client_id: None,
            status,
        },
        page: Page::default(),
        now: later,
    };
    let ids =
        |v: &[usher_core::sessions::Session]| v.iter().map(|s| s.id.clone()).collect::<Vec<_>>();
    let (active, total) = store
        .list_sessions(ins, &q(Some(SessionStatus::Active)))
        .await?;
    assert_eq!(
        (ids(&active), total),
        (vec![live.id.clone()], 1),
        "active excludes sessions past expire_at"
    );
    let (expired, _) = store
        .list_sessions(ins, &q(Some(SessionStatus::Expired)))
        .await?;
    assert_eq!(
        ids(&expired),
        vec![old.id.clone()],
        "expired includes live sessions past expire_at"
    );
    let (both, total) = store.list_sessions(ins, &q(None)).await?;
    assert_eq!(
        (ids(&both), total),
        (vec![live.id.clone(), old.id.clone()], 2),
        "sessions newest first"
    );
    let t = store.session_for_token(ins, &live.id).await?;
    assert!(
        t.as_ref()
            .is_some_and(|t| !t.user_banned && t.user_locked_until.is_none()),
        "session_for_token joins user state"
    );
    Ok(())
}

pub async fn a_stale_session_update_is_refused(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let (bob, live, _) = bobs_sessions(&store, ins).await?;
    let Some(mut s) = store.get_session(ins, &live.id).await? else {
        return Err("session vanished".into());
    };
    let stale = s.clone();
    s.status = SessionStatus::Revoked;
    let mut cs = Changeset::default();
    cs.push(Write::UpdateSession(s));
    store.commit(ins, cs).await?;
    let mut cs = Changeset::default();
    cs.push(Write::UpdateSession(stale));
    assert_eq!(
        store.commit(ins, cs).await,
        Err(StoreError::Stale),
        "stale session update is refused"
    );
    assert_eq!(
        store.live_sessions_of_user(ins, &bob.id).await?.len(),
        1,
        "revoked session is not live"
    );
    Ok(())
}

pub async fn deleting_a_user_frees_its_identifiers(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let [_, bob, _] = three_users(&store, ins).await?;
    let b = get_user(&store, ins, &bob.id).await?;
    let mut cs = Changeset::default();
    cs.push(Write::DeleteUser {
        id: b.id.clone(),
        version: b.version,
    });
    store.commit(ins, cs).await?;
    assert_eq!(
        store.get_user(ins, &bob.id).await?,
        None,
        "deleted user is gone"
    );
    let mut cs = Changeset::default();
    cs.push(Write::InsertUser(user(
        "bob@example.com",
        "Bob II",
        NOW + 5,
    )));
    store.commit(ins, cs).await?;
    Ok(())
}

pub async fn events_are_kept_in_commit_order(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    three_users(&store, ins).await?;
    let events = store.events_after(ins, 0, 1000).await?;
    assert_eq!(events.len(), 3, "one event per commit");
    assert!(
        events.windows(2).all(|w| w[0].seq < w[1].seq),
        "events in commit order"
    );
    assert_eq!(
        store.events_after(ins, events[1].seq, 10).await?.len(),
        1,
        "events_after pages"
    );
    Ok(())
}

pub async fn the_audit_log_is_newest_first(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let mut cs = Changeset::default();
    for action in ["user.create", "user.delete"] {
        cs.push(Write::Audit(AuditEntry {
            id: AuditId::new(),
            instance_id: ins.clone(),
            actor: "cli".into(),
            action: action.into(),
            target_id: Some("user_audited".into()),
            trace_id: None,
            client_ip: None,
            at: NOW,
            seq: 0,
        }));
    }
    store.commit(ins, cs).await?;
    let log = store.audit_log(ins, 10).await?;
    assert_eq!(
        log.iter().map(|l| l.action.as_str()).collect::<Vec<_>>(),
        ["user.delete", "user.create"],
        "audit log newest first"
    );
    Ok(())
}

pub async fn users_are_filtered_by_whether_they_are_locked(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let open = user("open@example.com", "Open", NOW);
    let mut locked = user("locked@example.com", "Locked", NOW + 1);
    locked.locked_until = Some(NOW + 60_000);
    let mut lapsed = user("lapsed@example.com", "Lapsed", NOW + 2);
    lapsed.locked_until = Some(NOW - 1);
    let mut cs = Changeset::default();
    for u in [&open, &locked, &lapsed] {
        cs.push(Write::InsertUser(u.clone()));
    }
    store.commit(ins, cs).await?;
    let emails = |locked_at| {
        let store = store.clone();
        async move {
            let f = UserFilter {
                locked_at: Some(locked_at),
                ..Default::default()
            };
            let found = store
                .list_users(ins, &f, UserOrder::default(), &Page::default())
                .await?;
            let mut names: Vec<String> = found
                .into_iter()
                .filter_map(|u| u.email_addresses.first().map(|e| e.email_address.clone()))
                .collect();
            names.sort();
            Ok::<_, usher_core::store::StoreError>((names, store.count_users(ins, &f).await?))
        }
    };
    assert_eq!(
        emails((true, NOW)).await?,
        (vec!["locked@example.com".to_owned()], 1)
    );
    assert_eq!(
        emails((false, NOW)).await?,
        (
            vec!["lapsed@example.com".to_owned(), "open@example.com".into()],
            2
        )
    );
    assert_eq!(emails((true, NOW + 60_000)).await?.1, 0, "the lock lapses");
    Ok(())
}
