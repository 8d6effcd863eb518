//! Role Sets: `/v1/role_sets…`. A set is named by its key or its id; lists answer
//! `{data, total_count}`.

use axum::Json;
use axum::response::IntoResponse;
use usher_core::roles::sets::{AddRoles, NewRoleSet, RoleSet, RoleSetPatch, SetOrder};

use super::call::Call;
use crate::app::role_sets::{self as app, ListQuery};
use crate::app::roles::catalog;
use crate::error::{ApiError, ApiResult};
use crate::extract::body::JsonBody;
use crate::extract::path::{Path, RoleSetPath};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::lists::paginated;
use crate::wire::requests::role_sets::{
    AddRolesRequest, CreateRoleSetRequest, ReplaceRoleRequest, ReplaceRoleSetRequest,
    UpdateRoleSetRequest,
};
use crate::wire::role_sets::{DeletedRoleSetJson, RoleSetJson};

async fn set_json(state: &AppState, s: &RoleSet) -> ApiResult {
    let catalog = catalog(state).await?;
    Ok(Json(RoleSetJson::new(s, &catalog)).into_response())
}

pub async fn list(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let order = q
        .one("order_by")
        .map(SetOrder::parse)
        .transpose()
        .map_err(ApiError::query)?
        .unwrap_or_default();
    let page = q.page()?;
    let query = ListQuery {
        query: q.one("query"),
        order,
        limit: page.limit,
        offset: page.offset,
    };
    let listing = app::list(&state, &query).await?;
    let catalog = catalog(&state).await?;
    Ok(paginated(
        listing
            .items
            .iter()
            .map(|s| RoleSetJson::new(s, &catalog))
            .collect(),
        listing.total,
    ))
}

pub async fn create(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<CreateRoleSetRequest>,
) -> ApiResult {
    let set = app::create(&state, &ctx, NewRoleSet::from(body)).await?;
    set_json(&state, &set).await
}

pub async fn get(Call { state, .. }: Call, Path(p): Path<RoleSetPath>) -> ApiResult {
    let set = app::get(&state, &p.role_set_key_or_id).await?;
    set_json(&state, &set).await
}

pub async fn update(
    Call { state, ctx }: Call,
    Path(p): Path<RoleSetPath>,
    JsonBody(body): JsonBody<UpdateRoleSetRequest>,
) -> ApiResult {
    let set = app::update(
        &state,
        &ctx,
        &p.role_set_key_or_id,
        RoleSetPatch::from(body),
    )
    .await?;
    set_json(&state, &set).await
}

pub async fn add_roles(
    Call { state, ctx }: Call,
    Path(p): Path<RoleSetPath>,
    JsonBody(body): JsonBody<AddRolesRequest>,
) -> ApiResult {
    let set = app::add_roles(&state, &ctx, &p.role_set_key_or_id, AddRoles::from(body)).await?;
    set_json(&state, &set).await
}

pub async fn replace_role(
    Call { state, ctx }: Call,
    Path(p): Path<RoleSetPath>,
    JsonBody(body): JsonBody<ReplaceRoleRequest>,
) -> ApiResult {
    let set = app::replace_role(
        &state,
        &ctx,
        &p.role_set_key_or_id,
        &body.role_key,
        &body.to_role_key,
    )
    .await?;
    set_json(&state, &set).await
}

pub async fn replace(
    Call { state, ctx }: Call,
    Path(p): Path<RoleSetPath>,
    JsonBody(body): JsonBody<ReplaceRoleSetRequest>,
) -> ApiResult {
    let mappings = body.mappings();
    let gone = app::replace(
        &state,
        &ctx,
        &p.role_set_key_or_id,
        &body.dest_role_set_key,
        &mappings,
    )
    .await?;
    Ok(Json(DeletedRoleSetJson::new(&gone.id)).into_response())
}
