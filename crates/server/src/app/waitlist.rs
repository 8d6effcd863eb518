//! The waitlist (`/v1/waitlist_entries`, and the Frontend API's `/v1/waitlist`): joining,
//! inviting (an instance invitation created in the same transaction), rejecting and deleting,
//! each change committed with its `waitlistEntry.*` event and audit entry.

use usher_core::events::DomainEvent;
use usher_core::invitations::{Invitation, InvitationStatus, NewInvitation};
use usher_core::store::Write;
use usher_core::waitlist::{MAX_BULK, WaitlistEntry, WaitlistQuery, WaitlistStatus};
use usher_core::{CoreError, CoreResult};

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::app::found;
use crate::state::AppState;

const RESOURCE: &str = "waitlist entry";

pub async fn get(state: &AppState, id: &str) -> CoreResult<WaitlistEntry> {
    found(
        state
            .store
            .get_waitlist_entry(&state.instance.id, id)
            .await?,
        RESOURCE,
    )
}

/// The invitation an invited entry received, if it is still there.
pub async fn invitation_of(state: &AppState, e: &WaitlistEntry) -> CoreResult<Option<Invitation>> {
    match &e.invitation_id {
        Some(id) => Ok(state.store.get_invitation(&state.instance.id, id).await?),
        None => Ok(None),
    }
}

pub async fn list(
    state: &AppState,
    query: &WaitlistQuery,
) -> CoreResult<(Vec<(WaitlistEntry, Option<Invitation>)>, i64)> {
    let (entries, total) = state
        .store
        .list_waitlist_entries(&state.instance.id, query)
        .await?;
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let inv = invitation_of(state, &e).await?;
        out.push((e, inv));
    }
    Ok((out, total))
}

/// Puts every address of `emails` on the waitlist, in one transaction: an address already
/// there keeps its entry (answered as it is), a new one gets a pending entry and its
/// `waitlistEntry.created` event. Whether the address has an account is neither read nor told.
pub async fn join_many(
    state: &AppState,
    ctx: &RequestContext,
    emails: &[String],
) -> CoreResult<Vec<WaitlistEntry>> {
    usher_core::bulk::count("email_address", emails.len(), MAX_BULK, "entries")?;
    let now = state.now();
    let fresh = emails
        .iter()
        .map(|e| WaitlistEntry::new(e, now))
        .collect::<CoreResult<Vec<_>>>()?;
    for (i, e) in fresh.iter().enumerate() {
        if fresh[..i]
            .iter()
            .any(|x| x.email_address == e.email_address)
        {
            return Err(CoreError::value(
                "email_address",
                "each address may appear once per request",
            ));
        }
    }
    with_retry(|| async {
        let mut change = Change::new(state, ctx);
        let mut out = Vec::with_capacity(fresh.len());
        for e in &fresh {
            let existing = state
                .store
                .waitlist_entry_by_email(&state.instance.id, &e.email_address)
                .await?;
            if let Some(existing) = existing {
                out.push(existing);
                continue;
            }
            let mut e = e.clone();
            e.version = 1;
            change
                .write(Write::InsertWaitlistEntry(e.clone()))
                .event(DomainEvent::WaitlistEntryCreated(Box::new(e.clone())))
                .audit("waitlist_entry.create", Some(&e.id));
            out.push(e);
        }
        match change.commit_audited().await {
            // Joined at the same moment by another request: read again, and answer its entry.
            Err(CoreError::KeyTaken { .. }) => Err(CoreError::Conflict),
            other => other.map(|()| out),
        }
    })
    .await
}

/// One address joins (the Frontend API's `POST /v1/waitlist`, `POST /v1/waitlist_entries`).
pub async fn join(
    state: &AppState,
    ctx: &RequestContext,
    email: &str,
) -> CoreResult<WaitlistEntry> {
    join_many(state, ctx, &[email.to_owned()])
        .await?
        .into_iter()
        .next()
        .ok_or(CoreError::NotFound { resource: RESOURCE })
}

/// Invites the entry: an instance invitation to its address (emailed), and the entry marked
/// invited, in one transaction with `waitlistEntry.updated`.
pub async fn invite(
    state: &AppState,
    ctx: &RequestContext,
    id: &str,
    ignore_existing: bool,
) -> CoreResult<(WaitlistEntry, Option<Invitation>)> {
    with_retry(|| async {
        let mut entry = get(state, id).await?;
        if entry.status == WaitlistStatus::Invited || entry.status == WaitlistStatus::Completed {
            return Err(CoreError::WaitlistEntryNotActionable {
                status: entry.status.as_str(),
            });
        }
        let mut change = Change::new(state, ctx);
        let input = NewInvitation {
            email_address: Some(entry.email_address.clone()),
            ignore_existing,
            ..Default::default()
        };
        let inv = super::invitations::add_into(&mut change, &input, &[]).await?;
        entry.invite(inv.id.clone(), state.now())?;
        change
            .write(Write::UpdateWaitlistEntry(entry.clone()))
            .event(DomainEvent::WaitlistEntryUpdated {
                entry: Box::new(entry.clone()),
                invitation: Some(Box::new(inv.clone())),
            })
            .audit("waitlist_entry.invite", Some(&entry.id));
        change.commit_audited().await?;
        entry.version += 1;
        Ok((entry, Some(inv)))
    })
    .await
}

/// Turns the entry away; an invitation it received and nobody used is revoked with it.
pub async fn reject(
    state: &AppState,
    ctx: &RequestContext,
    id: &str,
) -> CoreResult<(WaitlistEntry, Option<Invitation>)> {
    with_retry(|| async {
        let mut entry = get(state, id).await?;
        let now = state.now();
        entry.reject(now)?;
        let mut change = Change::new(state, ctx);
        let mut inv = invitation_of(state, &entry).await?;
        if let Some(i) = inv.as_mut()
            && i.status_at(now) == InvitationStatus::Pending
        {
            i.revoke(now)?;
            change.write(Write::UpdateInvitation(i.clone()));
        }
        change
            .write(Write::UpdateWaitlistEntry(entry.clone()))
            .event(DomainEvent::WaitlistEntryUpdated {
                entry: Box::new(entry.clone()),
                invitation: inv.clone().map(Box::new),
            })
            .audit("waitlist_entry.reject", Some(&entry.id));
        change.commit_audited().await?;
        entry.version += 1;
        Ok((entry, inv))
    })
    .await
}

/// Deletes a pending entry (any other is 409).
pub async fn delete(state: &AppState, ctx: &RequestContext, id: &str) -> CoreResult<()> {
    with_retry(|| async {
        let entry = get(state, id).await?;
        entry.check_deletable()?;
        let mut change = Change::new(state, ctx);
        change.write(Write::DeleteWaitlistEntry {
            id: entry.id.clone(),
            version: entry.version,
        });
        change
            .commit("waitlist_entry.delete", Some(&entry.id))
            .await
    })
    .await
}

/// Marks the waitlist entry that `inv` was sent to completed, in the sign-up's `change` (its
/// invitee signed up with it).
pub async fn complete_into(change: &mut Change<'_>, inv: &Invitation) -> CoreResult<()> {
    let state = change.state();
    let Some(mut entry) = state
        .store
        .waitlist_entry_by_email(&state.instance.id, &inv.email_address)
        .await?
        .filter(|e| e.invitation_id.as_ref() == Some(&inv.id))
    else {
        return Ok(());
    };
    entry.complete(state.now());
    change
        .write(Write::UpdateWaitlistEntry(entry.clone()))
        .event(DomainEvent::WaitlistEntryUpdated {
            entry: Box::new(entry),
            invitation: Some(Box::new(inv.clone())),
        });
    Ok(())
}
