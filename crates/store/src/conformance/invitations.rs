//! The instance-invitation part of the storage suite: invitations stored, found by their ticket,
//! listed by status (expiry read at the query's time) and text, and revoked once.

use std::sync::Arc;

use usher_core::invitations::{
    self, Invitation, InvitationQuery, InvitationStatus, Invitee, NewInvitation,
};
use usher_core::store::{Store, StoreError, Write};
use usher_core::users::query::Page;

use super::organizations::{Error, commit};
use super::{NOW, Outcome, create_instance};

const DAY: i64 = 86_400_000;

fn invitation(email: &str, ticket: &str, at: i64) -> Result<Invitation, Error> {
    let input = NewInvitation {
        email_address: Some(email.into()),
        expires_in_days: Some(1),
        ..Default::default()
    };
    let mut inv = invitations::validate_new(input, Invitee::default(), at)?;
    inv.ticket_digest = invitations::ticket_digest(ticket);
    Ok(inv)
}

fn query(statuses: Vec<InvitationStatus>, text: Option<&str>, now: i64) -> InvitationQuery {
    InvitationQuery {
        statuses,
        query: text.map(str::to_owned),
        now,
        page: Page {
            limit: 10,
            offset: 0,
        },
        ..Default::default()
    }
}

pub async fn invitations_are_found_by_ticket_listed_and_revoked_once(
    store: Arc<dyn Store>,
) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let ann = invitation("Ann@Example.com", "tkt-ann", NOW)?;
    let bob = invitation("bob@example.com", "tkt-bob", NOW + 1)?;
    commit(
        &store,
        &ins,
        vec![
            Write::InsertInvitation(ann.clone()),
            Write::InsertInvitation(bob.clone()),
        ],
    )
    .await?;
    let stored = store.get_invitation(&ins, &ann.id).await?.ok_or("ann")?;
    assert_eq!(
        (stored.email_address.as_str(), stored.version),
        ("ann@example.com", 1)
    );
    let found = store
        .invitation_by_ticket(&ins, &invitations::ticket_digest("tkt-bob"))
        .await?
        .ok_or("bob by ticket")?;
    assert_eq!(found.id, bob.id);
    assert!(store.invitation_by_ticket(&ins, "").await?.is_none());
    assert!(
        store
            .invitation_by_ticket(&ins, &invitations::ticket_digest("nope"))
            .await?
            .is_none()
    );

    // Newest first; text matches part of the address.
    let (all, total) = store
        .list_invitations(&ins, &query(vec![], None, NOW))
        .await?;
    assert_eq!(total, 2);
    assert_eq!(all[0].id, bob.id);
    let (hits, _) = store
        .list_invitations(&ins, &query(vec![], Some("ANN@"), NOW))
        .await?;
    assert_eq!(hits.len(), 1);

    // Revoked once: a second write from the same version is stale.
    let mut revoked = stored.clone();
    revoked.revoke(NOW + 5)?;
    commit(&store, &ins, vec![Write::UpdateInvitation(revoked.clone())]).await?;
    let again = commit(&store, &ins, vec![Write::UpdateInvitation(revoked)]).await;
    assert!(matches!(again, Err(StoreError::Stale)), "{again:?}");
    let (r, _) = store
        .list_invitations(&ins, &query(vec![InvitationStatus::Revoked], None, NOW))
        .await?;
    assert_eq!(r.len(), 1);

    // A day later bob's pending invitation reads as expired, without a write.
    let later = NOW + DAY + 10;
    let (p, n) = store
        .list_invitations(&ins, &query(vec![InvitationStatus::Pending], None, later))
        .await?;
    assert_eq!((p.len(), n), (0, 0));
    let (e, _) = store
        .list_invitations(&ins, &query(vec![InvitationStatus::Expired], None, later))
        .await?;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].status_at(later), InvitationStatus::Expired);
    Ok(())
}

pub async fn identifier_lists_hold_an_identifier_once_per_list(store: Arc<dyn Store>) -> Outcome {
    use usher_core::identifier_lists::{ListKind, new_entry};
    let ins = create_instance(&store).await?.id;
    let domain = new_entry(ListKind::Block, "*@Evil.test", NOW)?;
    let vip = new_entry(ListKind::Allow, "vip@ok.test", NOW + 1)?;
    let vip_blocked = new_entry(ListKind::Block, "vip@ok.test", NOW + 2)?;
    commit(
        &store,
        &ins,
        vec![
            Write::InsertListedIdentifier(domain.clone()),
            Write::InsertListedIdentifier(vip.clone()),
            Write::InsertListedIdentifier(vip_blocked.clone()),
        ],
    )
    .await?;
    let again = new_entry(ListKind::Block, "*@evil.test", NOW + 3)?;
    let taken = commit(&store, &ins, vec![Write::InsertListedIdentifier(again)]).await;
    assert!(
        matches!(taken, Err(StoreError::KeyTaken { .. })),
        "{taken:?}"
    );
    let blocked = store.identifier_list(&ins, Some(ListKind::Block)).await?;
    assert_eq!(
        blocked
            .iter()
            .map(|e| e.identifier.as_str())
            .collect::<Vec<_>>(),
        ["*@evil.test", "vip@ok.test"]
    );
    assert_eq!(store.identifier_list(&ins, None).await?.len(), 3);
    commit(
        &store,
        &ins,
        vec![Write::DeleteListedIdentifier {
            id: domain.id.clone(),
        }],
    )
    .await?;
    let blocked = store.identifier_list(&ins, Some(ListKind::Block)).await?;
    assert_eq!(blocked, vec![vip_blocked]);
    let gone = commit(
        &store,
        &ins,
        vec![Write::DeleteListedIdentifier { id: domain.id }],
    )
    .await;
    assert!(gone.is_err());
    Ok(())
}
