//! An organization's domains: read, let core decide, commit the change with its event and audit
//! entry in one transaction.

use usher_core::clients::sign_ins::CodeToSend;
use usher_core::events::DomainEvent;
use usher_core::ids::{OrganizationDomainId, OrganizationId};
use usher_core::organizations::affiliation;
use usher_core::organizations::domains::{
    self, DomainPatch, DomainQuery, NewDomain, OrganizationDomain,
};
use usher_core::store::{DomainPendingCount, Write};
use usher_core::users::User;
use usher_core::{CoreError, CoreResult};

use super::organizations::get_by_id;
use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::app::found;
use crate::state::AppState;

const DOMAIN: &str = "organization domain";

pub(crate) async fn get(
    state: &AppState,
    organization_id: &OrganizationId,
    id: &OrganizationDomainId,
) -> CoreResult<OrganizationDomain> {
    found(
        state
            .store
            .get_organization_domain(&state.instance.id, organization_id, id)
            .await?,
        DOMAIN,
    )
}

pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    organization_id: &OrganizationId,
    input: NewDomain,
) -> CoreResult<OrganizationDomain> {
    let org = get_by_id(state, organization_id).await?;
    let d = domains::validate_new(&org, input, state.now())?;
    let mut change = Change::new(state, ctx);
    change
        .write(Write::InsertOrganizationDomain(d.clone()))
        .event(DomainEvent::OrganizationDomainCreated(Box::new(d.clone())));
    change
        .commit("organization_domain.create", Some(&d.id))
        .await?;
    get(state, organization_id, &d.id).await
}

/// `query.organization_id` set: one organization's domains (404 when it does not exist).
pub async fn list(
    state: &AppState,
    query: &DomainQuery,
) -> CoreResult<(Vec<OrganizationDomain>, i64)> {
    if let Some(org) = &query.organization_id {
        get_by_id(state, org).await?;
    }
    Ok(state
        .store
        .list_organization_domains(&state.instance.id, query)
        .await?)
}

/// The domain `d` as changed, with its `organizationDomain.updated` event.
fn write_updated(change: &mut Change<'_>, d: OrganizationDomain) {
    change
        .write(Write::UpdateOrganizationDomain(d.clone()))
        .event(DomainEvent::OrganizationDomainUpdated(Box::new(d)));
}

pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    organization_id: &OrganizationId,
    id: &OrganizationDomainId,
    patch: DomainPatch,
) -> CoreResult<OrganizationDomain> {
    apply_patch(state, ctx, organization_id, id, patch, false).await
}

/// `patch` applied, with the domain's pending invitations and suggestions withdrawn in the same
/// change when `delete_pending`.
async fn apply_patch(
    state: &AppState,
    ctx: &RequestContext,
    organization_id: &OrganizationId,
    id: &OrganizationDomainId,
    patch: DomainPatch,
    delete_pending: bool,
) -> CoreResult<OrganizationDomain> {
    with_retry(|| async {
        let mut d = get(state, organization_id, id).await?;
        patch.apply(&mut d, state.now())?;
        let mut change = Change::new(state, ctx);
        if delete_pending {
            super::organization_enrollment::withdraw_pending(&mut change, &d).await?;
        }
        write_updated(&mut change, d);
        change.commit("organization_domain.update", Some(id)).await
    })
    .await?;
    get(state, organization_id, id).await
}

/// Declares the domain owned (Clerk's dashboard override of the DNS challenge). Idempotent: an
/// owned domain is returned as it is, with no second event or audit entry.
pub async fn verify_ownership(
    state: &AppState,
    ctx: &RequestContext,
    organization_id: &OrganizationId,
    id: &OrganizationDomainId,
) -> CoreResult<OrganizationDomain> {
    with_retry(|| async {
        let mut d = get(state, organization_id, id).await?;
        if !d.verify_ownership(state.now()) {
            return Ok(());
        }
        let mut change = Change::new(state, ctx);
        write_updated(&mut change, d);
        change
            .commit("organization_domain.ownership_verified", Some(id))
            .await
    })
    .await?;
    get(state, organization_id, id).await
}

pub async fn delete(
    state: &AppState,
    ctx: &RequestContext,
    organization_id: &OrganizationId,
    id: &OrganizationDomainId,
) -> CoreResult<OrganizationDomain> {
    with_retry(|| async {
        let d = get(state, organization_id, id).await?;
        let mut change = Change::new(state, ctx);
        change
            .write(Write::DeleteOrganizationDomain {
                id: d.id.clone(),
                version: d.version,
            })
            .event(DomainEvent::OrganizationDomainDeleted {
                id: d.id.to_string(),
            });
        change
            .commit("organization_domain.delete", Some(id))
            .await?;
        Ok(d)
    })
    .await
}

/// A new enrollment mode (`update_enrollment_mode` on the Frontend API). `delete_pending` asks
/// for the domain's pending invitations and suggestions to go in the same change.
pub async fn change_enrollment_mode(
    state: &AppState,
    ctx: &RequestContext,
    organization_id: &OrganizationId,
    id: &OrganizationDomainId,
    enrollment_mode: String,
    delete_pending: bool,
) -> CoreResult<OrganizationDomain> {
    let patch = DomainPatch {
        enrollment_mode: Some(enrollment_mode),
        verified: None,
    };
    apply_patch(state, ctx, organization_id, id, patch, delete_pending).await
}

/// Whether another organization of the instance has verified `d`'s name.
async fn verified_elsewhere(state: &AppState, d: &OrganizationDomain) -> CoreResult<bool> {
    let query = DomainQuery {
        verified: Some(true),
        names: vec![d.name.clone()],
        ..Default::default()
    };
    let (found, _) = state
        .store
        .list_organization_domains(&state.instance.id, &query)
        .await?;
    Ok(found.iter().any(|o| o.organization_id != d.organization_id))
}

/// Emails a code to `email_address` (at the domain) and keeps its hash on the domain, in one
/// change with the email and its `email.created` event. `caller` is who asked: the email is in
/// their language.
pub async fn prepare_affiliation(
    state: &AppState,
    ctx: &RequestContext,
    organization_id: &OrganizationId,
    id: &OrganizationDomainId,
    email_address: &str,
    caller: &User,
) -> CoreResult<OrganizationDomain> {
    with_retry(|| async {
        let mut d = get(state, organization_id, id).await?;
        // A code would prove nothing that could be kept: the store lets one organization
        // verify a name. (The unique index still decides a race at the attempt.)
        if verified_elsewhere(state, &d).await? {
            return Err(CoreError::IdentifierExists { param: "name" });
        }
        let code = affiliation::prepare(
            &mut d,
            email_address,
            state.instance.environment,
            state.now(),
        )?;
        let mut change = Change::new(state, ctx);
        if let (Some(code), Some(a)) = (code, d.affiliation.as_ref()) {
            let to = CodeToSend {
                code,
                email_address: a.email_address.clone(),
                email_address_id: String::new(),
            };
            super::frontend::send_code(state, &mut change, &to, Some(caller), false);
        }
        write_updated(&mut change, d);
        change
            .commit("organization_domain.prepare_affiliation", Some(id))
            .await
    })
    .await?;
    get(state, organization_id, id).await
}

/// Checks a code. A wrong one is counted (stored) before its error is answered; the right one
/// verifies the domain, with an `organizationDomain.updated` event.
pub async fn attempt_affiliation(
    state: &AppState,
    ctx: &RequestContext,
    organization_id: &OrganizationId,
    id: &OrganizationDomainId,
    code: &str,
) -> CoreResult<OrganizationDomain> {
    let outcome = with_retry(|| async {
        let mut d = get(state, organization_id, id).await?;
        let before = d.affiliation.clone();
        let outcome = affiliation::attempt(&mut d, code, state.now());
        if d.affiliation == before {
            return Ok(outcome);
        }
        let mut change = Change::new(state, ctx);
        change.write(Write::UpdateOrganizationDomain(d.clone()));
        // A counted attempt is bookkeeping; the domain becoming verified is news.
        if outcome.is_ok() {
            change.event(DomainEvent::OrganizationDomainUpdated(Box::new(d)));
        }
        change
            .commit("organization_domain.attempt_affiliation", Some(id))
            .await?;
        Ok(outcome)
    })
    .await?;
    outcome?;
    get(state, organization_id, id).await
}

/// Each domain's pending invitations and suggestions, in the order given (Clerk's
/// `total_pending_invitations` and `total_pending_suggestions`).
pub async fn pending(
    state: &AppState,
    list: &[OrganizationDomain],
) -> CoreResult<Vec<DomainPendingCount>> {
    let mut counted: Vec<(OrganizationId, DomainPendingCount)> = Vec::new();
    let mut orgs: Vec<&OrganizationId> = list.iter().map(|d| &d.organization_id).collect();
    orgs.sort();
    orgs.dedup();
    for org in orgs {
        let names: Vec<String> = list
            .iter()
            .filter(|d| &d.organization_id == org)
            .map(|d| d.name.clone())
            .collect();
        let counts = state
            .store
            .domain_pending_counts(&state.instance.id, org, &names, state.now())
            .await?;
        counted.extend(counts.into_iter().map(|c| (org.clone(), c)));
    }
    Ok(list
        .iter()
        .map(|d| {
            counted
                .iter()
                .find(|(o, c)| o == &d.organization_id && c.name == d.name)
                .map(|(_, c)| c.clone())
                .unwrap_or_else(|| DomainPendingCount {
                    name: d.name.clone(),
                    ..Default::default()
                })
        })
        .collect())
}
