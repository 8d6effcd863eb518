//! The storage suite every backend must pass. Each backend's test calls [`run_all`] with a fresh,
//! empty store.

mod clients;
mod emails;
mod webhooks;

use std::sync::Arc;

use serde_json::json;
use usher_core::audit::AuditEntry;
use usher_core::events::OutboxEvent;
use usher_core::ids::{new_id, prefix};
use usher_core::instance::{Environment, Instance, InstanceSettings, SecretKeyRecord};
use usher_core::sessions::query::{SessionFilter, SessionQuery};
use usher_core::sessions::{Client, Session, SessionStatus};
use usher_core::signing_keys::SigningKey;
use usher_core::store::{Changeset, Store, StoreError, Write};
use usher_core::users::User;
use usher_core::users::create::{NewUser, validate};
use usher_core::users::identifiers::IdentifierKind;
use usher_core::users::query::{Page, UserFilter, UserOrder, UserOrderField};

const NOW: i64 = 1_700_000_000_000;

fn check(cond: bool, what: &str) -> Result<(), String> {
    if cond {
        Ok(())
    } else {
        Err(format!("storage conformance failed: {what}"))
    }
}

fn user(email: &str, first: &str, created_at: i64) -> User {
    let settings = InstanceSettings::default();
    let input = NewUser {
        email_addresses: vec![email.to_owned()],
        first_name: Some(first.to_owned()),
        skip_password_requirement: true,
        created_at: Some(created_at),
        ..Default::default()
    };
    match validate(input, &settings) {
        Ok(v) => v.into_user(None, &settings, created_at),
        Err(e) => panic_free_user(e.to_string()),
    }
}

// The suite never panics on purpose; an invalid fixture is a bug in the suite itself.
fn panic_free_user(msg: String) -> User {
    let _ = msg;
    User {
        id: new_id(prefix::USER),
        version: 0,
        external_id: None,
        username: None,
        first_name: None,
        last_name: None,
        locale: None,
        email_addresses: vec![],
        phone_numbers: vec![],
        primary_email_address_id: None,
        primary_phone_number_id: None,
        password: None,
        password_last_updated_at: None,
        password_compromised: false,
        public_metadata: Default::default(),
        private_metadata: Default::default(),
        unsafe_metadata: Default::default(),
        banned: false,
        locked_until: None,
        failed_verification_attempts: 0,
        delete_self_enabled: true,
        create_organization_enabled: true,
        create_organizations_limit: None,
        bypass_client_trust: false,
        legal_accepted_at: None,
        totp: None,
        backup_codes: Vec::new(),
        last_sign_in_at: None,
        last_active_at: None,
        created_at: NOW,
        updated_at: NOW,
    }
}

fn event(instance_id: &str, kind: &str, data: serde_json::Value) -> Write {
    Write::Event(OutboxEvent {
        id: new_id(prefix::EVENT),
        instance_id: instance_id.to_owned(),
        event_type: kind.to_owned(),
        data,
        attributes: json!({}),
        created_at: NOW,
        seq: 0,
    })
}

fn session(user_id: &str, client_id: &str, created_at: i64, expire_at: i64) -> Session {
    Session {
        id: new_id(prefix::SESSION),
        version: 0,
        client_id: client_id.to_owned(),
        user_id: user_id.to_owned(),
        status: SessionStatus::Active,
        last_active_organization_id: None,
        actor: None,
        last_active_at: created_at,
        expire_at,
        abandon_at: expire_at + 1,
        first_factor_verified_at: created_at,
        second_factor_verified_at: None,
        user_agent: None,
        ip_address: None,
        created_at,
        updated_at: created_at,
    }
}

/// Runs every check against `store`, which must be empty.
pub async fn run_all(store: Arc<dyn Store>) -> Result<(), String> {
    let e = |e: StoreError| e.to_string();
    check(
        store.load_instance().await.map_err(e)?.is_none(),
        "a new store has no instance",
    )?;

    // Instance, secret key and signing key are created together and read back.
    let instance = Instance {
        id: new_id(prefix::INSTANCE),
        environment: Environment::Development,
        frontend_host: "127.0.0.1:4001".into(),
        settings: InstanceSettings::default(),
        created_at: NOW,
    };
    let secret = SecretKeyRecord::new(&instance.id, "sk_test_0123456789abcdefghij", NOW);
    let (key, key_record) =
        SigningKey::generate(&instance.id, &instance.id, NOW).map_err(|e| e.to_string())?;
    store
        .create_instance(&instance, &secret, &key_record)
        .await
        .map_err(e)?;
    let second = Instance {
        id: new_id(prefix::INSTANCE),
        ..instance.clone()
    };
    let res = store
        .create_instance(
            &second,
            &SecretKeyRecord::new(&second.id, "sk_test_0123456789abcdefghij", NOW),
            &key_record,
        )
        .await;
    check(
        res == Err(StoreError::InstanceExists),
        "a second instance is refused",
    )?;
    let loaded = store.load_instance().await.map_err(e)?;
    check(loaded.as_ref() == Some(&instance), "instance round-trips")?;
    let secrets = store.secret_keys(&instance.id).await.map_err(e)?;
    check(
        secrets.len() == 1 && secrets[0].matches("sk_test_0123456789abcdefghij"),
        "secret key hash round-trips",
    )?;
    let keys = store.signing_keys(&instance.id).await.map_err(e)?;
    check(keys.len() == 1 && keys[0].active, "signing key round-trips")?;
    let reloaded = SigningKey::from_record(&keys[0]).map_err(|e| e.to_string())?;
    check(
        reloaded.jwk() == key.jwk(),
        "signing key parses to the same public key",
    )?;
    let ins = instance.id.as_str();

    // An instance secret is settled by the first caller; later candidates get the kept one.
    let first = store
        .instance_secret(ins, "decoy", b"first")
        .await
        .map_err(e)?;
    let again = store
        .instance_secret(ins, "decoy", b"second")
        .await
        .map_err(e)?;
    let other = store
        .instance_secret(ins, "other", b"third")
        .await
        .map_err(e)?;
    check(
        first == b"first" && again == b"first" && other == b"third",
        "instance secrets are kept once per name",
    )?;

    // Rotation: the new key signs, the old one stays published until retired.
    let (next, next_record) =
        SigningKey::generate("key_next", &instance.id, NOW + 1).map_err(|e| e.to_string())?;
    store
        .rotate_signing_key(ins, &next_record)
        .await
        .map_err(e)?;
    let keys = store.signing_keys(ins).await.map_err(e)?;
    check(
        keys.len() == 2 && keys.iter().filter(|k| k.active).count() == 1,
        "rotation keeps one active key",
    )?;
    check(
        keys.iter().any(|k| k.active && k.kid == next.kid()),
        "the rotated-in key is active",
    )?;
    check(
        !store.retire_signing_key(ins, next.kid()).await.map_err(e)?,
        "the active key cannot be retired",
    )?;
    check(
        store
            .retire_signing_key(ins, &instance.id)
            .await
            .map_err(e)?,
        "an inactive key can be retired",
    )?;

    // Branding: defaults until set, then versioned like the other documents.
    let unset = store.branding(ins).await.map_err(e)?;
    check(
        unset == usher_core::branding::Branding::default() && unset.version == 0,
        "branding starts as the defaults, unversioned",
    )?;
    let mut first = unset.clone();
    first.application_name = Some("Acme".into());
    first.updated_at = Some(NOW);
    store
        .commit(
            ins,
            Changeset {
                writes: vec![Write::PutBranding(first.clone())],
            },
        )
        .await
        .map_err(e)?;
    let stored = store.branding(ins).await.map_err(e)?;
    check(
        stored.application_name.as_deref() == Some("Acme") && stored.version == 1,
        "branding round-trips with version 1",
    )?;
    let raced = store
        .commit(
            ins,
            Changeset {
                writes: vec![Write::PutBranding(first)],
            },
        )
        .await;
    check(
        raced == Err(StoreError::Stale),
        "a second first branding write is stale",
    )?;
    let mut branding_next = stored.clone();
    branding_next.primary_color = Some("#112233".into());
    store
        .commit(
            ins,
            Changeset {
                writes: vec![Write::PutBranding(branding_next.clone())],
            },
        )
        .await
        .map_err(e)?;
    let stale = store
        .commit(
            ins,
            Changeset {
                writes: vec![Write::PutBranding(branding_next)],
            },
        )
        .await;
    check(
        stale == Err(StoreError::Stale),
        "a branding write from an old version is stale",
    )?;
    let stored = store.branding(ins).await.map_err(e)?;
    check(
        stored.version == 2 && stored.primary_color.as_deref() == Some("#112233"),
        "branding updates bump the version",
    )?;
    check(
        store.signing_keys(ins).await.map_err(e)?.len() == 1,
        "a retired key is gone",
    )?;

    // The same, as writes of a changeset (with their event and audit entry, in one transaction).
    let (third, third_record) =
        SigningKey::generate("key_third", &instance.id, NOW + 2).map_err(|e| e.to_string())?;
    let mut cs = Changeset::default();
    cs.push(Write::RotateSigningKey(third_record.clone()))
        .push(Write::RetireSigningKey {
            kid: "key_missing".into(),
        });
    check(
        store.commit(ins, cs).await == Err(StoreError::Stale),
        "retiring a key that is not there is refused as stale",
    )?;
    check(
        store
            .signing_keys(ins)
            .await
            .map_err(e)?
            .iter()
            .map(|k| k.kid.as_str())
            .collect::<Vec<_>>()
            == [next.kid()],
        "a refused changeset rotates nothing",
    )?;
    let mut cs = Changeset::default();
    cs.push(Write::RotateSigningKey(third_record))
        .push(Write::RetireSigningKey {
            kid: next.kid().to_owned(),
        });
    store.commit(ins, cs).await.map_err(e)?;
    let keys = store.signing_keys(ins).await.map_err(e)?;
    check(
        keys.len() == 1 && keys[0].active && keys[0].kid == third.kid(),
        "a changeset rotates in a key and retires the one it replaced",
    )?;

    // Users: insert with their event, read back.
    let alice = user("alice@example.com", "Alice", NOW);
    let bob = user("bob@example.com", "bob", NOW + 1);
    let carol = user("carol@example.org", "Carol", NOW + 2);
    for u in [&alice, &bob, &carol] {
        let mut cs = Changeset::default();
        cs.push(Write::InsertUser(u.clone()))
            .push(event(ins, "user.created", json!({"id": u.id})));
        store.commit(ins, cs).await.map_err(e)?;
    }
    let got = store.get_user(ins, &alice.id).await.map_err(e)?;
    check(
        got.as_ref().map(|u| &u.email_addresses) == Some(&alice.email_addresses),
        "user round-trips",
    )?;
    check(
        got.as_ref().map(|u| u.version) == Some(1),
        "a new user is at version 1",
    )?;
    check(
        store
            .get_user(ins, "user_missing")
            .await
            .map_err(e)?
            .is_none(),
        "unknown user is None",
    )?;
    check(
        store
            .get_user("ins_other", &alice.id)
            .await
            .map_err(e)?
            .is_none(),
        "users are scoped by instance",
    )?;

    // A taken email (in any case) fails the whole changeset: no user, no event.
    let before = store.events_after(ins, 0, 1000).await.map_err(e)?.len();
    let dup = user("ALICE@example.com", "Mallory", NOW + 3);
    let mut cs = Changeset::default();
    cs.push(event(ins, "user.created", json!({"id": dup.id})))
        .push(Write::InsertUser(dup.clone()));
    let res = store.commit(ins, cs).await;
    check(
        res == Err(StoreError::IdentifierTaken(IdentifierKind::Email)),
        "duplicate email is IdentifierTaken(Email)",
    )?;
    check(
        store.get_user(ins, &dup.id).await.map_err(e)?.is_none(),
        "failed changeset leaves no user",
    )?;
    check(
        store.events_after(ins, 0, 1000).await.map_err(e)?.len() == before,
        "failed changeset leaves no event",
    )?;

    // Optimistic concurrency: a write against an old version is stale.
    let Some(mut a1) = store.get_user(ins, &alice.id).await.map_err(e)? else {
        return Err("alice vanished".into());
    };
    let mut a2 = a1.clone();
    a1.last_name = Some("First".into());
    let mut cs = Changeset::default();
    cs.push(Write::UpdateUser(a1));
    store.commit(ins, cs).await.map_err(e)?;
    a2.last_name = Some("Second".into());
    let mut cs = Changeset::default();
    cs.push(Write::UpdateUser(a2));
    check(
        store.commit(ins, cs).await == Err(StoreError::Stale),
        "stale update is refused",
    )?;
    let Some(a3) = store.get_user(ins, &alice.id).await.map_err(e)? else {
        return Err("alice vanished".into());
    };
    check(
        a3.last_name.as_deref() == Some("First") && a3.version == 2,
        "first writer wins",
    )?;

    // Changing an email frees the old one.
    let mut a4 = a3.clone();
    a4.email_addresses[0].email_address = "alice2@example.com".into();
    let mut cs = Changeset::default();
    cs.push(Write::UpdateUser(a4));
    store.commit(ins, cs).await.map_err(e)?;
    let reuse = user("alice@example.com", "New Alice", NOW + 4);
    let mut cs = Changeset::default();
    cs.push(Write::InsertUser(reuse.clone()));
    store.commit(ins, cs).await.map_err(e)?;

    // Filters, order and paging.
    let all = UserFilter::default();
    check(
        store.count_users(ins, &all).await.map_err(e)? == 4,
        "count all users",
    )?;
    let f = UserFilter {
        email_addresses: vec!["BOB@example.com".into(), "nobody@x.io".into()],
        ..Default::default()
    };
    let found = store
        .list_users(ins, &f, UserOrder::default(), &Page::default())
        .await
        .map_err(e)?;
    check(
        found.len() == 1 && found[0].id == bob.id,
        "email filter is case-insensitive and ignores unknowns",
    )?;
    let q = UserFilter {
        query: Some("EXAMPLE.ORG".into()),
        ..Default::default()
    };
    check(
        store.count_users(ins, &q).await.map_err(e)? == 1,
        "query matches identifiers partially",
    )?;
    let wild = UserFilter {
        query: Some("%".into()),
        ..Default::default()
    };
    check(
        store.count_users(ins, &wild).await.map_err(e)? == 0,
        "query escapes LIKE wildcards",
    )?;
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
        .await
        .map_err(e)?;
    check(
        newest.len() == 2 && newest[0].id == reuse.id && newest[1].id == carol.id,
        "default order is -created_at",
    )?;
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
        .await
        .map_err(e)?
        .into_iter()
        .filter_map(|u| u.first_name)
        .collect();
    check(
        names == ["bob", "Carol", "New Alice"],
        "first_name order ignores case and offset skips",
    )?;
    let ids = UserFilter {
        exclude_user_ids: vec![alice.id.clone()],
        ..Default::default()
    };
    check(
        store.count_users(ins, &ids).await.map_err(e)? == 3,
        "user ids can be excluded",
    )?;

    // Sessions: statuses depend on time.
    let client = Client::new(None, NOW);
    let live = session(&bob.id, &client.id, NOW, NOW + 1_000_000);
    let old = session(&bob.id, &client.id, NOW - 10, NOW + 10);
    let mut cs = Changeset::default();
    cs.push(Write::InsertClient(client.clone()))
        .push(Write::InsertSession(live.clone()))
        .push(Write::InsertSession(old.clone()));
    store.commit(ins, cs).await.map_err(e)?;
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
    let (active, total) = store
        .list_sessions(ins, &q(Some(SessionStatus::Active)))
        .await
        .map_err(e)?;
    check(
        active.len() == 1 && total == 1 && active[0].id == live.id,
        "active excludes sessions past expire_at",
    )?;
    let (expired, _) = store
        .list_sessions(ins, &q(Some(SessionStatus::Expired)))
        .await
        .map_err(e)?;
    check(
        expired.len() == 1 && expired[0].id == old.id,
        "expired includes live sessions past expire_at",
    )?;
    let (both, total) = store.list_sessions(ins, &q(None)).await.map_err(e)?;
    check(
        both.len() == 2 && total == 2 && both[0].id == live.id,
        "sessions newest first",
    )?;
    let t = store.session_for_token(ins, &live.id).await.map_err(e)?;
    check(
        t.as_ref()
            .is_some_and(|t| !t.user_banned && t.user_locked_until.is_none()),
        "session_for_token joins user state",
    )?;

    let Some(mut s) = store.get_session(ins, &live.id).await.map_err(e)? else {
        return Err("session vanished".into());
    };
    let stale = s.clone();
    s.status = SessionStatus::Revoked;
    let mut cs = Changeset::default();
    cs.push(Write::UpdateSession(s));
    store.commit(ins, cs).await.map_err(e)?;
    let mut cs = Changeset::default();
    cs.push(Write::UpdateSession(stale));
    check(
        store.commit(ins, cs).await == Err(StoreError::Stale),
        "stale session update is refused",
    )?;
    check(
        store
            .live_sessions_of_user(ins, &bob.id)
            .await
            .map_err(e)?
            .len()
            == 1,
        "revoked session is not live",
    )?;

    // Deleting a user frees its identifiers.
    let Some(b) = store.get_user(ins, &bob.id).await.map_err(e)? else {
        return Err("bob vanished".into());
    };
    let mut cs = Changeset::default();
    cs.push(Write::DeleteUser {
        id: b.id.clone(),
        version: b.version,
    });
    store.commit(ins, cs).await.map_err(e)?;
    check(
        store.get_user(ins, &bob.id).await.map_err(e)?.is_none(),
        "deleted user is gone",
    )?;
    let mut cs = Changeset::default();
    cs.push(Write::InsertUser(user(
        "bob@example.com",
        "Bob II",
        NOW + 5,
    )));
    store.commit(ins, cs).await.map_err(e)?;

    // Outbox order and the audit log.
    let events = store.events_after(ins, 0, 1000).await.map_err(e)?;
    check(
        events.len() == 3 && events.windows(2).all(|w| w[0].seq < w[1].seq),
        "events in commit order",
    )?;
    check(
        store
            .events_after(ins, events[1].seq, 10)
            .await
            .map_err(e)?
            .len()
            == 1,
        "events_after pages",
    )?;
    let mut cs = Changeset::default();
    for action in ["user.create", "user.delete"] {
        cs.push(Write::Audit(AuditEntry {
            id: new_id(prefix::AUDIT),
            instance_id: ins.to_owned(),
            actor: "cli".into(),
            action: action.into(),
            target_id: Some(alice.id.clone()),
            trace_id: None,
            client_ip: None,
            at: NOW,
            seq: 0,
        }));
    }
    store.commit(ins, cs).await.map_err(e)?;
    let log = store.audit_log(ins, 10).await.map_err(e)?;
    check(
        log.len() == 2 && log[0].action == "user.delete",
        "audit log newest first",
    )?;
    webhooks::run(&store, ins).await?;
    emails::run(&store, ins).await?;
    clients::run(&store, ins).await?;
    store.ping().await.map_err(e)?;
    Ok(())
}
