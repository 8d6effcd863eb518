//! `/v1/organizations`: create, read, list, update, metadata, delete.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use usher_core::CoreError;
use usher_core::organizations::Organization;
use usher_core::organizations::query::{OrganizationOrder, OrganizationQuery};
use usher_core::organizations::rules::{MetadataChange, NewOrganization, OrganizationPatch};
use usher_core::users::query::Page;

use super::users::split_signed;
use crate::app::organizations as app;
use crate::error::ApiError;
use crate::extract::auth::SecretKeyAuth;
use crate::extract::body::JsonBody;
use crate::extract::path::PathParams;
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::lists::PaginatedJson;
use crate::wire::organizations::{DeletedOrganizationJson, OrganizationJson};

type ApiResult = Result<Response, ApiError>;

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
        page: Page::new(q.i64("limit")?, q.i64("offset")?).map_err(ApiError::query)?,
    })
}

pub async fn list(
    State(state): State<AppState>,
    _auth: SecretKeyAuth,
    q: QueryParams,
) -> ApiResult {
    let query = list_query_from(&q)?;
    let with_counts = q.bool("include_members_count")?.unwrap_or(false);
    let (orgs, total) = app::list(&state, &query).await?;
    Ok(Json(PaginatedJson {
        data: orgs
            .iter()
            .map(|o| OrganizationJson::new(o, with_counts))
            .collect(),
        total_count: total,
    })
    .into_response())
}

const CREATE_FIELDS: &[&str] = &[
    "name",
    "slug",
    "created_by",
    "max_allowed_memberships",
    "public_metadata",
    "private_metadata",
    "created_at",
    "role_set_key",
];

/// `POST /v1/organizations`'s body.
fn new_organization_from(b: &JsonBody) -> Result<NewOrganization, CoreError> {
    b.only(CREATE_FIELDS)?;
    super::refuse_unsupported(b, &["role_set_key"])?;
    let name = b
        .string("name")?
        .ok_or_else(|| CoreError::missing("name"))?;
    Ok(NewOrganization {
        name: Some(name),
        slug: b.string("slug")?,
        created_by: b.string("created_by")?,
        max_allowed_memberships: b.i64("max_allowed_memberships")?,
        public_metadata: b.metadata("public_metadata")?,
        private_metadata: b.metadata("private_metadata")?,
        created_at: b.rfc3339("created_at")?,
    })
}

pub async fn create(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    body: JsonBody,
) -> ApiResult {
    let input = new_organization_from(&body)?;
    let org = app::create(&state, &ctx, input).await?;
    Ok(org_json(&org, true))
}

pub async fn get(
    State(state): State<AppState>,
    _auth: SecretKeyAuth,
    p: PathParams,
    q: QueryParams,
) -> ApiResult {
    let with_counts = q.bool("include_members_count")?.unwrap_or(false);
    Ok(org_json(&app::get(&state, p.first()).await?, with_counts))
}

const UPDATE_FIELDS: &[&str] = &[
    "name",
    "slug",
    "max_allowed_memberships",
    "admin_delete_enabled",
    "created_at",
    "role_set_key",
    // Accepted from clients of API versions before 2026-05-12.
    "public_metadata",
    "private_metadata",
];

/// `PATCH /v1/organizations/{id}`'s body.
fn patch_from(b: &JsonBody) -> Result<OrganizationPatch, CoreError> {
    b.only(UPDATE_FIELDS)?;
    super::refuse_unsupported(b, &["role_set_key"])?;
    Ok(OrganizationPatch {
        name: b.string("name")?,
        slug: b.string("slug")?,
        max_allowed_memberships: b.i64("max_allowed_memberships")?,
        admin_delete_enabled: b.bool("admin_delete_enabled")?,
        created_at: b.rfc3339("created_at")?,
        public_metadata: b.metadata("public_metadata")?,
        private_metadata: b.metadata("private_metadata")?,
    })
}

pub async fn update(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    p: PathParams,
    body: JsonBody,
) -> ApiResult {
    let patch = patch_from(&body)?;
    let org = app::update(&state, &ctx, p.first(), patch).await?;
    Ok(org_json(&org, false))
}

/// The metadata routes' body (organizations and memberships alike).
pub(super) fn metadata_from(b: &JsonBody) -> Result<MetadataChange, CoreError> {
    b.only(&["public_metadata", "private_metadata"])?;
    Ok(MetadataChange {
        public: b.metadata("public_metadata")?,
        private: b.metadata("private_metadata")?,
    })
}

pub async fn merge_metadata(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    p: PathParams,
    body: JsonBody,
) -> ApiResult {
    let change = metadata_from(&body)?;
    let org = app::update_metadata(&state, &ctx, p.first(), change, true).await?;
    Ok(org_json(&org, false))
}

pub async fn replace_metadata(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    p: PathParams,
    body: JsonBody,
) -> ApiResult {
    let change = metadata_from(&body)?;
    let org = app::update_metadata(&state, &ctx, p.first(), change, false).await?;
    Ok(org_json(&org, false))
}

pub async fn delete(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    p: PathParams,
) -> ApiResult {
    let org = app::delete(&state, &ctx, p.first()).await?;
    Ok(Json(DeletedOrganizationJson {
        object: "organization",
        id: org.id,
        slug: None,
        deleted: true,
    })
    .into_response())
}
