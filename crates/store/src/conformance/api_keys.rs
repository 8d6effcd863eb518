//! API keys: found by digest within their instance only, versioned updates, lists per subject
//! (invalid ones on request), batched `last_used_at`, deleted with their user.

use std::sync::Arc;

use usher_core::api_keys::rules::{self, NewApiKey};
use usher_core::api_keys::{ApiKey, ApiKeyQuery, SealedSecret};
use usher_core::ids::{ApiKeyId, UserId};
use usher_core::store::{Changeset, Store, StoreError, Write};
use usher_core::users::query::Page;

use super::{NOW, Outcome, another_instance, create_instance, delete_stored_user, one, user};

fn key(subject: &str, name: &str, at: i64, seconds: Option<i64>) -> ApiKey {
    let input = NewApiKey {
        name: name.into(),
        subject: subject.into(),
        seconds_until_expiration: seconds,
        ..NewApiKey::default()
    };
    match rules::create(input, at) {
        Ok(k) => k,
        Err(e) => panic!("an invalid api key fixture: {e}"),
    }
}

fn insert(k: &ApiKey, digest: &str) -> Changeset {
    one(Write::InsertApiKey {
        key: k.clone(),
        digest: digest.into(),
        sealed: SealedSecret(format!("sealed-{digest}")),
    })
}

/// A stored user, as a key's subject must be.
async fn subject(
    store: &Arc<dyn Store>,
    ins: &usher_core::ids::InstanceId,
    email: &str,
) -> Result<UserId, StoreError> {
    let u = user(email, "Kay", NOW);
    store.commit(ins, one(Write::InsertUser(u.clone()))).await?;
    Ok(u.id)
}

fn query(subject: &str, include_invalid: bool, now: i64) -> ApiKeyQuery {
    ApiKeyQuery {
        subject: subject.into(),
        include_invalid,
        now,
        query: None,
        page: Page {
            limit: 10,
            offset: 0,
        },
    }
}

pub async fn api_keys_round_trip_and_are_found_by_digest(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    // A key of a subject that is not stored is refused.
    let orphan = key(&UserId::new(), "orphan", NOW, None);
    assert_eq!(
        store.commit(ins, insert(&orphan, "d0")).await,
        Err(StoreError::Stale)
    );
    let subject = subject(&store, ins, "round@example.com").await?;
    let k = key(&subject, "deploys", NOW, None);
    store.commit(ins, insert(&k, "d1")).await?;
    let got = store.get_api_key(ins, &k.id).await?.ok_or("kept")?;
    assert_eq!(
        (got.name.as_str(), got.version, got.last_used_at),
        ("deploys", 1, None)
    );
    let (by, digest) = store
        .api_key_by_digest(ins, "d1")
        .await?
        .ok_or("by digest")?;
    assert_eq!((by.id, digest.as_str()), (k.id.clone(), "d1"));
    assert!(store.api_key_by_digest(ins, "d2").await?.is_none());
    let sealed = store
        .api_key_sealed_secret(ins, &k.id)
        .await?
        .ok_or("sealed")?;
    assert_eq!(sealed.0, "sealed-d1");
    assert!(store.get_api_key(ins, &ApiKeyId::mint()).await?.is_none());

    // Another instance in the same database sees none of it.
    if let Some(other) = another_instance(&store).await? {
        assert!(store.api_key_by_digest(&other.id, "d1").await?.is_none());
        assert!(store.get_api_key(&other.id, &k.id).await?.is_none());
    }

    // Updates are guarded by the version read.
    let mut revoked = got.clone();
    revoked.revoked = true;
    revoked.revocation_reason = Some("leaked".into());
    store
        .commit(ins, one(Write::UpdateApiKey(revoked.clone())))
        .await?;
    let stale = store.commit(ins, one(Write::UpdateApiKey(revoked))).await;
    assert_eq!(stale, Err(StoreError::Stale));
    let got = store.get_api_key(ins, &k.id).await?.ok_or("kept")?;
    assert!(got.revoked && got.version == 2);
    assert_eq!(got.revocation_reason.as_deref(), Some("leaked"));
    Ok(())
}

pub async fn api_keys_are_listed_per_subject_and_touched_in_batches(
    store: Arc<dyn Store>,
) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let a = subject(&store, ins, "a@example.com").await?;
    let b = subject(&store, ins, "b@example.com").await?;
    let first = key(&a, "first", NOW, None);
    let short = key(&a, "short lived", NOW + 1, Some(10));
    let mut gone = key(&a, "revoked", NOW + 2, None);
    let theirs = key(&b, "theirs", NOW + 3, None);
    for (k, d) in [(&first, "1"), (&short, "2"), (&gone, "3"), (&theirs, "4")] {
        store.commit(ins, insert(k, d)).await?;
    }
    gone.version = 1;
    gone.revoked = true;
    store.commit(ins, one(Write::UpdateApiKey(gone))).await?;

    let names =
        |(ks, n): (Vec<ApiKey>, i64)| (ks.into_iter().map(|k| k.name).collect::<Vec<_>>(), n);
    let later = NOW + 60_000;
    assert_eq!(
        names(store.list_api_keys(ins, &query(&a, false, NOW)).await?),
        (vec!["short lived".into(), "first".into()], 2)
    );
    assert_eq!(
        names(store.list_api_keys(ins, &query(&a, false, later)).await?),
        (vec!["first".into()], 1)
    );
    assert_eq!(
        names(store.list_api_keys(ins, &query(&a, true, later)).await?).1,
        3
    );
    let mut q = query(&a, true, later);
    q.query = Some("LIVED".into());
    assert_eq!(
        names(store.list_api_keys(ins, &q).await?),
        (vec!["short lived".into()], 1)
    );

    store
        .touch_api_keys(
            ins,
            &[(first.id.clone(), NOW + 50), (theirs.id.clone(), NOW + 70)],
        )
        .await?;
    // Never backwards: an older batch arriving late leaves the newer time.
    store
        .touch_api_keys(ins, &[(first.id.clone(), NOW + 10)])
        .await?;
    let got = store.get_api_key(ins, &first.id).await?.ok_or("kept")?;
    assert_eq!(
        (got.last_used_at, got.version),
        (Some(NOW + 50), 1),
        "no version bump"
    );
    Ok(())
}

pub async fn api_keys_go_with_their_user(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let u = user("keys@example.com", "Kay", NOW);
    store.commit(ins, one(Write::InsertUser(u.clone()))).await?;
    let k = key(&u.id, "mine", NOW, None);
    store.commit(ins, insert(&k, "x")).await?;
    delete_stored_user(&store, ins, &u.id).await?;
    assert!(store.get_api_key(ins, &k.id).await?.is_none());
    assert!(store.api_key_by_digest(ins, "x").await?.is_none());
    Ok(())
}
