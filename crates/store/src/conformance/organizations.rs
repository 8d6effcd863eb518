//! The organization part of the storage suite: slugs unique per instance, versioned updates,
//! lists, memberships unique per user, the membership limit and the last admin held under
//! concurrency, memberships read with their organizations, roles in use kept. Domains and
//! invitations have their own modules.

use std::sync::Arc;

use usher_core::ids::{InstanceId, OrganizationId, RoleId, UserId};
use usher_core::organizations::memberships::{self, NewMembership};
use usher_core::organizations::query::{
    MembershipOrder, MembershipQuery, OrganizationOrder, OrganizationQuery,
};
use usher_core::organizations::roles::{ADMIN, MEMBER};
use usher_core::organizations::rules::{NewOrganization, validate_new};
use usher_core::organizations::{Organization, OrganizationMembership};
use usher_core::roles::model::RoleRecord;
use usher_core::store::{Changeset, Store, StoreError, Write};
use usher_core::users::query::Page;

use super::organization_invitations::{invitation, revoke};
use super::{NOW, Outcome, create_instance, user};

pub(super) type Error = Box<dyn std::error::Error + Send + Sync>;

pub(super) fn org(
    name: &str,
    slug: &str,
    max: i64,
    created_at: i64,
) -> Result<Organization, Error> {
    Ok(validate_new(
        NewOrganization {
            name: Some(name.into()),
            slug: Some(slug.into()),
            max_allowed_memberships: Some(max),
            created_at: Some(created_at),
            ..Default::default()
        },
        created_at,
    )?
    .organization)
}

pub(super) fn membership(
    o: &Organization,
    user_id: &str,
    role: &str,
) -> Result<OrganizationMembership, Error> {
    // The store's guard is what is tested: the domain's early check is given an empty organization.
    let mut unlimited = o.clone();
    unlimited.members_count = 0;
    Ok(memberships::validate_new(
        &unlimited,
        NewMembership {
            user_id: Some(user_id.into()),
            role: Some(role.into()),
            ..Default::default()
        },
        NOW,
    )?)
}

pub(super) async fn commit(
    store: &Arc<dyn Store>,
    ins: &InstanceId,
    writes: Vec<Write>,
) -> Result<(), StoreError> {
    store.commit(ins, Changeset { writes }).await
}

/// Acme and Globex, committed in one changeset with the three records `make` gives of them
/// (each inserted by `insert`), in that order.
pub(super) async fn two_organizations_with<T: Clone>(
    store: &Arc<dyn Store>,
    ins: &InstanceId,
    make: impl FnOnce(&Organization, &Organization) -> Result<[T; 3], Error>,
    insert: fn(T) -> Write,
) -> Result<(Organization, Organization, [T; 3]), Error> {
    let acme = org("Acme", "acme", 0, NOW)?;
    let globex = org("Globex", "globex", 0, NOW)?;
    let records = make(&acme, &globex)?;
    let mut writes = vec![
        Write::InsertOrganization(acme.clone()),
        Write::InsertOrganization(globex.clone()),
    ];
    writes.extend(records.iter().cloned().map(insert));
    commit(store, ins, writes).await?;
    Ok((acme, globex, records))
}

pub(super) async fn users(
    store: &Arc<dyn Store>,
    ins: &InstanceId,
    names: &[&str],
) -> Result<Vec<UserId>, Error> {
    let mut ids = Vec::new();
    let mut writes = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let u = user(&format!("{name}@example.com"), name, NOW + i as i64);
        ids.push(u.id.clone());
        writes.push(Write::InsertUser(u));
    }
    commit(store, ins, writes).await?;
    Ok(ids)
}

pub(super) async fn reread(
    store: &Arc<dyn Store>,
    ins: &InstanceId,
    id: &OrganizationId,
) -> Result<Organization, Error> {
    store
        .get_organization(ins, id)
        .await?
        .ok_or_else(|| "the organization is gone".into())
}

pub async fn organizations_round_trip_with_unique_slugs(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let acme = org("Acme Corp", "acme", 0, NOW)?;
    commit(&store, &ins, vec![Write::InsertOrganization(acme.clone())]).await?;
    let stored = reread(&store, &ins, &acme.id).await?;
    assert_eq!(stored.name, "Acme Corp");
    assert_eq!((stored.version, stored.members_count), (1, 0));
    let by_slug = store.organization_by_slug(&ins, "ACME").await?;
    assert_eq!(by_slug.map(|o| o.id), Some(acme.id.clone()));
    assert!(store.organization_by_slug(&ins, "nope").await?.is_none());

    let twin = org("Other", "acme", 0, NOW)?;
    let taken = commit(&store, &ins, vec![Write::InsertOrganization(twin)]).await;
    assert_eq!(taken, Err(StoreError::SlugTaken));

    let globex = org("Globex", "globex", 0, NOW + 1)?;
    commit(
        &store,
        &ins,
        vec![Write::InsertOrganization(globex.clone())],
    )
    .await?;
    let mut renamed = reread(&store, &ins, &globex.id).await?;
    renamed.slug = "acme".into();
    let clash = commit(
        &store,
        &ins,
        vec![Write::UpdateOrganization(renamed.clone())],
    )
    .await;
    assert_eq!(clash, Err(StoreError::SlugTaken));
    renamed.slug = "globex-2".into();
    renamed.name = "Globex Two".into();
    commit(
        &store,
        &ins,
        vec![Write::UpdateOrganization(renamed.clone())],
    )
    .await?;
    let stale = commit(&store, &ins, vec![Write::UpdateOrganization(renamed)]).await;
    assert_eq!(stale, Err(StoreError::Stale));
    let fresh = reread(&store, &ins, &globex.id).await?;
    assert_eq!((fresh.slug.as_str(), fresh.version), ("globex-2", 2));
    // The old slug is free again.
    commit(
        &store,
        &ins,
        vec![Write::InsertOrganization(org("G", "globex", 0, NOW + 2)?)],
    )
    .await?;
    Ok(())
}

pub async fn organizations_are_filtered_ordered_and_paged(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let ids = users(&store, &ins, &["ann"]).await?;
    let mut writes = Vec::new();
    let mut orgs = Vec::new();
    for (i, (name, slug)) in [("Beta", "beta"), ("alpha", "alpha-co"), ("Gamma", "gamma")]
        .iter()
        .enumerate()
    {
        let o = org(name, slug, 0, NOW + i as i64)?;
        writes.push(Write::InsertOrganization(o.clone()));
        orgs.push(o);
    }
    writes.push(Write::InsertMembership(membership(
        &orgs[2], &ids[0], ADMIN,
    )?));
    commit(&store, &ins, writes).await?;

    let q = |f: &dyn Fn(&mut OrganizationQuery)| {
        let mut q = OrganizationQuery::default();
        f(&mut q);
        q
    };
    let names = |list: Vec<Organization>| list.into_iter().map(|o| o.name).collect::<Vec<_>>();
    let (all, total) = store
        .list_organizations(&ins, &OrganizationQuery::default())
        .await?;
    assert_eq!(
        (names(all), total),
        (vec!["Gamma".into(), "alpha".into(), "Beta".into()], 3)
    );
    let (page, total) = store
        .list_organizations(
            &ins,
            &q(&|q| {
                q.order = OrganizationOrder::parse("name").unwrap_or_default();
                q.page = Page {
                    limit: 1,
                    offset: 1,
                };
            }),
        )
        .await?;
    assert_eq!(
        (names(page), total),
        (vec!["Gamma".to_owned()], 3),
        "name order is by byte"
    );
    let (found, total) = store
        .list_organizations(&ins, &q(&|q| q.query = Some("ALPHA-C".into())))
        .await?;
    assert_eq!((names(found), total), (vec!["alpha".to_owned()], 1));
    let (by_id, _) = store
        .list_organizations(&ins, &q(&|q| q.query = Some(orgs[0].id.to_string())))
        .await?;
    assert_eq!(names(by_id), vec!["Beta".to_owned()]);
    let (of_user, total) = store
        .list_organizations(
            &ins,
            &q(&|q| q.user_ids = ids.iter().map(ToString::to_string).collect()),
        )
        .await?;
    assert_eq!((names(of_user), total), (vec!["Gamma".to_owned()], 1));
    let (most_members, _) = store
        .list_organizations(
            &ins,
            &q(&|q| q.order = OrganizationOrder::parse("-members_count").unwrap_or_default()),
        )
        .await?;
    assert_eq!(most_members[0].name, "Gamma");
    assert_eq!(most_members[0].members_count, 1);
    Ok(())
}

pub async fn memberships_are_unique_and_listed(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let ids = users(&store, &ins, &["zoe", "adam", "mia"]).await?;
    let a = org("A", "a", 0, NOW)?;
    let b = org("B", "b", 0, NOW)?;
    let mut writes = vec![
        Write::InsertOrganization(a.clone()),
        Write::InsertOrganization(b.clone()),
    ];
    for (i, id) in ids.iter().enumerate() {
        let mut m = membership(&a, id, if i == 0 { ADMIN } else { MEMBER })?;
        m.created_at = NOW + i as i64;
        writes.push(Write::InsertMembership(m));
    }
    writes.push(Write::InsertMembership(membership(&b, &ids[0], MEMBER)?));
    commit(&store, &ins, writes).await?;

    let again = commit(
        &store,
        &ins,
        vec![Write::InsertMembership(membership(&a, &ids[1], MEMBER)?)],
    )
    .await;
    assert_eq!(again, Err(StoreError::AlreadyMember));
    assert_eq!(
        reread(&store, &ins, &a.id).await?.members_count,
        3,
        "the refused one is not counted"
    );

    let m = store.get_membership(&ins, &a.id, &ids[1]).await?;
    assert_eq!(m.map(|m| (m.role, m.version)), Some((MEMBER.to_owned(), 1)));
    assert!(store.get_membership(&ins, &b.id, &ids[1]).await?.is_none());

    let users_of =
        |list: Vec<OrganizationMembership>| list.into_iter().map(|m| m.user_id).collect::<Vec<_>>();
    let of_a = MembershipQuery {
        organization_id: Some(a.id.clone()),
        ..Default::default()
    };
    let (list, total) = store.list_memberships(&ins, &of_a).await?;
    assert_eq!(
        (users_of(list), total),
        (vec![ids[2].clone(), ids[1].clone(), ids[0].clone()], 3)
    );
    let by_name = MembershipQuery {
        order: MembershipOrder::parse("first_name")?,
        page: Page {
            limit: 2,
            offset: 0,
        },
        ..of_a.clone()
    };
    let (list, total) = store.list_memberships(&ins, &by_name).await?;
    assert_eq!(
        (users_of(list), total),
        (vec![ids[1].clone(), ids[2].clone()], 3)
    );
    let admins = MembershipQuery {
        roles: vec![ADMIN.into()],
        ..of_a.clone()
    };
    assert_eq!(
        users_of(store.list_memberships(&ins, &admins).await?.0),
        vec![ids[0].clone()]
    );
    let found = MembershipQuery {
        query: Some("MIA@".into()),
        ..of_a.clone()
    };
    assert_eq!(
        users_of(store.list_memberships(&ins, &found).await?.0),
        vec![ids[2].clone()]
    );
    let of_zoe = MembershipQuery {
        user_id: Some(ids[0].clone()),
        ..Default::default()
    };
    let (list, total) = store.list_memberships(&ins, &of_zoe).await?;
    assert_eq!(total, 2);
    assert!(list.iter().all(|m| m.user_id == ids[0]));

    // Deleting an organization removes its memberships, not the other organization's.
    let a_now = reread(&store, &ins, &a.id).await?;
    commit(
        &store,
        &ins,
        vec![Write::DeleteOrganization {
            id: a.id.clone(),
            version: a_now.version,
        }],
    )
    .await?;
    assert!(store.get_organization(&ins, &a.id).await?.is_none());
    assert_eq!(store.list_memberships(&ins, &of_a).await?.1, 0);
    assert_eq!(store.list_memberships(&ins, &of_zoe).await?.1, 1);
    Ok(())
}

pub async fn the_membership_limit_holds_under_concurrency(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let names: Vec<String> = (0..8).map(|i| format!("u{i}")).collect();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let ids = users(&store, &ins, &name_refs).await?;
    let o = org("Small", "small", 3, NOW)?;
    commit(&store, &ins, vec![Write::InsertOrganization(o.clone())]).await?;
    let mut tasks = Vec::new();
    for id in &ids {
        let m = membership(&o, id, MEMBER)?;
        let (store, ins) = (store.clone(), ins.clone());
        tasks.push(tokio::spawn(async move {
            commit(&store, &ins, vec![Write::InsertMembership(m)]).await
        }));
    }
    let mut added = 0;
    for t in tasks {
        match t.await? {
            Ok(()) => added += 1,
            Err(StoreError::MembershipQuotaExceeded) => {}
            Err(e) => return Err(e.into()),
        }
    }
    assert_eq!(added, 3);
    assert_eq!(reread(&store, &ins, &o.id).await?.members_count, 3);
    let q = MembershipQuery {
        organization_id: Some(o.id.clone()),
        ..Default::default()
    };
    assert_eq!(store.list_memberships(&ins, &q).await?.1, 3);
    Ok(())
}

pub async fn the_last_admin_is_kept(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let ids = users(&store, &ins, &["a1", "a2", "m1"]).await?;
    let o = org("Team", "team", 0, NOW)?;
    let a1 = membership(&o, &ids[0], ADMIN)?;
    let a2 = membership(&o, &ids[1], ADMIN)?;
    let m1 = membership(&o, &ids[2], MEMBER)?;
    commit(
        &store,
        &ins,
        vec![
            Write::InsertOrganization(o.clone()),
            Write::InsertMembership(a1.clone()),
            Write::InsertMembership(a2.clone()),
            Write::InsertMembership(m1.clone()),
        ],
    )
    .await?;
    assert_eq!(reread(&store, &ins, &o.id).await?.admins_count, 2);

    // Both admins demoted at once: exactly one demotion wins.
    let mut tasks = Vec::new();
    for a in [&a1, &a2] {
        let mut m = store
            .get_membership(&ins, &o.id, &a.user_id)
            .await?
            .ok_or("no membership")?;
        m.role = MEMBER.into();
        let (store, ins) = (store.clone(), ins.clone());
        tasks.push(tokio::spawn(async move {
            commit(&store, &ins, vec![Write::UpdateMembership(m)]).await
        }));
    }
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await?);
    }
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(results.contains(&Err(StoreError::LastAdmin)), "{results:?}");
    let org_now = reread(&store, &ins, &o.id).await?;
    assert_eq!((org_now.admins_count, org_now.members_count), (1, 3));

    let admin = if results[0].is_ok() { &ids[1] } else { &ids[0] };
    let last = store
        .get_membership(&ins, &o.id, admin)
        .await?
        .ok_or("no admin")?;
    assert_eq!(last.role, ADMIN);
    let remove = |keep_an_admin| Write::DeleteMembership {
        organization_id: o.id.clone(),
        id: last.id.clone(),
        version: last.version,
        keep_an_admin,
    };
    assert_eq!(
        commit(&store, &ins, vec![remove(true)]).await,
        Err(StoreError::LastAdmin)
    );
    // Removing a plain member is fine, and counted.
    let member = store
        .get_membership(&ins, &o.id, &ids[2])
        .await?
        .ok_or("no member")?;
    commit(
        &store,
        &ins,
        vec![Write::DeleteMembership {
            organization_id: o.id.clone(),
            id: member.id,
            version: member.version,
            keep_an_admin: true,
        }],
    )
    .await?;
    // A user being deleted takes their membership with them, admin or not.
    commit(&store, &ins, vec![remove(false)]).await?;
    let org_now = reread(&store, &ins, &o.id).await?;
    assert_eq!((org_now.admins_count, org_now.members_count), (0, 1));
    Ok(())
}

/// What a Frontend API response shows of its users: their memberships with the organizations, in
/// one read, each organization with its pending, unexpired invitations counted as of `now`.
pub async fn memberships_of_users_come_with_their_organizations(store: Arc<dyn Store>) -> Outcome {
    use usher_core::organizations::invitations::{self, Invitee, NewInvitation};
    const DAY: i64 = 86_400_000;
    let ins = create_instance(&store).await?.id;
    let ids = users(&store, &ins, &["zoe", "adam", "mia"]).await?;
    let (zoe, adam, mia) = (&ids[0], &ids[1], &ids[2]);
    let a = org("A", "a", 0, NOW)?;
    let b = org("B", "b", 0, NOW)?;
    let c = org("C", "c", 0, NOW)?;
    let mut writes = vec![
        Write::InsertOrganization(a.clone()),
        Write::InsertOrganization(b.clone()),
        Write::InsertOrganization(c.clone()),
    ];
    for (i, (o, u, role)) in [
        (&a, zoe, ADMIN),
        (&a, adam, MEMBER),
        (&b, zoe, MEMBER),
        (&c, mia, ADMIN),
    ]
    .into_iter()
    .enumerate()
    {
        let mut m = membership(o, u, role)?;
        m.created_at = NOW + i as i64;
        writes.push(Write::InsertMembership(m));
    }
    let invite = |o: &Organization, email: &str, days: i64| {
        invitations::validate_new(
            o,
            NewInvitation {
                email_address: Some(email.into()),
                role: Some(MEMBER.into()),
                expires_in_days: Some(days),
                ..Default::default()
            },
            Invitee::default(),
            NOW,
        )
    };
    writes.push(Write::InsertOrganizationInvitation(invite(
        &a,
        "one@example.com",
        1,
    )?));
    writes.push(Write::InsertOrganizationInvitation(invite(
        &a,
        "thirty@example.com",
        30,
    )?));
    let mut revoked = invite(&a, "revoked@example.com", 30)?;
    invitations::revoke(&mut revoked, NOW)?;
    writes.push(Write::InsertOrganizationInvitation(revoked));
    writes.push(Write::InsertOrganizationInvitation(invite(
        &c,
        "other@example.com",
        30,
    )?));
    commit(&store, &ins, writes).await?;

    let shown = |list: &[(OrganizationMembership, Organization)]| {
        list.iter()
            .map(|(m, o)| {
                assert_eq!(m.organization_id, o.id);
                (
                    m.user_id.to_string(),
                    o.slug.clone(),
                    m.role.clone(),
                    o.members_count,
                    o.pending_invitations_count,
                )
            })
            .collect::<Vec<_>>()
    };
    let list = store
        .memberships_of_users(&ins, &[zoe.clone(), adam.clone()], NOW + 1)
        .await?;
    let row = |u: &UserId, slug: &str, role: &str, members: i64, pending: i64| {
        (
            u.to_string(),
            slug.to_owned(),
            role.to_owned(),
            members,
            pending,
        )
    };
    assert_eq!(
        shown(&list),
        vec![
            row(zoe, "b", MEMBER, 1, 0),
            row(adam, "a", MEMBER, 2, 2),
            row(zoe, "a", ADMIN, 2, 2),
        ],
        "newest first, another user's memberships left out"
    );
    // A day later the one-day invitation has expired without a write.
    let list = store
        .memberships_of_users(&ins, std::slice::from_ref(zoe), NOW + DAY + 1)
        .await?;
    assert_eq!(
        shown(&list),
        vec![row(zoe, "b", MEMBER, 1, 0), row(zoe, "a", ADMIN, 2, 1)]
    );
    assert!(store.memberships_of_users(&ins, &[], NOW).await?.is_empty());

    let mut counts = store
        .pending_invitation_counts(&ins, &[a.id.clone(), b.id.clone(), c.id.clone()], NOW + 1)
        .await?;
    counts.sort_by(|x, y| x.0.as_str().cmp(y.0.as_str()));
    let mut expected = vec![(a.id.clone(), 2), (c.id.clone(), 1)];
    expected.sort_by(|x, y| x.0.as_str().cmp(y.0.as_str()));
    assert_eq!(counts, expected, "organizations without any are left out");
    assert_eq!(
        store
            .pending_invitation_counts(&ins, std::slice::from_ref(&a.id), NOW + DAY + 1)
            .await?,
        vec![(a.id.clone(), 1)]
    );
    assert!(
        store
            .pending_invitation_counts(&ins, &[], NOW)
            .await?
            .is_empty()
    );
    Ok(())
}

/// A custom role a member holds, or a pending invitation grants, is not deleted; once neither
/// is left, it is.
pub async fn a_role_in_use_is_not_deleted(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let ids = users(&store, &ins, &["ann"]).await?;
    let auditor = RoleRecord {
        id: RoleId::new(),
        key: "org:auditor".into(),
        name: "Auditor".into(),
        description: None,
        permission_keys: vec![],
        created_at: NOW,
        updated_at: NOW,
    };
    let o = org("Acme", "acme", 0, NOW)?;
    let mut ann = membership(&o, &ids[0], MEMBER)?;
    ann.role = "org:auditor".into();
    commit(
        &store,
        &ins,
        vec![
            Write::PutOrganizationRole(auditor.clone()),
            Write::InsertOrganization(o.clone()),
            Write::InsertMembership(ann.clone()),
        ],
    )
    .await?;
    let delete = || Write::DeleteOrganizationRole {
        id: auditor.id.clone(),
    };
    assert_eq!(
        commit(&store, &ins, vec![delete()]).await,
        Err(StoreError::RoleInUse),
        "a member holds it"
    );
    let mut bob = invitation(&o, "bob@example.com", NOW)?;
    bob.role = "org:auditor".into();
    let ann = store
        .get_membership(&ins, &o.id, &ids[0])
        .await?
        .ok_or("ann")?;
    commit(
        &store,
        &ins,
        vec![
            Write::DeleteMembership {
                organization_id: o.id.clone(),
                id: ann.id.clone(),
                version: ann.version,
                keep_an_admin: false,
            },
            Write::InsertOrganizationInvitation(bob.clone()),
        ],
    )
    .await?;
    assert_eq!(
        commit(&store, &ins, vec![delete()]).await,
        Err(StoreError::RoleInUse),
        "a pending invitation grants it"
    );
    assert_eq!(
        store.organization_roles(&ins).await?.len(),
        1,
        "still there"
    );
    revoke(&store, &ins, &bob.id).await?;
    commit(&store, &ins, vec![delete()]).await?;
    assert!(store.organization_roles(&ins).await?.is_empty(), "deleted");
    Ok(())
}

/// A page of memberships reads its users and organizations at once: every id given is found
/// (each once, whatever the repeats); unknown ids are left out, and another instance sees none.
pub async fn users_and_organizations_are_read_by_ids(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let ids = users(&store, &ins, &["zoe", "adam", "mia"]).await?;
    let a = org("A", "a", 0, NOW)?;
    let b = org("B", "b", 0, NOW)?;
    let c = org("C", "c", 0, NOW)?;
    let mut m = membership(&a, &ids[0], ADMIN)?;
    m.created_at = NOW;
    commit(
        &store,
        &ins,
        vec![
            Write::InsertOrganization(a.clone()),
            Write::InsertOrganization(b.clone()),
            Write::InsertOrganization(c.clone()),
            Write::InsertMembership(m),
        ],
    )
    .await?;

    let unknown = UserId::new();
    let asked = [ids[2].clone(), ids[0].clone(), ids[2].clone(), unknown];
    let mut found: Vec<String> = store
        .users_by_ids(&ins, &asked)
        .await?
        .iter()
        .map(|u| u.id.to_string())
        .collect();
    found.sort();
    let mut expected = vec![ids[0].to_string(), ids[2].to_string()];
    expected.sort();
    assert_eq!(found, expected);
    assert!(store.users_by_ids(&ins, &[]).await?.is_empty());
    let elsewhere = InstanceId::new();
    assert!(store.users_by_ids(&elsewhere, &ids).await?.is_empty());

    let asked = [
        c.id.clone(),
        a.id.clone(),
        a.id.clone(),
        OrganizationId::new(),
    ];
    let orgs = store.organizations_by_ids(&ins, &asked).await?;
    let mut slugs: Vec<&str> = orgs.iter().map(|o| o.slug.as_str()).collect();
    slugs.sort();
    assert_eq!(slugs, vec!["a", "c"]);
    let read_a = orgs.iter().find(|o| o.id == a.id).ok_or("a is missing")?;
    assert_eq!(
        (read_a.members_count, read_a.admins_count),
        (1, 1),
        "the counts come with the organization, as get_organization gives them"
    );
    assert_eq!(
        Some(read_a),
        reread(&store, &ins, &a.id).await.ok().as_ref()
    );
    assert!(store.organizations_by_ids(&ins, &[]).await?.is_empty());
    assert!(
        store
            .organizations_by_ids(&elsewhere, &asked)
            .await?
            .is_empty()
    );
    Ok(())
}
