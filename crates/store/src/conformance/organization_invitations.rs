//! The organization-invitation part of the storage suite: invitations pending once per address,
//! expiring, found by their ticket and by any of the invitee's addresses.

use std::sync::Arc;

use usher_core::ids::{InstanceId, OrganizationInvitationId};
use usher_core::organizations::Organization;
use usher_core::organizations::invitations::{
    self, InvitationQuery, InvitationStatus, Invitee, NewInvitation, OrganizationInvitation,
};
use usher_core::organizations::roles::MEMBER;
use usher_core::store::{Store, StoreError, Write};
use usher_core::users::query::Page;

use super::organizations::{Error, commit, org, two_organizations_with};
use super::{NOW, Outcome, create_instance};

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

/// Revokes the stored invitation `id`; returns it as written (at the version it was read at).
pub(super) async fn revoke(
    store: &Arc<dyn Store>,
    ins: &InstanceId,
    id: &OrganizationInvitationId,
) -> Result<OrganizationInvitation, Error> {
    let mut revoked = store
        .get_organization_invitation(ins, id)
        .await?
        .ok_or("the invitation to revoke is stored")?;
    revoked.status = InvitationStatus::Revoked;
    commit(
        store,
        ins,
        vec![Write::UpdateOrganizationInvitation(revoked.clone())],
    )
    .await?;
    Ok(revoked)
}

pub async fn invitations_are_pending_once_per_address_and_expire(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let (acme, _, [ann, bob, ann_globex]) = two_organizations_with(
        &store,
        &ins,
        |acme, globex| {
            Ok([
                invitation(acme, "Ann@Example.com", NOW)?,
                invitation(acme, "bob@example.com", NOW + 1)?,
                invitation(globex, "ann@example.com", NOW + 2)?,
            ])
        },
        Write::InsertOrganizationInvitation,
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

    let revoked = revoke(&store, &ins, &bob.id).await?;
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
