//! Organization invitations: `/v1/organizations/{id}/invitations…`,
//! `/v1/organization_invitations` and `/v1/users/{id}/organization_invitations`.

use std::collections::HashMap;

use axum::Json;
use axum::response::{IntoResponse, Response};
use usher_core::CoreError;
use usher_core::ids::OrganizationId;
use usher_core::organizations::invitations::{
    InvitationQuery, InvitationStatus, OrganizationInvitation,
};
use usher_core::organizations::model::Organization;
use usher_core::users::query::Page;

use super::call::Call;
use crate::app::organization_invitations as app;
use crate::error::{ApiError, ApiResult};
use crate::extract::body::JsonBody;
use crate::extract::path::{InvitationPath, OrganizationPath, Path, UserPath};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::lists::paginated;
use crate::wire::organization_invitations::InvitationJson;
use crate::wire::requests::organization_invitations::{
    BulkInvitationRequest, CreateInvitationRequest, RevokeInvitationRequest,
};

fn one(state: &AppState, i: &OrganizationInvitation) -> Response {
    Json(InvitationJson::new(i, state.now())).into_response()
}

fn list_json(state: &AppState, list: &[OrganizationInvitation], total: i64) -> Response {
    let now = state.now();
    paginated(
        list.iter().map(|i| InvitationJson::new(i, now)).collect(),
        total,
    )
}

/// A page across organizations: each invitation with its organization's public data (each
/// organization read once).
async fn list_with_organizations_json(
    state: &AppState,
    list: &[OrganizationInvitation],
    total: i64,
) -> ApiResult {
    let now = state.now();
    let mut orgs: HashMap<&OrganizationId, Organization> = HashMap::new();
    let mut data = Vec::with_capacity(list.len());
    for i in list {
        let json = InvitationJson::new(i, now);
        if !orgs.contains_key(&i.organization_id) {
            let o = crate::app::organizations::get_by_id(state, &i.organization_id).await?;
            orgs.insert(&i.organization_id, o);
        }
        data.push(match orgs.get(&i.organization_id) {
            Some(o) => json.with_organization(o),
            None => json,
        });
    }
    Ok(paginated(data, total))
}

fn query_from(state: &AppState, q: &QueryParams) -> Result<InvitationQuery, ApiError> {
    super::invitations::query_from(state, q, &["-created_at", "created_at"], "created_at")
}

/// The query of one organization's invitations: the organization must exist (else 404).
async fn organization_query_from(
    state: &AppState,
    organization_id: OrganizationId,
    q: &QueryParams,
) -> Result<InvitationQuery, ApiError> {
    crate::app::organizations::get_by_id(state, &organization_id).await?;
    let mut query = query_from(state, q)?;
    query.organization_id = Some(organization_id);
    Ok(query)
}

pub async fn create(
    Call { state, ctx }: Call,
    Path(p): Path<OrganizationPath>,
    JsonBody(body): JsonBody<CreateInvitationRequest>,
) -> ApiResult {
    let made = app::create_many(&state, &ctx, &p.organization_id, vec![body.into()]).await?;
    let inv = made
        .first()
        .ok_or(CoreError::NotFound {
            resource: "organization invitation",
        })
        .map_err(ApiError::from)?;
    Ok(one(&state, inv))
}

pub async fn create_bulk(
    Call { state, ctx }: Call,
    Path(p): Path<OrganizationPath>,
    body: axum::body::Bytes,
) -> ApiResult {
    let JsonBody(body) =
        JsonBody::<BulkInvitationRequest>::parse(&BulkInvitationRequest::wrap(&body))?;
    let inputs = body.invitations.into_iter().map(Into::into).collect();
    let made = app::create_many(&state, &ctx, &p.organization_id, inputs).await?;
    Ok(list_json(&state, &made, made.len() as i64))
}

pub async fn list(
    Call { state, .. }: Call,
    Path(p): Path<OrganizationPath>,
    q: QueryParams,
) -> ApiResult {
    let query = organization_query_from(&state, p.organization_id, &q).await?;
    let (list, total) = app::list(&state, &query).await?;
    Ok(list_json(&state, &list, total))
}

/// `GET …/invitations/pending`: Clerk's older route, the list filtered to pending.
pub async fn list_pending(
    Call { state, .. }: Call,
    Path(p): Path<OrganizationPath>,
    q: QueryParams,
) -> ApiResult {
    let mut query = organization_query_from(&state, p.organization_id, &q).await?;
    query.statuses = vec![InvitationStatus::Pending];
    let (list, total) = app::list(&state, &query).await?;
    Ok(list_json(&state, &list, total))
}

/// `GET /v1/organization_invitations`: every organization's.
pub async fn list_all(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let query = query_from(&state, &q)?;
    let (list, total) = app::list(&state, &query).await?;
    list_with_organizations_json(&state, &list, total).await
}

/// `GET /v1/users/{user_id}/organization_invitations`: those sent to the user's addresses.
pub async fn list_of_user(
    Call { state, .. }: Call,
    Path(p): Path<UserPath>,
    q: QueryParams,
) -> ApiResult {
    let user = crate::app::users::get(&state, &p.user_id).await?;
    let base = query_from(&state, &q)?;
    let mut all = Vec::new();
    for e in &user.email_addresses {
        let query = InvitationQuery {
            email_address: Some(e.email_address.clone()),
            page: Page {
                limit: 500,
                offset: 0,
            },
            ..base.clone()
        };
        all.extend(app::list(&state, &query).await?.0);
    }
    all.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
    let total = all.len() as i64;
    let page: Vec<_> = base.page.of(all).collect();
    list_with_organizations_json(&state, &page, total).await
}

pub async fn get(Call { state, .. }: Call, Path(p): Path<InvitationPath>) -> ApiResult {
    let inv = app::get(&state, &p.organization_id, &p.invitation_id).await?;
    Ok(one(&state, &inv))
}

pub async fn revoke(
    Call { state, ctx }: Call,
    Path(p): Path<InvitationPath>,
    JsonBody(body): JsonBody<RevokeInvitationRequest>,
) -> ApiResult {
    if let Some(user) = body.requesting_user_id.as_deref() {
        crate::app::users::get_named(&state, user).await?;
    }
    let inv = app::revoke(&state, &ctx, &p.organization_id, &p.invitation_id).await?;
    Ok(one(&state, &inv))
}
