//! `/v1/organizations`: create, read, list, update, metadata, delete.

use axum::Json;
use axum::response::{IntoResponse, Response};
use usher_core::CoreError;
use usher_core::organizations::Organization;
use usher_core::organizations::query::{OrganizationOrder, OrganizationQuery};

use super::call::Call;
use super::users::split_signed;
use crate::app::organizations as app;
use crate::error::{ApiError, ApiResult};
use crate::extract::body::JsonBody;
use crate::extract::path::{OrganizationPath, OrganizationRefPath, Path};
use crate::extract::query::QueryParams;
use crate::wire::lists::paginated;
use crate::wire::organizations::{DeletedOrganizationJson, OrganizationJson};
use crate::wire::requests::organizations::{
    CreateOrganizationRequest, OrganizationMetadataRequest, UpdateOrganizationRequest,
};

fn org_json(o: &Organization, with_counts: bool) -> Response {
    Json(OrganizationJson::new(o, with_counts)).into_response()
}

/// `GET /v1/organizations`'s query.
fn list_query_from(q: &QueryParams) -> Result<OrganizationQuery, ApiError> {
    let (user_ids, exclude_user_ids) = split_signed(q.all("user_id"));
    let (organization_ids, exclude_organization_ids) = split_signed(q.all("organization_id"));
    for (name, n) in [
        ("user_id", user_ids.len() + exclude_user_ids.len()),
        (
            "organization_id",
            organization_ids.len() + exclude_organization_ids.len(),
        ),
    ] {
        if n > 100 {
            return Err(ApiError::query(CoreError::value(
                name,
                "accepts at most 100 values",
            )));
        }
    }
    Ok(OrganizationQuery {
        query: q.one("query").map(str::to_owned),
        user_ids,
        exclude_user_ids,
        organization_ids,
        exclude_organization_ids,
        order: q
            .one("order_by")
            .map(OrganizationOrder::parse)
            .transpose()
            .map_err(ApiError::query)?
            .unwrap_or_default(),
        page: q.page()?,
    })
}

pub async fn list(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let query = list_query_from(&q)?;
    let with_counts = q.bool("include_members_count")?.unwrap_or(false);
    let (mut orgs, total) = app::list(&state, &query).await?;
    if with_counts {
        app::count_invitations(&state, orgs.iter_mut()).await?;
    }
    Ok(paginated(
        orgs.iter()
            .map(|o| OrganizationJson::new(o, with_counts))
            .collect(),
        total,
    ))
}

pub async fn create(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<CreateOrganizationRequest>,
) -> ApiResult {
    let org = app::create(&state, &ctx, body.into()).await?;
    Ok(org_json(&org, true))
}

pub async fn get(
    Call { state, .. }: Call,
    Path(p): Path<OrganizationRefPath>,
    q: QueryParams,
) -> ApiResult {
    let with_counts = q.bool("include_members_count")?.unwrap_or(false);
    let mut org = app::get(&state, &p.organization_id).await?;
    if with_counts {
        app::count_invitations(&state, [&mut org]).await?;
    }
    Ok(org_json(&org, with_counts))
}

pub async fn update(
    Call { state, ctx }: Call,
    Path(p): Path<OrganizationPath>,
    JsonBody(body): JsonBody<UpdateOrganizationRequest>,
) -> ApiResult {
    let org = app::update(&state, &ctx, &p.organization_id, body.into()).await?;
    Ok(org_json(&org, false))
}

/// `PATCH /v1/organizations/{organization_id}/metadata` merges (`MERGE`), `PUT` replaces.
pub async fn update_metadata<const MERGE: bool>(
    Call { state, ctx }: Call,
    Path(p): Path<OrganizationPath>,
    JsonBody(body): JsonBody<OrganizationMetadataRequest>,
) -> ApiResult {
    let org = app::update_metadata(&state, &ctx, &p.organization_id, body.into(), MERGE).await?;
    Ok(org_json(&org, false))
}

pub async fn delete(Call { state, ctx }: Call, Path(p): Path<OrganizationPath>) -> ApiResult {
    let org = app::delete(&state, &ctx, &p.organization_id).await?;
    Ok(Json(DeletedOrganizationJson {
        object: "organization",
        id: org.id.into_string(),
        slug: None,
        deleted: true,
    })
    .into_response())
}
