//! `PUT` and `DELETE /v1/organizations/{organization_id}/logo`: an organization's logo, uploaded
//! as `multipart/form-data` (`file`, optional `uploader_user_id`).

use axum::Json;
use axum::response::IntoResponse;
use usher_core::CoreError;
use usher_core::ids::UserId;

use super::call::Call;
use crate::app::images as app;
use crate::error::ApiResult;
use crate::extract::path::{OrganizationPath, Path};
use crate::extract::upload::ImageUpload;
use crate::wire::organizations::OrganizationJson;

pub async fn upload(
    Call { state, ctx }: Call,
    Path(p): Path<OrganizationPath>,
    mut body: ImageUpload,
) -> ApiResult {
    let file = body.require_file()?;
    let uploader = body
        .fields
        .get("uploader_user_id")
        .filter(|v| !v.is_empty())
        .map(|v| UserId::parse(v))
        .transpose()
        .map_err(|_| CoreError::NotFound { resource: "user" })?;
    let org = app::set_logo(&state, &ctx, &p.organization_id, file, uploader.as_ref()).await?;
    Ok(Json(OrganizationJson::new(&org, false)).into_response())
}

pub async fn delete(Call { state, ctx }: Call, Path(p): Path<OrganizationPath>) -> ApiResult {
    let (org, _) = app::delete_logo(&state, &ctx, &p.organization_id).await?;
    Ok(Json(OrganizationJson::new(&org, false)).into_response())
}
