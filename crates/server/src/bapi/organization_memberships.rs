//! Organization memberships: `/v1/organizations/{id}/memberships…`,
//! `/v1/organization_memberships` and `/v1/users/{id}/organization_memberships`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use usher_core::CoreError;
use usher_core::organizations::model::MembershipDetails;
use usher_core::organizations::query::{MembershipOrder, MembershipQuery};
use usher_core::users::query::Page;

use super::call::Call;
use super::users::split_signed;
use crate::app::organizations as app;
use crate::error::{ApiError, ApiResult};
use crate::extract::body::JsonBody;
use crate::extract::path::{MembershipPath, OrganizationPath, Path, UserPath};
use crate::extract::query::QueryParams;
use crate::wire::lists::paginated;
use crate::wire::organizations::MembershipJson;
use crate::wire::requests::organizations::{
    CreateMembershipRequest, OrganizationMetadataRequest, UpdateMembershipRequest,
};

fn membership_json(d: &MembershipDetails) -> Response {
    Json(MembershipJson::new(d)).into_response()
}

fn list_json(list: &[MembershipDetails], total: i64) -> Response {
    paginated(list.iter().map(MembershipJson::new).collect(), total)
}

/// Filters Clerk defines for an organization's members that Usher does not implement yet:
/// refused when given, so that no filter is silently dropped.
const UNSUPPORTED_FILTERS: &[&str] = &[
    "email_address",
    "phone_number",
    "username",
    "web3_wallet",
    "email_address_query",
    "phone_number_query",
    "username_query",
    "name_query",
    "last_active_at_before",
    "last_active_at_after",
    "created_at_before",
    "created_at_after",
];

fn page_and_order(q: &QueryParams) -> Result<(Page, MembershipOrder), ApiError> {
    let page = q.page()?;
    let order = q
        .one("order_by")
        .map(MembershipOrder::parse)
        .transpose()
        .map_err(ApiError::query)?
        .unwrap_or_default();
    Ok((page, order))
}

/// `GET /v1/organizations/{id}/memberships`'s query.
fn org_list_query_from(q: &QueryParams) -> Result<MembershipQuery, ApiError> {
    for name in UNSUPPORTED_FILTERS {
        if q.one(name).is_some() {
            return Err(ApiError::query(CoreError::value(
                *name,
                "is not supported by this server yet",
            )));
        }
    }
    let (user_ids, exclude_user_ids) = split_signed(q.all("user_id"));
    let roles = q.all("role");
    for (name, n) in [
        ("user_id", user_ids.len() + exclude_user_ids.len()),
        ("role", roles.len()),
    ] {
        if n > 100 {
            return Err(ApiError::query(CoreError::value(
                name,
                "accepts at most 100 values",
            )));
        }
    }
    let (page, order) = page_and_order(q)?;
    Ok(MembershipQuery {
        user_ids,
        exclude_user_ids,
        roles,
        query: q.one("query").map(str::to_owned),
        order,
        page,
        ..Default::default()
    })
}

pub async fn list(
    Call { state, .. }: Call,
    Path(p): Path<OrganizationPath>,
    q: QueryParams,
) -> ApiResult {
    let query = org_list_query_from(&q)?;
    let (list, total) = app::list_memberships(&state, &p.organization_id, query).await?;
    Ok(list_json(&list, total))
}

/// `GET /v1/organization_memberships`: every membership of the instance.
pub async fn list_all(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let (page, order) = page_and_order(&q)?;
    let query = MembershipQuery {
        page,
        order,
        ..Default::default()
    };
    let (list, total) = app::memberships_of(&state, None, query).await?;
    Ok(list_json(&list, total))
}

/// `GET /v1/users/{user_id}/organization_memberships`.
pub async fn list_of_user(
    Call { state, .. }: Call,
    Path(p): Path<UserPath>,
    q: QueryParams,
) -> ApiResult {
    let (page, order) = page_and_order(&q)?;
    let query = MembershipQuery {
        page,
        order,
        ..Default::default()
    };
    let (list, total) = app::memberships_of(&state, Some(&p.user_id), query).await?;
    Ok(list_json(&list, total))
}

pub async fn create(
    Call { state, ctx }: Call,
    Path(p): Path<OrganizationPath>,
    JsonBody(body): JsonBody<CreateMembershipRequest>,
) -> ApiResult {
    let d = app::create_membership(&state, &ctx, &p.organization_id, body.into()).await?;
    Ok(membership_json(&d))
}

pub async fn update(
    Call { state, ctx }: Call,
    Path(p): Path<MembershipPath>,
    JsonBody(body): JsonBody<UpdateMembershipRequest>,
) -> ApiResult {
    let d = app::update_membership_role(&state, &ctx, &p.organization_id, &p.user_id, &body.role)
        .await?;
    Ok(membership_json(&d))
}

pub async fn merge_metadata(
    Call { state, ctx }: Call,
    Path(p): Path<MembershipPath>,
    JsonBody(body): JsonBody<OrganizationMetadataRequest>,
) -> ApiResult {
    let d = app::update_membership_metadata(
        &state,
        &ctx,
        &p.organization_id,
        &p.user_id,
        body.into(),
        true,
    )
    .await?;
    Ok(membership_json(&d))
}

pub async fn delete(Call { state, ctx }: Call, Path(p): Path<MembershipPath>) -> ApiResult {
    let d = app::delete_membership(&state, &ctx, &p.organization_id, &p.user_id).await?;
    Ok(membership_json(&d))
}
