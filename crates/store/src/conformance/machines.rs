//! Machines and M2M tokens: machines versioned, listed, filtered and ordered; secret keys found
//! by digest, a rotated-out one until its window closes; scopes unique, refused for a missing
//! machine, gone with either machine; opaque tokens by digest, listed per machine (revoked and
//! expired on request), deleted with their machine.

use std::sync::Arc;

use usher_core::api_keys::SealedSecret;
use usher_core::ids::{InstanceId, MachineId};
use usher_core::machines::rules::{self, NewMachine};
use usher_core::machines::tokens::{self, NewM2mToken};
use usher_core::machines::{
    M2mToken, M2mTokenQuery, Machine, MachineOrder, MachineQuery, MachineScope,
};
use usher_core::store::{Changeset, Store, StoreError, Write};
use usher_core::users::query::Page;

use super::{NOW, Outcome, create_instance, one};

fn machine(name: &str, at: i64) -> Machine {
    let input = NewMachine {
        name: name.into(),
        ..NewMachine::default()
    };
    match rules::create(input, at) {
        Ok((m, _)) => m,
        Err(e) => panic!("an invalid machine fixture: {e}"),
    }
}

fn insert(m: &Machine, digest: &str, scoped: &[&Machine]) -> Changeset {
    one(Write::InsertMachine {
        machine: m.clone(),
        digest: digest.into(),
        sealed: SealedSecret(format!("sealed-{digest}")),
        scoped: scoped.iter().map(|s| s.id.clone()).collect(),
    })
}

const PAGE: Page = Page {
    limit: 10,
    offset: 0,
};

async fn found_by(
    store: &Arc<dyn Store>,
    ins: &InstanceId,
    digest: &str,
    now: i64,
) -> Result<Option<MachineId>, StoreError> {
    Ok(store
        .machine_by_secret_digest(ins, digest, now)
        .await?
        .map(|(m, _)| m.id))
}

pub async fn machines_keep_their_scopes_and_secret_keys(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let a = machine("alpha", NOW);
    let b = machine("beta", NOW + 1);
    // A scope to a machine that is not stored refuses the whole insert.
    assert_eq!(
        store.commit(ins, insert(&a, "da", &[&b])).await,
        Err(StoreError::Stale)
    );
    store.commit(ins, insert(&b, "db", &[])).await?;
    store.commit(ins, insert(&a, "da", &[&b])).await?;
    let got = store.get_machine(ins, &a.id).await?.ok_or("kept")?;
    assert_eq!((got.name.as_str(), got.version), ("alpha", 1));
    let scoped: Vec<MachineId> = store
        .scoped_machines(ins, &a.id)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(scoped, vec![b.id.clone()]);
    assert!(store.scoped_machines(ins, &b.id).await?.is_empty());
    assert_eq!(found_by(&store, ins, "da", NOW).await?, Some(a.id.clone()));
    let (_, stored) = store
        .machine_by_secret_digest(ins, "da", NOW)
        .await?
        .ok_or("by digest")?;
    assert_eq!(stored, "da");
    assert_eq!(
        store.machine_sealed_secret(ins, &a.id).await?,
        Some(SealedSecret("sealed-da".into()))
    );
    // Another instance's id finds none of it.
    let other = super::new_instance().id;
    assert!(store.get_machine(&other, &a.id).await?.is_none());
    assert_eq!(found_by(&store, &other, "da", NOW).await?, None);

    // Updates are versioned.
    let mut renamed = got.clone();
    renamed.name = "alpha prime".into();
    store
        .commit(ins, one(Write::UpdateMachine(renamed.clone())))
        .await?;
    assert_eq!(
        store.commit(ins, one(Write::UpdateMachine(renamed))).await,
        Err(StoreError::Stale)
    );
    let got = store.get_machine(ins, &a.id).await?.ok_or("kept")?;
    assert_eq!((got.name.as_str(), got.version), ("alpha prime", 2));

    // A rotation: the old key until the window closes, the new one from now on.
    let mut rotated = got.clone();
    rotated.updated_at = NOW + 10;
    store
        .commit(
            ins,
            one(Write::RotateMachineSecret {
                machine: rotated.clone(),
                digest: "da2".into(),
                sealed: SealedSecret("sealed-da2".into()),
                previous_until: NOW + 100,
            }),
        )
        .await?;
    assert_eq!(
        found_by(&store, ins, "da", NOW + 99).await?,
        Some(a.id.clone())
    );
    assert_eq!(found_by(&store, ins, "da", NOW + 100).await?, None);
    assert_eq!(
        found_by(&store, ins, "da2", NOW + 10_000).await?,
        Some(a.id.clone())
    );
    assert_eq!(
        store.machine_sealed_secret(ins, &a.id).await?,
        Some(SealedSecret("sealed-da2".into()))
    );
    // A second rotation with no window ends both earlier keys at once.
    let mut again = store.get_machine(ins, &a.id).await?.ok_or("kept")?;
    again.updated_at = NOW + 20;
    store
        .commit(
            ins,
            one(Write::RotateMachineSecret {
                machine: again,
                digest: "da3".into(),
                sealed: SealedSecret("sealed-da3".into()),
                previous_until: NOW + 20,
            }),
        )
        .await?;
    assert_eq!(found_by(&store, ins, "da", NOW + 21).await?, None);
    assert_eq!(found_by(&store, ins, "da2", NOW + 21).await?, None);
    assert_eq!(
        found_by(&store, ins, "da3", NOW + 21).await?,
        Some(a.id.clone())
    );

    // Scopes: once each; gone when deleted, or with either machine.
    let scope = MachineScope {
        from: a.id.clone(),
        to: b.id.clone(),
        created_at: NOW,
    };
    assert_eq!(
        store
            .commit(ins, one(Write::InsertMachineScope(scope.clone())))
            .await,
        Err(StoreError::MachineScopeTaken)
    );
    let delete_scope = || {
        one(Write::DeleteMachineScope {
            from: a.id.clone(),
            to: b.id.clone(),
        })
    };
    store.commit(ins, delete_scope()).await?;
    assert_eq!(
        store.commit(ins, delete_scope()).await,
        Err(StoreError::Stale)
    );
    store
        .commit(ins, one(Write::InsertMachineScope(scope)))
        .await?;
    let missing = MachineScope {
        from: a.id.clone(),
        to: MachineId::new(),
        created_at: NOW,
    };
    assert_eq!(
        store
            .commit(ins, one(Write::InsertMachineScope(missing)))
            .await,
        Err(StoreError::Stale)
    );
    let b_now = store.get_machine(ins, &b.id).await?.ok_or("kept")?;
    assert_eq!(
        store
            .commit(
                ins,
                one(Write::DeleteMachine {
                    id: b.id.clone(),
                    version: b_now.version + 1,
                }),
            )
            .await,
        Err(StoreError::Stale)
    );
    store
        .commit(
            ins,
            one(Write::DeleteMachine {
                id: b.id.clone(),
                version: b_now.version,
            }),
        )
        .await?;
    assert!(store.get_machine(ins, &b.id).await?.is_none());
    assert!(store.scoped_machines(ins, &a.id).await?.is_empty());
    assert_eq!(found_by(&store, ins, "db", NOW).await?, None);
    Ok(())
}

pub async fn machines_are_filtered_ordered_and_paged(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let names = ["Charlie", "alpha", "Bravo"];
    let mut ids = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let m = machine(n, NOW + i as i64);
        store.commit(ins, insert(&m, &format!("d{i}"), &[])).await?;
        ids.push(m.id);
    }
    let list = |order, query: Option<&str>, page: Page| MachineQuery {
        query: query.map(str::to_owned),
        order,
        page,
    };
    let names_of = |ms: Vec<Machine>| ms.into_iter().map(|m| m.name).collect::<Vec<_>>();
    let (newest, total) = store
        .list_machines(
            ins,
            &list(MachineOrder::CreatedAt { ascending: false }, None, PAGE),
        )
        .await?;
    assert_eq!(
        (names_of(newest), total),
        (
            vec!["Bravo".to_owned(), "alpha".into(), "Charlie".into()],
            3
        )
    );
    let (by_name, _) = store
        .list_machines(
            ins,
            &list(MachineOrder::Name { ascending: true }, None, PAGE),
        )
        .await?;
    assert_eq!(names_of(by_name), vec!["alpha", "Bravo", "Charlie"]);
    let (found, total) = store
        .list_machines(
            ins,
            &list(MachineOrder::Name { ascending: false }, Some("AR"), PAGE),
        )
        .await?;
    assert_eq!((names_of(found), total), (vec!["Charlie".to_owned()], 1));
    let (by_id, _) = store
        .list_machines(
            ins,
            &list(MachineOrder::Name { ascending: true }, Some(&ids[1]), PAGE),
        )
        .await?;
    assert_eq!(names_of(by_id), vec!["alpha"]);
    // An id matches whole, never in part (as Clerk's spec says), so random ids match nothing.
    let (by_part_of_id, total) = store
        .list_machines(
            ins,
            &list(
                MachineOrder::Name { ascending: true },
                Some(&ids[1][..8]),
                PAGE,
            ),
        )
        .await?;
    assert_eq!((names_of(by_part_of_id), total), (vec![], 0));
    let second = Page {
        limit: 1,
        offset: 1,
    };
    let (page, total) = store
        .list_machines(
            ins,
            &list(MachineOrder::CreatedAt { ascending: true }, None, second),
        )
        .await?;
    assert_eq!((names_of(page), total), (vec!["alpha".to_owned()], 3));
    Ok(())
}

fn token(m: &Machine, seconds: i64, at: i64) -> M2mToken {
    let input = NewM2mToken {
        seconds_until_expiration: Some(seconds),
        ..NewM2mToken::default()
    };
    match tokens::create(m, vec![], input, at) {
        Ok(t) => t,
        Err(e) => panic!("an invalid token fixture: {e}"),
    }
}

pub async fn m2m_tokens_are_found_by_digest_and_listed_per_machine(
    store: Arc<dyn Store>,
) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let m = machine("minter", NOW);
    let orphan = token(&m, 60, NOW);
    let insert_token = |t: &M2mToken, d: &str| {
        one(Write::InsertM2mToken {
            token: t.clone(),
            digest: d.into(),
        })
    };
    assert_eq!(
        store.commit(ins, insert_token(&orphan, "t0")).await,
        Err(StoreError::Stale)
    );
    store.commit(ins, insert(&m, "dm", &[])).await?;
    let live = token(&m, 3600, NOW);
    let short = token(&m, 1, NOW + 1);
    let doomed = token(&m, 3600, NOW + 2);
    store.commit(ins, insert_token(&live, "t1")).await?;
    store.commit(ins, insert_token(&short, "t2")).await?;
    store.commit(ins, insert_token(&doomed, "t3")).await?;
    let (got, stored) = store
        .m2m_token_by_digest(ins, "t1")
        .await?
        .ok_or("by digest")?;
    assert_eq!(
        (got.id.clone(), stored.as_str(), got.version),
        (live.id.clone(), "t1", 1)
    );
    assert!(store.m2m_token_by_digest(ins, "nope").await?.is_none());
    let mut revoked = store.get_m2m_token(ins, &doomed.id).await?.ok_or("kept")?;
    revoked.revoked = true;
    store
        .commit(ins, one(Write::UpdateM2mToken(revoked.clone())))
        .await?;
    assert_eq!(
        store.commit(ins, one(Write::UpdateM2mToken(revoked))).await,
        Err(StoreError::Stale)
    );
    let later = NOW + 5_000;
    let ids = |revoked, expired| M2mTokenQuery {
        subject: m.id.clone(),
        revoked,
        expired,
        now: later,
        page: PAGE,
    };
    let listed = |q: M2mTokenQuery| {
        let store = store.clone();
        async move {
            let (ts, total) = store.list_m2m_tokens(ins, &q).await?;
            Ok::<_, StoreError>((ts.into_iter().map(|t| t.id).collect::<Vec<_>>(), total))
        }
    };
    assert_eq!(listed(ids(false, false)).await?, (vec![live.id.clone()], 1));
    assert_eq!(
        listed(ids(true, false)).await?,
        (vec![doomed.id.clone(), live.id.clone()], 2)
    );
    assert_eq!(
        listed(ids(false, true)).await?,
        (vec![short.id.clone(), live.id.clone()], 2)
    );
    assert_eq!(listed(ids(true, true)).await?.1, 3);
    // Deleted with their machine.
    let now = store.get_machine(ins, &m.id).await?.ok_or("kept")?;
    store
        .commit(
            ins,
            one(Write::DeleteMachine {
                id: m.id.clone(),
                version: now.version,
            }),
        )
        .await?;
    assert!(store.get_m2m_token(ins, &live.id).await?.is_none());
    assert!(store.m2m_token_by_digest(ins, "t1").await?.is_none());
    Ok(())
}
