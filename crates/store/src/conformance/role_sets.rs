//! Role sets: keys unique per instance, a new key followed by the organizations tied to the set,
//! and replacing a set moving its organizations to another.

use std::sync::Arc;

use usher_core::ids::RoleSetId;
use usher_core::organizations::memberships::{self, NewMembership};
use usher_core::roles::sets::{RoleSet, RoleSetType};
use usher_core::store::{Store, StoreError, Write};

use super::organizations::{Error, commit, org, users};
use super::{NOW, Outcome, create_instance};

fn set(key: &str, roles: &[&str], at: i64) -> RoleSet {
    RoleSet {
        id: RoleSetId::new(),
        key: key.into(),
        name: key.into(),
        description: None,
        kind: RoleSetType::Custom,
        role_keys: roles.iter().map(|k| (*k).to_owned()).collect(),
        default_role_key: "org:member".into(),
        creator_role_key: "org:admin".into(),
        created_at: at,
        updated_at: at,
    }
}

/// Sets round-trip newest first; a key another set has is `KeyTaken`; a put by id replaces.
pub async fn role_sets_round_trip_with_unique_keys(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    assert!(store.role_sets(&ins).await?.is_empty());
    let a = set("role_set:a", &["org:admin", "org:member"], NOW);
    let mut b = set("role_set:b", &["org:admin"], NOW + 1);
    b.kind = RoleSetType::Initial;
    commit(
        &store,
        &ins,
        vec![Write::PutRoleSet(a.clone()), Write::PutRoleSet(b.clone())],
    )
    .await?;
    assert_eq!(store.role_sets(&ins).await?, vec![b.clone(), a.clone()]);
    let clash = set("role_set:a", &["org:admin"], NOW + 2);
    assert_eq!(
        commit(&store, &ins, vec![Write::PutRoleSet(clash)]).await,
        Err(StoreError::KeyTaken { what: "role set" })
    );
    let mut renamed = a.clone();
    renamed.key = "role_set:a2".into();
    renamed.role_keys.push("org:billing".into());
    commit(&store, &ins, vec![Write::PutRoleSet(renamed.clone())]).await?;
    assert_eq!(store.role_sets(&ins).await?, vec![b, renamed]);
    Ok(())
}

/// The roles members of a set's organizations hold and the members holding some are found; a
/// set's new key and its replacement move its organizations (column and document alike).
pub async fn a_sets_organizations_and_members_are_found_and_moved(
    store: Arc<dyn Store>,
) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let ids = users(&store, &ins, &["zoe", "adam", "mia"]).await?;
    let a = set(
        "role_set:a",
        &["org:admin", "org:member", "org:support"],
        NOW,
    );
    let b = set("role_set:b", &["org:admin", "org:billing"], NOW);
    let mut in_a = org("In A", "in-a", 0, NOW)?;
    in_a.role_set_key = Some(a.key.clone());
    let outside = org("Outside", "outside", 0, NOW)?;
    let member = |o: &usher_core::organizations::Organization,
                  u: &usher_core::ids::UserId,
                  role: &str|
     -> Result<Write, Error> {
        Ok(Write::InsertMembership(memberships::validate_new(
            o,
            NewMembership {
                user_id: Some(u.to_string()),
                role: Some(role.into()),
                ..Default::default()
            },
            NOW,
        )?))
    };
    commit(
        &store,
        &ins,
        vec![
            Write::PutRoleSet(a.clone()),
            Write::PutRoleSet(b.clone()),
            Write::InsertOrganization(in_a.clone()),
            Write::InsertOrganization(outside.clone()),
            member(&in_a, &ids[0], "org:admin")?,
            member(&in_a, &ids[1], "org:support")?,
            member(&outside, &ids[2], "org:support")?,
        ],
    )
    .await?;
    assert_eq!(
        store.role_set_roles_held(&ins, "role_set:a").await?,
        vec!["org:admin".to_owned(), "org:support".to_owned()]
    );
    assert!(
        store
            .role_set_roles_held(&ins, "role_set:b")
            .await?
            .is_empty()
    );
    let holding = store
        .role_set_members_holding(&ins, "role_set:a", &["org:support".to_owned()])
        .await?;
    assert_eq!(
        holding.len(),
        1,
        "the organization outside the set is left out"
    );
    assert_eq!(holding[0].user_id, ids[1]);
    assert!(
        store
            .role_set_members_holding(&ins, "role_set:a", &[])
            .await?
            .is_empty()
    );

    let mut renamed = a.clone();
    renamed.key = "role_set:a2".into();
    commit(&store, &ins, vec![Write::PutRoleSet(renamed.clone())]).await?;
    let reread = store
        .get_organization(&ins, &in_a.id)
        .await?
        .ok_or("the organization is gone")?;
    assert_eq!(reread.role_set_key.as_deref(), Some("role_set:a2"));
    assert_eq!(
        store.role_set_roles_held(&ins, "role_set:a2").await?.len(),
        2
    );

    commit(
        &store,
        &ins,
        vec![Write::ReplaceRoleSet {
            id: renamed.id.clone(),
            dest_key: b.key.clone(),
        }],
    )
    .await?;
    assert_eq!(store.role_sets(&ins).await?, vec![b.clone()]);
    let moved = store
        .get_organization(&ins, &in_a.id)
        .await?
        .ok_or("the organization is gone")?;
    assert_eq!(moved.role_set_key.as_deref(), Some("role_set:b"));
    assert!(
        moved.version > reread.version,
        "a move is a versioned change"
    );
    let untouched = store
        .get_organization(&ins, &outside.id)
        .await?
        .ok_or("the organization is gone")?;
    assert_eq!(untouched.role_set_key, None);
    assert_eq!(
        commit(
            &store,
            &ins,
            vec![Write::ReplaceRoleSet {
                id: renamed.id,
                dest_key: b.key,
            }],
        )
        .await,
        Err(StoreError::Stale),
        "a set already gone"
    );
    Ok(())
}
