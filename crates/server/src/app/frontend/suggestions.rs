//! The signed-in user's organization suggestions, and accepting one: the suggestion becomes
//! `accepted` and the request to join is made, in one transaction. Someone else's suggestion is
//! not found, as one that does not exist.

use usher_core::ids::{OrganizationSuggestionId, UserId};
use usher_core::organizations::Organization;
use usher_core::organizations::membership_requests::{RequestQuery, RequestStatus};
use usher_core::organizations::suggestions::{
    self, OrganizationSuggestion, SuggestionQuery, SuggestionStatus,
};
use usher_core::store::Write;
use usher_core::users::query::Page;
use usher_core::{CoreError, CoreResult};

use super::organizations::enabled;
use crate::app::context::RequestContext;
use crate::app::organizations::get_by_id;
use crate::app::{Change, with_retry};
use crate::state::AppState;

const SUGGESTION: &str = "organization suggestion";

/// A suggestion with the organization it suggests (its public data is shown with it).
pub type WithOrganization = (OrganizationSuggestion, Organization);

/// `GET /v1/me/organization_suggestions`: newest first, `statuses` empty for every status.
pub async fn mine(
    state: &AppState,
    user_id: &UserId,
    statuses: Vec<SuggestionStatus>,
    page: Page,
) -> CoreResult<(Vec<WithOrganization>, i64)> {
    enabled(state)?;
    let query = SuggestionQuery {
        user_id: Some(user_id.clone()),
        statuses,
        page,
        ..Default::default()
    };
    let ins = &state.instance.id;
    let (list, total) = state
        .store
        .list_organization_suggestions(ins, &query)
        .await?;
    let mut out = Vec::with_capacity(list.len());
    for s in list {
        // Deleted with its organization; one read between the two is skipped.
        if let Some(org) = state
            .store
            .get_organization(ins, &s.organization_id)
            .await?
        {
            out.push((s, org));
        }
    }
    Ok((out, total))
}

/// `POST /v1/me/organization_suggestions/{id}/accept`.
pub async fn accept_mine(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    id: &OrganizationSuggestionId,
) -> CoreResult<WithOrganization> {
    enabled(state)?;
    let ins = &state.instance.id;
    with_retry(|| async {
        let mut s = state
            .store
            .get_organization_suggestion(ins, id)
            .await?
            .filter(|s| &s.user_id == user_id)
            .ok_or(CoreError::NotFound {
                resource: SUGGESTION,
            })?;
        let org = get_by_id(state, &s.organization_id).await?;
        let request = suggestions::accept(&mut s, state.now())?;
        // A request already waiting for the admins stands for this one too.
        let waiting = RequestQuery {
            organization_id: Some(org.id.clone()),
            user_id: Some(user_id.clone()),
            statuses: vec![RequestStatus::Pending],
            page: Page {
                limit: 1,
                offset: 0,
            },
        };
        let (_, n) = state.store.list_membership_requests(ins, &waiting).await?;
        let mut change = Change::new(state, ctx);
        change.write(Write::UpdateOrganizationSuggestion(s.clone()));
        if n == 0 {
            change
                .write(Write::InsertMembershipRequest(request.clone()))
                .audit("organization.membership_request.create", Some(&request.id));
        }
        change.audit("organization.suggestion.accept", Some(&s.id));
        change.commit_audited().await?;
        s.version += 1;
        Ok((s, org))
    })
    .await
}
