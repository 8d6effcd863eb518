//! What verified domains enroll: suggestions and membership requests pending once per user and
//! organization, versioned, listed by user or organization and status, counted per domain with
//! the pending invitations, and removed with their organization or their user.

use std::sync::Arc;

use usher_core::organizations::membership_requests::{
    self, MembershipRequest, RequestQuery, RequestStatus,
};
use usher_core::organizations::suggestions::{
    self, OrganizationSuggestion, SuggestionQuery, SuggestionStatus,
};
use usher_core::store::{DomainPendingCount, Store, StoreError, Write};
use usher_core::users::query::Page;

use super::organization_domains::domain;
use super::organization_invitations::invitation;
use super::organizations::{commit, org, two_organizations_with, users};
use super::{NOW, Outcome, create_instance};

pub async fn suggestions_and_requests_are_pending_once_and_listed(
    store: Arc<dyn Store>,
) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let ids = users(&store, &ins, &["ann", "bob"]).await?;
    let (ann, bob) = (&ids[0], &ids[1]);
    let (acme, globex, [s1, s2, _]) = two_organizations_with(
        &store,
        &ins,
        |acme, globex| {
            Ok([
                OrganizationSuggestion::new(&acme.id, ann, "ann@acme.test", NOW),
                OrganizationSuggestion::new(&globex.id, ann, "ann@globex.test", NOW + 1),
                OrganizationSuggestion::new(&acme.id, bob, "bob@acme.test", NOW + 2),
            ])
        },
        Write::InsertOrganizationSuggestion,
    )
    .await?;
    let stored = store
        .get_organization_suggestion(&ins, &s1.id)
        .await?
        .ok_or("s1")?;
    assert_eq!(
        (stored.status, stored.version),
        (SuggestionStatus::Pending, 1)
    );

    // One pending suggestion per user and organization.
    let again = OrganizationSuggestion::new(&acme.id, ann, "ann@acme.test", NOW + 3);
    let dup = commit(
        &store,
        &ins,
        vec![Write::InsertOrganizationSuggestion(again)],
    )
    .await;
    assert_eq!(dup, Err(StoreError::Stale));

    // Accepting: the suggestion's update and the request's insert in one changeset.
    let mut accepted = stored.clone();
    let request = suggestions::accept(&mut accepted, NOW + 4)?;
    commit(
        &store,
        &ins,
        vec![
            Write::UpdateOrganizationSuggestion(accepted.clone()),
            Write::InsertMembershipRequest(request.clone()),
        ],
    )
    .await?;
    let stale = commit(
        &store,
        &ins,
        vec![Write::UpdateOrganizationSuggestion(accepted)],
    )
    .await;
    assert_eq!(stale, Err(StoreError::Stale));

    let list = |q: SuggestionQuery| {
        let store = store.clone();
        let ins = ins.clone();
        async move { store.list_organization_suggestions(&ins, &q).await }
    };
    let (mine, total) = list(SuggestionQuery {
        user_id: Some(ann.clone()),
        ..Default::default()
    })
    .await?;
    assert_eq!(total, 2);
    assert_eq!(
        mine.iter().map(|s| &s.id).collect::<Vec<_>>(),
        [&s2.id, &s1.id]
    );
    let (pending, total) = list(SuggestionQuery {
        user_id: Some(ann.clone()),
        statuses: vec![SuggestionStatus::Pending],
        ..Default::default()
    })
    .await?;
    assert_eq!((total, pending[0].id.clone()), (1, s2.id.clone()));
    let (both, _) = list(SuggestionQuery {
        user_id: Some(ann.clone()),
        statuses: vec![SuggestionStatus::Pending, SuggestionStatus::Accepted],
        page: Page::new(Some(1), Some(1))?,
        ..Default::default()
    })
    .await?;
    assert_eq!(both.iter().map(|s| &s.id).collect::<Vec<_>>(), [&s1.id]);

    // One pending request per user and organization; a decided one frees the place.
    let second = MembershipRequest {
        id: usher_core::ids::OrganizationMembershipRequestId::new(),
        ..request.clone()
    };
    let dup = commit(
        &store,
        &ins,
        vec![Write::InsertMembershipRequest(second.clone())],
    )
    .await;
    assert_eq!(dup, Err(StoreError::Stale));
    let mut rejected = store
        .get_membership_request(&ins, &request.id)
        .await?
        .ok_or("request")?;
    assert_eq!(rejected.version, 1);
    membership_requests::reject(&mut rejected, NOW + 5)?;
    commit(
        &store,
        &ins,
        vec![Write::UpdateMembershipRequest(rejected.clone())],
    )
    .await?;
    let stale = commit(&store, &ins, vec![Write::UpdateMembershipRequest(rejected)]).await;
    assert_eq!(stale, Err(StoreError::Stale));
    let later = MembershipRequest {
        created_at: NOW + 6,
        ..second
    };
    commit(
        &store,
        &ins,
        vec![Write::InsertMembershipRequest(later.clone())],
    )
    .await?;

    let requests = |q: RequestQuery| {
        let store = store.clone();
        let ins = ins.clone();
        async move { store.list_membership_requests(&ins, &q).await }
    };
    let (of_acme, total) = requests(RequestQuery {
        organization_id: Some(acme.id.clone()),
        ..Default::default()
    })
    .await?;
    assert_eq!(total, 2);
    assert_eq!(
        of_acme.iter().map(|r| &r.id).collect::<Vec<_>>(),
        [&later.id, &request.id]
    );
    let (pending, _) = requests(RequestQuery {
        organization_id: Some(acme.id.clone()),
        statuses: vec![RequestStatus::Pending],
        ..Default::default()
    })
    .await?;
    assert_eq!(
        pending.iter().map(|r| &r.id).collect::<Vec<_>>(),
        [&later.id]
    );
    let (of_globex, total) = requests(RequestQuery {
        organization_id: Some(globex.id.clone()),
        ..Default::default()
    })
    .await?;
    assert_eq!((of_globex.len(), total), (0, 0));
    Ok(())
}

pub async fn domains_count_their_pending_invitations_and_suggestions(
    store: Arc<dyn Store>,
) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let ids = users(&store, &ins, &["ann", "bob", "cy"]).await?;
    let acme = org("Acme", "acme", 0, NOW)?;
    let globex = org("Globex", "globex", 0, NOW)?;
    let mut writes = vec![
        Write::InsertOrganization(acme.clone()),
        Write::InsertOrganization(globex.clone()),
        Write::InsertOrganizationDomain(domain(&acme, "acme.test", true, NOW)?),
        Write::InsertOrganizationDomain(domain(&acme, "acme.dev", true, NOW)?),
        // Invitations: two at acme.test (one expires), one at a look-alike domain, one elsewhere.
        Write::InsertOrganizationInvitation(invitation(&acme, "x@acme.test", NOW)?),
        Write::InsertOrganizationInvitation(invitation(
            &acme,
            "y@acme.test",
            NOW - 2 * 86_400_000,
        )?),
        Write::InsertOrganizationInvitation(invitation(&acme, "z@notacme.test", NOW)?),
        Write::InsertOrganizationInvitation(invitation(&globex, "w@acme.test", NOW)?),
    ];
    let mut accepted = OrganizationSuggestion::new(&acme.id, &ids[2], "cy@acme.test", NOW);
    suggestions::accept(&mut accepted, NOW)?;
    for s in [
        OrganizationSuggestion::new(&acme.id, &ids[0], "ann@acme.test", NOW),
        OrganizationSuggestion::new(&acme.id, &ids[1], "bob@acme.dev", NOW),
        OrganizationSuggestion::new(&globex.id, &ids[1], "bob@acme.test", NOW),
        accepted,
    ] {
        writes.push(Write::InsertOrganizationSuggestion(s));
    }
    commit(&store, &ins, writes).await?;
    let names = ["acme.test", "acme.dev", "none.test"].map(String::from);
    let mut counts = store
        .domain_pending_counts(&ins, &acme.id, &names, NOW + 1)
        .await?;
    counts.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(
        counts,
        [
            DomainPendingCount {
                name: "acme.dev".into(),
                invitations: 0,
                suggestions: 1,
            },
            DomainPendingCount {
                name: "acme.test".into(),
                invitations: 1,
                suggestions: 1,
            },
        ]
    );

    // Withdrawing one: listed by its domain, deleted guarded by its version.
    let at_test = SuggestionQuery {
        organization_id: Some(acme.id.clone()),
        email_domain: Some("acme.test".into()),
        statuses: vec![SuggestionStatus::Pending],
        ..Default::default()
    };
    let (pending, total) = store.list_organization_suggestions(&ins, &at_test).await?;
    assert_eq!((pending.len(), total), (1, 1));
    assert_eq!(pending[0].email_address, "ann@acme.test");
    let delete = |version| Write::DeleteOrganizationSuggestion {
        id: pending[0].id.clone(),
        version,
    };
    let stale = commit(&store, &ins, vec![delete(pending[0].version + 1)]).await;
    assert_eq!(stale, Err(StoreError::Stale));
    commit(&store, &ins, vec![delete(pending[0].version)]).await?;
    assert!(
        store
            .get_organization_suggestion(&ins, &pending[0].id)
            .await?
            .is_none()
    );
    let counts = store
        .domain_pending_counts(&ins, &acme.id, &names, NOW + 1)
        .await?;
    assert_eq!(counts.iter().map(|c| c.suggestions).sum::<i64>(), 1);
    Ok(())
}

pub async fn suggestions_and_requests_go_with_their_organization_and_user(
    store: Arc<dyn Store>,
) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let ids = users(&store, &ins, &["ann", "bob"]).await?;
    let acme = org("Acme", "acme", 0, NOW)?;
    let globex = org("Globex", "globex", 0, NOW)?;
    let mut writes = vec![
        Write::InsertOrganization(acme.clone()),
        Write::InsertOrganization(globex.clone()),
    ];
    let mut made = Vec::new();
    for (o, u) in [(&acme, &ids[0]), (&globex, &ids[0]), (&globex, &ids[1])] {
        let mut s = OrganizationSuggestion::new(&o.id, u, "x@example.com", NOW);
        let r = suggestions::accept(&mut s, NOW)?;
        made.push((s.id.clone(), r.id.clone()));
        writes.push(Write::InsertOrganizationSuggestion(s));
        writes.push(Write::InsertMembershipRequest(r));
    }
    commit(&store, &ins, writes).await?;
    let acme_row = store
        .get_organization(&ins, &acme.id)
        .await?
        .ok_or("acme")?;
    commit(
        &store,
        &ins,
        vec![Write::DeleteOrganization {
            id: acme.id.clone(),
            version: acme_row.version,
        }],
    )
    .await?;
    assert!(
        store
            .get_organization_suggestion(&ins, &made[0].0)
            .await?
            .is_none()
    );
    assert!(
        store
            .get_membership_request(&ins, &made[0].1)
            .await?
            .is_none()
    );
    assert!(
        store
            .get_membership_request(&ins, &made[1].1)
            .await?
            .is_some()
    );

    let bob = store.get_user(&ins, &ids[1]).await?.ok_or("bob")?;
    commit(
        &store,
        &ins,
        vec![Write::DeleteUser {
            id: bob.id.clone(),
            version: bob.version,
        }],
    )
    .await?;
    assert!(
        store
            .get_organization_suggestion(&ins, &made[2].0)
            .await?
            .is_none()
    );
    assert!(
        store
            .get_membership_request(&ins, &made[2].1)
            .await?
            .is_none()
    );
    assert!(
        store
            .get_organization_suggestion(&ins, &made[1].0)
            .await?
            .is_some()
    );

    // Nothing is suggested or requested of an organization that is gone.
    let late = OrganizationSuggestion::new(&acme.id, &ids[0], "ann@acme.test", NOW);
    let stale = commit(
        &store,
        &ins,
        vec![Write::InsertOrganizationSuggestion(late)],
    )
    .await;
    assert_eq!(stale, Err(StoreError::Stale));
    Ok(())
}
