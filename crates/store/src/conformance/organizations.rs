//! The organization part of the storage suite: slugs unique per instance, versioned updates,
//! lists, memberships unique per user, the membership limit and the last admin held under
//! concurrency, deleting an organization with its memberships and domains; domains unique per
//! organization and verified by one organization at most; invitations pending once per address.

use std::sync::Arc;

use usher_core::ids::{InstanceId, OrganizationId, RoleId, UserId};
use usher_core::organizations::domains::{self, DomainQuery, NewDomain, OrganizationDomain};
use usher_core::organizations::invitations::{
    self, InvitationQuery, InvitationStatus, Invitee, NewInvitation, OrganizationInvitation,
};
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

fn membership(
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

async fn reread(
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

pub(super) fn domain(
    o: &Organization,
    name: &str,
    verified: bool,
    at: i64,
) -> Result<OrganizationDomain, Error> {
    Ok(domains::validate_new(
        o,
        NewDomain {
            name: Some(name.into()),
            enrollment_mode: Some("manual_invitation".into()),
            verified: Some(verified),
        },
        at,
    )?)
}

/// The code an affiliation verification is waiting for (its hash), its attempts and its outcome
/// survive a round trip, and the verified domain answers the verified filter.
pub async fn a_domain_keeps_its_affiliation_verification(store: Arc<dyn Store>) -> Outcome {
    use usher_core::instance::Environment;
    use usher_core::organizations::affiliation;

    let ins = create_instance(&store).await?.id;
    let acme = org("Acme", "acme", 0, NOW)?;
    let mut d = domain(&acme, "acme.test", false, NOW)?;
    let code = affiliation::prepare(&mut d, "jo@acme.test", Environment::Production, NOW)?
        .ok_or("a production code is sent")?;
    commit(
        &store,
        &ins,
        vec![
            Write::InsertOrganization(acme.clone()),
            Write::InsertOrganizationDomain(d.clone()),
        ],
    )
    .await?;
    let mut stored = store
        .get_organization_domain(&ins, &acme.id, &d.id)
        .await?
        .ok_or("stored")?;
    assert_eq!(stored.affiliation, d.affiliation);
    assert!(!stored.verified);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert!(affiliation::attempt(&mut stored, wrong, NOW + 1).is_err());
    commit(
        &store,
        &ins,
        vec![Write::UpdateOrganizationDomain(stored.clone())],
    )
    .await?;
    let mut stored = store
        .get_organization_domain(&ins, &acme.id, &d.id)
        .await?
        .ok_or("stored")?;
    let attempts = stored.affiliation.as_ref().map(|a| a.verification.attempts);
    assert_eq!(attempts, Some(1));

    affiliation::attempt(&mut stored, &code, NOW + 2)?;
    commit(
        &store,
        &ins,
        vec![Write::UpdateOrganizationDomain(stored.clone())],
    )
    .await?;
    let verified = DomainQuery {
        verified: Some(true),
        ..Default::default()
    };
    let (list, total) = store.list_organization_domains(&ins, &verified).await?;
    assert_eq!(total, 1);
    assert_eq!(list[0].affiliation, stored.affiliation);
    assert!(list[0].verified && list[0].version == 3);
    Ok(())
}

pub async fn domains_are_unique_listed_and_deleted_with_their_organization(
    store: Arc<dyn Store>,
) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let acme = org("Acme", "acme", 0, NOW)?;
    let globex = org("Globex", "globex", 0, NOW)?;
    let a = domain(&acme, "acme.test", true, NOW)?;
    let b = domain(&acme, "acme.example", false, NOW + 1)?;
    let c = domain(&globex, "globex.test", true, NOW + 2)?;
    commit(
        &store,
        &ins,
        vec![
            Write::InsertOrganization(acme.clone()),
            Write::InsertOrganization(globex.clone()),
            Write::InsertOrganizationDomain(a.clone()),
            Write::InsertOrganizationDomain(b.clone()),
            Write::InsertOrganizationDomain(c.clone()),
        ],
    )
    .await?;
    let stored = store.get_organization_domain(&ins, &acme.id, &a.id).await?;
    assert_eq!(
        stored.map(|d| (d.name, d.version)),
        Some(("acme.test".into(), 1))
    );
    assert!(
        store
            .get_organization_domain(&ins, &globex.id, &a.id)
            .await?
            .is_none()
    );

    // Listed twice by one organization, or verified by a second one: refused.
    let twice = domain(&acme, "acme.test", false, NOW)?;
    let taken = commit(&store, &ins, vec![Write::InsertOrganizationDomain(twice)]).await;
    assert_eq!(taken, Err(StoreError::DomainTaken));
    let claimed = domain(&globex, "acme.test", true, NOW)?;
    let taken = commit(&store, &ins, vec![Write::InsertOrganizationDomain(claimed)]).await;
    assert_eq!(taken, Err(StoreError::DomainTaken));
    // An unverified listing elsewhere is allowed, but cannot then be verified.
    let unverified = domain(&globex, "acme.test", false, NOW + 3)?;
    commit(
        &store,
        &ins,
        vec![Write::InsertOrganizationDomain(unverified.clone())],
    )
    .await?;
    let mut verify = unverified.clone();
    verify.version = 1;
    verify.verified = true;
    let taken = commit(&store, &ins, vec![Write::UpdateOrganizationDomain(verify)]).await;
    assert_eq!(taken, Err(StoreError::DomainTaken));

    let list = |q: DomainQuery| {
        let store = store.clone();
        let ins = ins.clone();
        async move {
            let (items, total) = store.list_organization_domains(&ins, &q).await?;
            Ok::<_, StoreError>((items.into_iter().map(|d| d.name).collect::<Vec<_>>(), total))
        }
    };
    let all = list(DomainQuery::default()).await?;
    assert_eq!(all.1, 4);
    assert_eq!(
        all.0,
        ["acme.test", "globex.test", "acme.example", "acme.test"]
    );
    let of_acme = DomainQuery {
        organization_id: Some(acme.id.clone()),
        ..Default::default()
    };
    assert_eq!(
        list(of_acme.clone()).await?,
        (vec!["acme.example".into(), "acme.test".into()], 2)
    );
    let verified = DomainQuery {
        verified: Some(true),
        ..of_acme.clone()
    };
    assert_eq!(list(verified).await?, (vec!["acme.test".into()], 1));
    let searched = DomainQuery {
        query: Some("EXAMPLE".into()),
        ..Default::default()
    };
    assert_eq!(list(searched).await?, (vec!["acme.example".into()], 1));
    let paged = DomainQuery {
        page: Page {
            limit: 1,
            offset: 1,
        },
        ..Default::default()
    };
    assert_eq!(list(paged).await?, (vec!["globex.test".into()], 4));

    let mut updated = store
        .get_organization_domain(&ins, &acme.id, &b.id)
        .await?
        .ok_or("b")?;
    updated.verified = true;
    commit(
        &store,
        &ins,
        vec![Write::UpdateOrganizationDomain(updated.clone())],
    )
    .await?;
    let stale = commit(&store, &ins, vec![Write::UpdateOrganizationDomain(updated)]).await;
    assert_eq!(stale, Err(StoreError::Stale));
    let stale = commit(
        &store,
        &ins,
        vec![Write::DeleteOrganizationDomain {
            id: b.id.clone(),
            version: 1,
        }],
    )
    .await;
    assert_eq!(stale, Err(StoreError::Stale));
    commit(
        &store,
        &ins,
        vec![Write::DeleteOrganizationDomain {
            id: b.id.clone(),
            version: 2,
        }],
    )
    .await?;
    assert!(
        store
            .get_organization_domain(&ins, &acme.id, &b.id)
            .await?
            .is_none()
    );

    // An organization deleted since it was read takes no new domain, and takes its domains along.
    commit(
        &store,
        &ins,
        vec![Write::DeleteOrganization {
            id: acme.id.clone(),
            version: 1,
        }],
    )
    .await?;
    assert_eq!(list(of_acme).await?.1, 0);
    let orphan = domain(&acme, "late.test", true, NOW)?;
    let stale = commit(&store, &ins, vec![Write::InsertOrganizationDomain(orphan)]).await;
    assert_eq!(stale, Err(StoreError::Stale));
    assert_eq!(list(DomainQuery::default()).await?.1, 2);
    Ok(())
}

const DAY: i64 = 86_400_000;

pub(super) fn invitation(
    o: &Organization,
    email: &str,
    at: i64,
) -> Result<OrganizationInvitation, Error> {
    let input = NewInvitation {
        email_address: Some(email.into()),
        role: Some(MEMBER.into()),
        expires_in_days: Some(1),
        ..Default::default()
    };
    Ok(invitations::validate_new(o, input, Invitee::default(), at)?)
}

pub async fn invitations_are_pending_once_per_address_and_expire(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let acme = org("Acme", "acme", 0, NOW)?;
    let globex = org("Globex", "globex", 0, NOW)?;
    let ann = invitation(&acme, "Ann@Example.com", NOW)?;
    let bob = invitation(&acme, "bob@example.com", NOW + 1)?;
    let ann_globex = invitation(&globex, "ann@example.com", NOW + 2)?;
    commit(
        &store,
        &ins,
        vec![
            Write::InsertOrganization(acme.clone()),
            Write::InsertOrganization(globex.clone()),
            Write::InsertOrganizationInvitation(ann.clone()),
            Write::InsertOrganizationInvitation(bob.clone()),
            Write::InsertOrganizationInvitation(ann_globex.clone()),
        ],
    )
    .await?;
    let stored = store
        .get_organization_invitation(&ins, &ann.id)
        .await?
        .ok_or("ann")?;
    assert_eq!(
        (stored.email_address.as_str(), stored.version),
        ("ann@example.com", 1)
    );

    let again = invitation(&acme, "ann@example.com", NOW + 3)?;
    let pending = commit(
        &store,
        &ins,
        vec![Write::InsertOrganizationInvitation(again)],
    )
    .await;
    assert_eq!(pending, Err(StoreError::InvitationPending));

    let mut revoked = store
        .get_organization_invitation(&ins, &bob.id)
        .await?
        .ok_or("bob")?;
    revoked.status = InvitationStatus::Revoked;
    commit(
        &store,
        &ins,
        vec![Write::UpdateOrganizationInvitation(revoked.clone())],
    )
    .await?;
    let stale = commit(
        &store,
        &ins,
        vec![Write::UpdateOrganizationInvitation(revoked)],
    )
    .await;
    assert_eq!(stale, Err(StoreError::Stale));

    let list = |q: InvitationQuery| {
        let store = store.clone();
        let ins = ins.clone();
        async move {
            let (items, total) = store.list_organization_invitations(&ins, &q).await?;
            let ids: Vec<_> = items.into_iter().map(|i| i.id).collect();
            Ok::<_, StoreError>((ids, total))
        }
    };
    let at = |now: i64, statuses: Vec<InvitationStatus>| InvitationQuery {
        statuses,
        now,
        ..Default::default()
    };
    let newest_first = vec![ann_globex.id.clone(), bob.id.clone(), ann.id.clone()];
    assert_eq!(list(at(NOW, vec![])).await?, (newest_first, 3));
    let pending = vec![ann_globex.id.clone(), ann.id.clone()];
    assert_eq!(
        list(at(NOW, vec![InvitationStatus::Pending])).await?,
        (pending.clone(), 2)
    );
    let revoked = vec![bob.id.clone()];
    assert_eq!(
        list(at(NOW, vec![InvitationStatus::Revoked])).await?,
        (revoked, 1)
    );
    // Past their expiry, pending rows read as expired.
    let later = NOW + 2 * DAY;
    assert_eq!(list(at(later, vec![InvitationStatus::Pending])).await?.1, 0);
    assert_eq!(
        list(at(later, vec![InvitationStatus::Expired])).await?,
        (pending, 2)
    );
    let searched = InvitationQuery {
        query: Some("ANN@".into()),
        ..at(NOW, vec![])
    };
    assert_eq!(list(searched).await?.1, 2);
    let of_acme = InvitationQuery {
        organization_id: Some(acme.id.clone()),
        email_address: Some("ANN@example.com".into()),
        ..at(NOW, vec![])
    };
    assert_eq!(list(of_acme.clone()).await?, (vec![ann.id.clone()], 1));

    // A new invitation to the address marks the expired one so first (else its unique index
    // would refuse the second pending row).
    let renewed = invitation(&acme, "ann@example.com", later)?;
    commit(
        &store,
        &ins,
        vec![Write::InsertOrganizationInvitation(renewed.clone())],
    )
    .await?;
    let pending_at_acme = InvitationQuery {
        organization_id: Some(acme.id.clone()),
        ..at(later, vec![InvitationStatus::Pending])
    };
    assert_eq!(list(pending_at_acme).await?, (vec![renewed.id.clone()], 1));
    let page = InvitationQuery {
        page: Page {
            limit: 1,
            offset: 1,
        },
        ..of_acme
    };
    assert_eq!(list(page).await?, (vec![ann.id.clone()], 2));
    Ok(())
}

/// An invitation is found by its ticket's digest (whatever its status; an empty digest finds
/// none), and a user's invitations by any of their addresses; a second acceptance of the same
/// read is stale.
pub async fn invitations_are_found_by_ticket_and_by_any_address(store: Arc<dyn Store>) -> Outcome {
    use usher_core::organizations::invitations::{
        self, InvitationQuery, InvitationStatus, Invitee, NewInvitation,
    };
    let ins = create_instance(&store).await?.id;
    let acme = org("Acme", "acme", 0, NOW)?;
    commit(&store, &ins, vec![Write::InsertOrganization(acme.clone())]).await?;
    let mut made = Vec::new();
    for (i, email) in ["a@example.com", "b@example.com", "c@example.com"]
        .iter()
        .enumerate()
    {
        let mut inv = invitations::validate_new(
            &acme,
            NewInvitation {
                email_address: Some((*email).into()),
                role: Some(MEMBER.into()),
                ..Default::default()
            },
            Invitee::default(),
            NOW + i as i64,
        )?;
        inv.ticket_digest = invitations::ticket_digest(&format!("ticket-{i}"));
        made.push(inv);
    }
    let writes = made
        .iter()
        .cloned()
        .map(Write::InsertOrganizationInvitation)
        .collect();
    commit(&store, &ins, writes).await?;

    let found = store
        .organization_invitation_by_ticket(&ins, &invitations::ticket_digest("ticket-1"))
        .await?
        .ok_or("no invitation for the ticket")?;
    assert_eq!(found.id, made[1].id);
    assert_eq!(found.version, 1);
    assert!(
        store
            .organization_invitation_by_ticket(&ins, &invitations::ticket_digest("ticket-9"))
            .await?
            .is_none()
    );
    assert!(
        store
            .organization_invitation_by_ticket(&ins, "")
            .await?
            .is_none()
    );

    let query = InvitationQuery {
        any_email_address: Some(vec!["A@example.com".into(), "c@example.com".into()]),
        statuses: vec![InvitationStatus::Pending],
        now: NOW + 10,
        page: Page {
            limit: 10,
            offset: 0,
        },
        ..Default::default()
    };
    let (list, total) = store.list_organization_invitations(&ins, &query).await?;
    assert_eq!(total, 2);
    let emails: Vec<&str> = list.iter().map(|i| i.email_address.as_str()).collect();
    assert_eq!(emails, vec!["c@example.com", "a@example.com"]);
    let none = InvitationQuery {
        any_email_address: Some(Vec::new()),
        ..query.clone()
    };
    assert_eq!(store.list_organization_invitations(&ins, &none).await?.1, 0);

    // Two acceptances of one read: the second finds the row changed.
    let mut accepted = found.clone();
    accepted.status = InvitationStatus::Accepted;
    commit(
        &store,
        &ins,
        vec![Write::UpdateOrganizationInvitation(accepted.clone())],
    )
    .await?;
    let again = commit(
        &store,
        &ins,
        vec![Write::UpdateOrganizationInvitation(accepted)],
    )
    .await;
    assert_eq!(again, Err(StoreError::Stale));
    let reread = store
        .organization_invitation_by_ticket(&ins, &invitations::ticket_digest("ticket-1"))
        .await?
        .ok_or("the invitation is gone")?;
    assert_eq!(reread.status, InvitationStatus::Accepted);
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
    let mut revoked = store
        .get_organization_invitation(&ins, &bob.id)
        .await?
        .ok_or("bob")?;
    revoked.status = InvitationStatus::Revoked;
    commit(
        &store,
        &ins,
        vec![Write::UpdateOrganizationInvitation(revoked)],
    )
    .await?;
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
