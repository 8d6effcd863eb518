//! JWT Templates: `/v1/jwt_templates`. The list is a bare array unless `paginated=true`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use usher_core::jwt_templates::TemplateInput;

use super::call::Call;
use crate::app::jwt_templates as app;
use crate::error::ApiResult;
use crate::extract::body::JsonBody;
use crate::extract::path::{JwtTemplatePath, Path};
use crate::extract::query::QueryParams;
use crate::wire::jwt_templates::{DeletedTemplateJson, JwtTemplateJson};
use crate::wire::lists::list_response;
use crate::wire::requests::jwt_templates::JwtTemplateRequest;

fn one(t: &usher_core::jwt_templates::JwtTemplate) -> Response {
    Json(JwtTemplateJson::new(t)).into_response()
}

pub async fn list(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let page = q.page()?;
    let paginated = q.bool("paginated")?.unwrap_or(false);
    let (templates, total) = app::list(&state, &page).await?;
    let items: Vec<JwtTemplateJson> = templates.iter().map(JwtTemplateJson::new).collect();
    Ok(list_response(items, total, paginated))
}

pub async fn create(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<JwtTemplateRequest>,
) -> ApiResult {
    Ok(one(
        &app::create(&state, &ctx, TemplateInput::from(body)).await?
    ))
}

pub async fn get(Call { state, .. }: Call, Path(p): Path<JwtTemplatePath>) -> ApiResult {
    Ok(one(&app::get(&state, &p.template_id).await?))
}

pub async fn update(
    Call { state, ctx }: Call,
    Path(p): Path<JwtTemplatePath>,
    JsonBody(body): JsonBody<JwtTemplateRequest>,
) -> ApiResult {
    let id = &p.template_id;
    Ok(one(&app::update(
        &state,
        &ctx,
        id,
        TemplateInput::from(body),
    )
    .await?))
}

pub async fn delete(Call { state, ctx }: Call, Path(p): Path<JwtTemplatePath>) -> ApiResult {
    let template = app::delete(&state, &ctx, &p.template_id).await?;
    Ok(Json(DeletedTemplateJson {
        object: "jwt_template",
        id: &template.id,
        deleted: true,
    })
    .into_response())
}
