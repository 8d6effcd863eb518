//! JWT Templates: `/v1/jwt_templates`. The list is a bare array unless `paginated=true`.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use usher_core::jwt_templates::TemplateInput;

use crate::app::jwt_templates as app;
use crate::error::ApiResult;
use crate::extract::auth::SecretKeyAuth;
use crate::extract::body::JsonBody;
use crate::extract::path::{JwtTemplatePath, Path};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::jwt_templates::{DeletedTemplateJson, JwtTemplateJson};
use crate::wire::lists::list_response;
use crate::wire::requests::jwt_templates::JwtTemplateRequest;

fn one(t: &usher_core::jwt_templates::JwtTemplate) -> Response {
    Json(JwtTemplateJson::new(t)).into_response()
}

pub async fn list(
    State(state): State<AppState>,
    _auth: SecretKeyAuth,
    q: QueryParams,
) -> ApiResult {
    let page = q.page()?;
    let paginated = q.bool("paginated")?.unwrap_or(false);
    let (templates, total) = app::list(&state, &page).await?;
    let items: Vec<JwtTemplateJson> = templates.iter().map(JwtTemplateJson::new).collect();
    Ok(list_response(items, total, paginated))
}

pub async fn create(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    JsonBody(body): JsonBody<JwtTemplateRequest>,
) -> ApiResult {
    Ok(one(
        &app::create(&state, &ctx, TemplateInput::from(body)).await?
    ))
}

pub async fn get(
    State(state): State<AppState>,
    _auth: SecretKeyAuth,
    Path(p): Path<JwtTemplatePath>,
) -> ApiResult {
    Ok(one(&app::get(&state, &p.template_id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
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

pub async fn delete(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    Path(p): Path<JwtTemplatePath>,
) -> ApiResult {
    let template = app::delete(&state, &ctx, &p.template_id).await?;
    Ok(Json(DeletedTemplateJson {
        object: "jwt_template",
        id: &template.id,
        deleted: true,
    })
    .into_response())
}
