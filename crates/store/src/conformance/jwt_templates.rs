//! JWT templates: round trip (claims as JSON, the sealed key as bytes), unique names, paging,
//! version-guarded updates, deletes.

use std::sync::Arc;

use serde_json::json;
use usher_core::ids::JwtTemplateId;
use usher_core::jwt_templates::model::{CustomSigning, JwtTemplate, SigningAlgorithm};
use usher_core::jwt_templates::signing::SealedKey;
use usher_core::store::{Changeset, Store, StoreError, Write};
use usher_core::users::query::Page;

use super::{NOW, Outcome, create_instance, one};

fn template(name: &str, at: i64) -> JwtTemplate {
    JwtTemplate {
        id: JwtTemplateId::new(),
        version: 0,
        name: name.into(),
        claims: json!({"aud": "authenticated", "meta": {"role": "{{user.public_metadata.role || 'user'}}"}, "n": [1, 2.5, null]})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        lifetime: 3600,
        allowed_clock_skew: 5,
        signing: None,
        created_at: at,
        updated_at: at,
    }
}

/// Templates round-trip (claims, signing key, timestamps), are found by id and by name, are
/// listed newest first and paged; an update is guarded by the version it read (a stale one, or
/// one of a deleted template, changes nothing); a deleted template is gone.
pub async fn templates_round_trip_and_list_newest_first(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let (none, total) = store.jwt_templates(ins, &Page::default()).await?;
    assert!(none.is_empty() && total == 0, "none at first");
    let plain = template("hasura", NOW);
    let mut custom = template("supabase", NOW + 1);
    custom.signing = Some(CustomSigning {
        algorithm: SigningAlgorithm::Hs256,
        sealed_key: SealedKey(vec![0, 1, 2, 255, 254]),
    });
    store
        .commit(ins, one(Write::InsertJwtTemplate(plain.clone())))
        .await?;
    store
        .commit(ins, one(Write::InsertJwtTemplate(custom.clone())))
        .await?;
    assert_eq!(
        store.jwt_template(ins, &custom.id).await?,
        Some(custom.clone())
    );
    assert_eq!(
        store.jwt_template_by_name(ins, "hasura").await?,
        Some(plain.clone())
    );
    assert_eq!(
        store.jwt_template_by_name(ins, "HASURA").await?,
        None,
        "names are exact"
    );
    let (all, total) = store.jwt_templates(ins, &Page::default()).await?;
    assert_eq!(total, 2);
    assert_eq!(all, vec![custom.clone(), plain.clone()]);
    let (page, total) = store
        .jwt_templates(
            ins,
            &Page {
                limit: 1,
                offset: 1,
            },
        )
        .await?;
    assert_eq!((page, total), (vec![plain.clone()], 2));

    let mut renamed = custom.clone();
    renamed.name = "supabase-2".into();
    renamed.signing = None;
    renamed.updated_at = NOW + 5;
    store
        .commit(ins, one(Write::UpdateJwtTemplate(renamed.clone())))
        .await?;
    let stored = store.jwt_template(ins, &custom.id).await?;
    assert_eq!(
        stored,
        Some(JwtTemplate {
            version: 1,
            ..renamed.clone()
        })
    );
    assert_eq!(store.jwt_template_by_name(ins, "supabase").await?, None);
    let mut late = renamed.clone();
    late.name = "late".into();
    let err = store
        .commit(ins, one(Write::UpdateJwtTemplate(late)))
        .await
        .err();
    assert_eq!(err, Some(StoreError::Stale), "version 0 was read before");
    assert_eq!(store.jwt_template(ins, &custom.id).await?, stored);

    store
        .commit(
            ins,
            one(Write::DeleteJwtTemplate {
                id: plain.id.clone(),
            }),
        )
        .await?;
    assert_eq!(store.jwt_template(ins, &plain.id).await?, None);
    let err = store
        .commit(ins, one(Write::UpdateJwtTemplate(plain)))
        .await
        .err();
    assert_eq!(
        err,
        Some(StoreError::Stale),
        "a deleted template stays deleted"
    );
    assert_eq!(store.jwt_templates(ins, &Page::default()).await?.1, 1);
    Ok(())
}

/// A second template with a taken name, or a rename onto one, is refused as
/// [`StoreError::NameTaken`], and the failed changeset writes nothing.
pub async fn template_names_are_unique(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    store
        .commit(
            ins,
            one(Write::InsertJwtTemplate(template("supabase", NOW))),
        )
        .await?;
    let other = template("other", NOW);
    let err = store
        .commit(
            ins,
            Changeset {
                writes: vec![
                    Write::InsertJwtTemplate(other.clone()),
                    Write::InsertJwtTemplate(template("supabase", NOW)),
                ],
            },
        )
        .await
        .err();
    assert_eq!(err, Some(StoreError::NameTaken));
    assert_eq!(store.jwt_template(ins, &other.id).await?, None);
    store
        .commit(ins, one(Write::InsertJwtTemplate(other.clone())))
        .await?;
    let taken = JwtTemplate {
        name: "supabase".into(),
        ..other.clone()
    };
    let err = store
        .commit(ins, one(Write::UpdateJwtTemplate(taken)))
        .await
        .err();
    assert_eq!(err, Some(StoreError::NameTaken));
    assert_eq!(store.jwt_template(ins, &other.id).await?, Some(other));
    Ok(())
}
