//! An organization's domains: read, let core decide, commit the change with its event and audit
//! entry in one transaction.

use usher_core::events::DomainEvent;
use usher_core::ids::{OrganizationDomainId, OrganizationId};
use usher_core::organizations::domains::{
    self, DomainPatch, DomainQuery, NewDomain, OrganizationDomain,
};
use usher_core::store::{DomainPendingCount, Write};
use usher_core::{CoreError, CoreResult};

use super::organizations::get_by_id;
use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::state::AppState;

const DOMAIN: &str = "organization domain";

async fn get(
    state: &AppState,
    organization_id: &OrganizationId,
    id: &OrganizationDomainId,
) -> CoreResult<OrganizationDomain> {
    state
        .store
        .get_organization_domain(&state.instance.id, organization_id, id)
        .await?
        .ok_or(CoreError::NotFound { resource: DOMAIN })
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

pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    organization_id: &OrganizationId,
    id: &OrganizationDomainId,
    patch: DomainPatch,
) -> CoreResult<OrganizationDomain> {
    with_retry(|| async {
        let mut d = get(state, organization_id, id).await?;
        patch.apply(&mut d, state.now())?;
        let mut change = Change::new(state, ctx);
        change
            .write(Write::UpdateOrganizationDomain(d.clone()))
            .event(DomainEvent::OrganizationDomainUpdated(Box::new(d)));
        change.commit("organization_domain.update", Some(id)).await
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
