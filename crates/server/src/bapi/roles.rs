//! Organization Roles and Organization Permissions: `/v1/organization_roles` and
//! `/v1/organization_permissions`. Lists answer `{data, total_count}`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use usher_core::roles::manage::{ListOrder, NewPermission, NewRole, PermissionPatch, RolePatch};

use super::call::Call;
use crate::app::roles::{self as app, ListQuery};
use crate::error::{ApiError, ApiResult};
use crate::extract::body::JsonBody;
use crate::extract::path::{Path, PermissionPath, RolePath, RolePermissionPath};
use crate::extract::query::QueryParams;
use crate::wire::lists::paginated;
use crate::wire::requests::roles::{
    CreatePermissionRequest, CreateRoleRequest, UpdatePermissionRequest, UpdateRoleRequest,
};
use crate::wire::roles::{DeletedJson, PermissionJson, RoleJson};

fn list_query(q: &QueryParams) -> Result<ListQuery<'_>, ApiError> {
    let order = q
        .one("order_by")
        .map(ListOrder::parse)
        .transpose()
        .map_err(ApiError::query)?
        .unwrap_or_default();
    let page = q.page()?;
    Ok(ListQuery {
        query: q.one("query"),
        order,
        limit: page.limit,
        offset: page.offset,
    })
}

fn role_json(r: &usher_core::roles::Role) -> Response {
    Json(RoleJson::new(r)).into_response()
}

fn permission_json(p: &usher_core::roles::Permission) -> Response {
    Json(PermissionJson::new(p)).into_response()
}

pub async fn list_roles(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let listing = app::list_roles(&state, &list_query(&q)?).await?;
    Ok(paginated(
        listing.items.iter().map(RoleJson::new).collect(),
        listing.total,
    ))
}

pub async fn create_role(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<CreateRoleRequest>,
) -> ApiResult {
    let role = app::create_role(&state, &ctx, NewRole::from(body)).await?;
    Ok(role_json(&role))
}

pub async fn get_role(Call { state, .. }: Call, Path(p): Path<RolePath>) -> ApiResult {
    Ok(role_json(
        &app::get_role(&state, &p.organization_role_id).await?,
    ))
}

pub async fn update_role(
    Call { state, ctx }: Call,
    Path(p): Path<RolePath>,
    JsonBody(body): JsonBody<UpdateRoleRequest>,
) -> ApiResult {
    let id = &p.organization_role_id;
    let role = app::update_role(&state, &ctx, id, RolePatch::from(body)).await?;
    Ok(role_json(&role))
}

pub async fn delete_role(Call { state, ctx }: Call, Path(p): Path<RolePath>) -> ApiResult {
    let role = app::delete_role(&state, &ctx, &p.organization_role_id).await?;
    Ok(Json(DeletedJson::role(&role.id)).into_response())
}

/// `POST /v1/organization_roles/{id}/permissions/{permission_id}` grants (`GRANT`), `DELETE`
/// withdraws.
pub async fn set_permission<const GRANT: bool>(
    Call { state, ctx }: Call,
    Path(p): Path<RolePermissionPath>,
) -> ApiResult {
    let (role, perm) = (&p.organization_role_id, &p.permission_id);
    Ok(role_json(
        &app::set_permission(&state, &ctx, role, perm, GRANT).await?,
    ))
}

pub async fn list_permissions(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let listing = app::list_permissions(&state, &list_query(&q)?).await?;
    Ok(paginated(
        listing.items.iter().map(PermissionJson::new).collect(),
        listing.total,
    ))
}

pub async fn create_permission(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<CreatePermissionRequest>,
) -> ApiResult {
    let perm = app::create_permission(&state, &ctx, NewPermission::from(body)).await?;
    Ok(permission_json(&perm))
}

pub async fn get_permission(Call { state, .. }: Call, Path(p): Path<PermissionPath>) -> ApiResult {
    Ok(permission_json(
        &app::get_permission(&state, &p.permission_id).await?,
    ))
}

pub async fn update_permission(
    Call { state, ctx }: Call,
    Path(p): Path<PermissionPath>,
    JsonBody(body): JsonBody<UpdatePermissionRequest>,
) -> ApiResult {
    let id = &p.permission_id;
    let perm = app::update_permission(&state, &ctx, id, PermissionPatch::from(body)).await?;
    Ok(permission_json(&perm))
}

pub async fn delete_permission(
    Call { state, ctx }: Call,
    Path(p): Path<PermissionPath>,
) -> ApiResult {
    let perm = app::delete_permission(&state, &ctx, &p.permission_id).await?;
    Ok(Json(DeletedJson::permission(&perm.id)).into_response())
}
