//! Passkeys: inserted pending, verified with a credential id unique within the instance, found
//! by that id, listed per user, versioned updates and deletes, deleted with their user.

use std::sync::Arc;

use usher_core::ids::{IdentificationId, UserId};
use usher_core::passkeys::PasskeyRecord;
use usher_core::passkeys::StoredCredential;
use usher_core::passkeys::cose::PublicKey;
use usher_core::store::{Changeset, Store, StoreError, Write};

use super::{NOW, Outcome, create_instance, delete_stored_user, one, user};

fn pending(user_id: &UserId, at: i64) -> PasskeyRecord {
    PasskeyRecord {
        id: IdentificationId::new(),
        version: 0,
        user_id: user_id.clone(),
        name: "Laptop".into(),
        credential_id: None,
        credential: None,
        rp_id: None,
        registration: None,
        last_used_at: None,
        created_at: at,
        updated_at: at,
    }
}

fn put(p: &PasskeyRecord) -> Changeset {
    one(Write::PutPasskey(p.clone()))
}

fn verified(mut p: PasskeyRecord, credential_id: &str) -> PasskeyRecord {
    p.credential_id = Some(credential_id.into());
    p.credential = Some(StoredCredential {
        id: credential_id.into(),
        public_key: PublicKey::Ed25519 { x: vec![7; 32] },
        counter: 3,
        user_verified: true,
        backup_eligible: true,
        backup_state: false,
        transports: vec!["internal".into()],
        aaguid: Some("07070707-0707-0707-0707-070707070707".into()),
    });
    p
}

pub async fn passkeys_have_unique_credentials_and_go_with_their_user(
    store: Arc<dyn Store>,
) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    // A passkey of a user that is not stored is refused.
    assert_eq!(
        store.commit(ins, put(&pending(&UserId::new(), NOW))).await,
        Err(StoreError::Stale)
    );
    let (a, b) = (
        user("pa@example.com", "Pa", NOW),
        user("pb@example.com", "Pb", NOW),
    );
    store
        .commit(
            ins,
            Changeset {
                writes: vec![Write::InsertUser(a.clone()), Write::InsertUser(b.clone())],
            },
        )
        .await?;
    let first = pending(&a.id, NOW);
    let second = pending(&a.id, NOW + 1);
    store.commit(ins, put(&first)).await?;
    store.commit(ins, put(&second)).await?;
    // Two pending passkeys have no credential id and do not collide.
    let got = store.get_passkey(ins, &first.id).await?.ok_or("kept")?;
    assert_eq!(got.version, 1);
    assert_eq!(got.name, "Laptop");
    store
        .commit(ins, put(&verified(got.clone(), "cred-1")))
        .await?;
    let found = store
        .passkey_by_credential(ins, "cred-1")
        .await?
        .ok_or("found")?;
    assert_eq!((found.id.clone(), found.version), (first.id.clone(), 2));
    // The credential reads back as written: key, counter, backup flags, transports, AAGUID.
    assert_eq!(
        found.credential,
        verified(first.clone(), "cred-1").credential
    );
    // The version read is the one written over.
    assert_eq!(
        store.commit(ins, put(&verified(got, "cred-1"))).await,
        Err(StoreError::Stale)
    );
    // The credential id is taken, whoever holds it.
    let other = store.get_passkey(ins, &second.id).await?.ok_or("kept")?;
    assert!(matches!(
        store.commit(ins, put(&verified(other, "cred-1"))).await,
        Err(StoreError::KeyTaken { .. })
    ));
    let theirs = pending(&b.id, NOW);
    store.commit(ins, put(&theirs)).await?;
    let listed = store.user_passkeys(ins, &a.id).await?;
    assert_eq!(
        listed.iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
        vec![first.id.clone(), second.id.clone()]
    );
    // Deleted at the version read.
    let delete = |id: &IdentificationId, version| {
        one(Write::DeletePasskey {
            id: id.clone(),
            version,
        })
    };
    assert_eq!(
        store.commit(ins, delete(&second.id, 7)).await,
        Err(StoreError::Stale)
    );
    store.commit(ins, delete(&second.id, 1)).await?;
    assert!(store.get_passkey(ins, &second.id).await?.is_none());
    // A user's delete takes its passkeys along, and no one else's.
    delete_stored_user(&store, ins, &a.id).await?;
    assert!(store.passkey_by_credential(ins, "cred-1").await?.is_none());
    assert_eq!(store.user_passkeys(ins, &b.id).await?.len(), 1);
    Ok(())
}
