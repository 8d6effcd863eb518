//! Enrollment by verified domain, added to the change that creates a user (a sign-up, the
//! Backend API's create): the pending invitations and suggestions the user's verified addresses
//! earn (`core::organizations::enrollment`), with their events, in the same transaction.
//! Clerk documents this at sign-up only, so a domain verified, or switched to an automatic mode,
//! later enrolls the users who sign up from then on; existing users are not back-filled.

use usher_core::CoreResult;
use usher_core::events::DomainEvent;
use usher_core::ids::OrganizationId;
use usher_core::organizations::domains::{DomainQuery, OrganizationDomain};
use usher_core::organizations::enrollment::{self, Enrollment, Surroundings};
use usher_core::organizations::invitations::{self, InvitationQuery, InvitationStatus};
use usher_core::organizations::suggestions::{SuggestionQuery, SuggestionStatus};
use usher_core::store::Write;
use usher_core::users::User;
use usher_core::users::query::{MAX_LIMIT, Page};

use super::Change;

/// Adds what `user`'s verified addresses earn to `change`. `joining` is an organization the
/// change makes the user a member of already (an invitation accepted at sign-up).
pub async fn enroll(
    change: &mut Change<'_>,
    user: &User,
    joining: Option<&OrganizationId>,
) -> CoreResult<()> {
    let names = enrollment::domain_names(user);
    if names.is_empty() {
        return Ok(());
    }
    let state = change.state();
    let ins = &state.instance.id;
    let now = state.now();
    let query = DomainQuery {
        verified: Some(true),
        names,
        page: Page {
            limit: MAX_LIMIT,
            offset: 0,
        },
        ..Default::default()
    };
    let (found, _) = state.store.list_organization_domains(ins, &query).await?;
    if found.is_empty() {
        return Ok(());
    }
    let mut domains = Vec::with_capacity(found.len());
    for d in found {
        // A domain read while its organization is being deleted enrolls no one.
        if let Some(org) = state
            .store
            .get_organization(ins, &d.organization_id)
            .await?
        {
            domains.push((d, org));
        }
    }
    let addresses: Vec<String> = user
        .email_addresses
        .iter()
        .map(|e| e.email_address.to_lowercase())
        .collect();
    let pending = InvitationQuery {
        any_email_address: Some(addresses),
        statuses: vec![InvitationStatus::Pending],
        now,
        page: Page {
            limit: MAX_LIMIT,
            offset: 0,
        },
        ..Default::default()
    };
    let (invitations, _) = state
        .store
        .list_organization_invitations(ins, &pending)
        .await?;
    let invited: Vec<(OrganizationId, String)> = invitations
        .into_iter()
        .map(|i| (i.organization_id, i.email_address))
        .collect();
    let member_of: Vec<OrganizationId> = joining.into_iter().cloned().collect();
    let around = Surroundings {
        domains: &domains,
        member_of: &member_of,
        invited: &invited,
    };
    for e in enrollment::plan(user, &around, now) {
        match e {
            Enrollment::Invitation(inv) => {
                change
                    .write(Write::InsertOrganizationInvitation(inv.clone()))
                    .event(DomainEvent::OrganizationInvitationCreated(Box::new(
                        inv.clone(),
                    )))
                    .audit("organization.invitation.create", Some(&inv.id));
            }
            Enrollment::Suggestion(s) => {
                change
                    .write(Write::InsertOrganizationSuggestion(s.clone()))
                    .audit("organization.suggestion.create", Some(&s.id));
            }
        }
    }
    Ok(())
}

/// Adds withdrawing what `domain` enrolled and nobody acted on yet to `change`: its pending
/// invitations revoked (`organizationInvitation.revoked` each) and its pending suggestions
/// deleted — Clerk's `delete_pending` when a domain's enrollment mode changes. Returns how many
/// of each.
pub async fn withdraw_pending(
    change: &mut Change<'_>,
    domain: &OrganizationDomain,
) -> CoreResult<(usize, usize)> {
    let state = change.state();
    let ins = &state.instance.id;
    let now = state.now();
    let all = Page {
        limit: MAX_LIMIT,
        offset: 0,
    };
    let pending = InvitationQuery {
        organization_id: Some(domain.organization_id.clone()),
        statuses: vec![InvitationStatus::Pending],
        now,
        page: all.clone(),
        ..Default::default()
    };
    let (invitations, _) = state
        .store
        .list_organization_invitations(ins, &pending)
        .await?;
    let suffix = format!("@{}", domain.name);
    let mut revoked = 0;
    for mut inv in invitations
        .into_iter()
        .filter(|i| i.email_address.ends_with(&suffix))
    {
        invitations::revoke(&mut inv, now)?;
        change
            .write(Write::UpdateOrganizationInvitation(inv.clone()))
            .event(DomainEvent::OrganizationInvitationRevoked(Box::new(
                inv.clone(),
            )))
            .audit("organization.invitation.revoke", Some(&inv.id));
        revoked += 1;
    }
    let query = SuggestionQuery {
        organization_id: Some(domain.organization_id.clone()),
        email_domain: Some(domain.name.clone()),
        statuses: vec![SuggestionStatus::Pending],
        page: all,
        ..Default::default()
    };
    let (suggestions, _) = state
        .store
        .list_organization_suggestions(ins, &query)
        .await?;
    let deleted = suggestions.len();
    for s in suggestions {
        change
            .write(Write::DeleteOrganizationSuggestion {
                id: s.id.clone(),
                version: s.version,
            })
            .audit("organization.suggestion.delete", Some(&s.id));
    }
    Ok((revoked, deleted))
}
