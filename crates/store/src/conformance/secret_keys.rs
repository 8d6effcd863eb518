//! Secret keys: named (unique per instance), expiring only ever sooner, never all at once.

use std::sync::Arc;

use usher_core::instance::{FIRST_SECRET_KEY_NAME, SecretKeyRecord};
use usher_core::store::{Changeset, Store, StoreError, Write};

use super::{NOW, Outcome, create_instance, one};

/// The first key is "default" and never expires; a new key is read back with its name, the
/// digest of its secret and no expiry; a second key of one name is refused.
pub async fn secret_keys_are_named_and_read_back(store: Arc<dyn Store>) -> Outcome {
    let instance = create_instance(&store).await?;
    let first = store.secret_keys(&instance.id).await?;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].name, FIRST_SECRET_KEY_NAME);
    assert_eq!(first[0].expires_at, None);
    let second = SecretKeyRecord::named(
        &instance.id,
        "ci-2",
        "sk_test_secondsecondsecond00",
        NOW + 1,
    );
    store
        .commit(&instance.id, one(Write::InsertSecretKey(second.clone())))
        .await?;
    let keys = store.secret_keys(&instance.id).await?;
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[1], second, "read back as written, oldest first");
    assert!(keys[1].matches("sk_test_secondsecondsecond00"));
    let same_name = SecretKeyRecord::named(
        &instance.id,
        "ci-2",
        "sk_test_thirdthirdthird00000",
        NOW + 2,
    );
    let res = store
        .commit(&instance.id, one(Write::InsertSecretKey(same_name)))
        .await;
    assert_eq!(res, Err(StoreError::NameTaken));
    assert_eq!(
        store.secret_keys(&instance.id).await?.len(),
        2,
        "nothing written"
    );
    Ok(())
}

/// An expiry is set, moved sooner but never later; the last key accepted at the new expiry
/// cannot be expired, and a refused expiry leaves its changeset unwritten.
pub async fn secret_keys_expire_sooner_only_and_never_the_last(store: Arc<dyn Store>) -> Outcome {
    let instance = create_instance(&store).await?;
    let first = store.secret_keys(&instance.id).await?.remove(0);
    let expire = |at| Write::ExpireSecretKey {
        id: first.id.clone(),
        expires_at: at,
    };
    assert_eq!(
        store.commit(&instance.id, one(expire(NOW + 10))).await,
        Err(StoreError::Stale),
        "the only key is not expired"
    );
    let second = SecretKeyRecord::named(
        &instance.id,
        "next",
        "sk_test_nextnextnextnextnext0",
        NOW + 1,
    );
    let mut cs = Changeset::default();
    cs.push(Write::InsertSecretKey(second.clone()))
        .push(expire(NOW + 1_000));
    store.commit(&instance.id, cs).await?;
    let keys = store.secret_keys(&instance.id).await?;
    assert_eq!(keys[0].expires_at, Some(NOW + 1_000));
    assert_eq!(keys[1].expires_at, None);
    assert_eq!(
        store.commit(&instance.id, one(expire(NOW + 5_000))).await,
        Err(StoreError::Stale),
        "an expiry is never pushed later"
    );
    store.commit(&instance.id, one(expire(NOW + 500))).await?;
    assert_eq!(
        store.secret_keys(&instance.id).await?[0].expires_at,
        Some(NOW + 500)
    );
    // The second key is now the only one accepted after NOW + 500.
    let last = Write::ExpireSecretKey {
        id: second.id.clone(),
        expires_at: NOW + 600,
    };
    let third = SecretKeyRecord::named(
        &instance.id,
        "third",
        "sk_test_thirdthirdthirdthird0",
        NOW + 2,
    );
    let mut cs = Changeset::default();
    cs.push(Write::InsertSecretKey(third)).push(last.clone());
    let mut refused = Changeset::default();
    refused.push(last);
    assert_eq!(
        store.commit(&instance.id, refused).await,
        Err(StoreError::Stale),
        "the last key accepted is kept"
    );
    store.commit(&instance.id, cs).await?;
    let keys = store.secret_keys(&instance.id).await?;
    assert_eq!(keys.len(), 3);
    assert_eq!(
        keys.iter().find(|k| k.name == "next").map(|k| k.expires_at),
        Some(Some(NOW + 600))
    );
    Ok(())
}
