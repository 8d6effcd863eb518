//! `/v1/templates/{template_type}[/{slug}[/revert|/preview|/toggle_delivery]]`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use usher_core::message_templates::Template;
use usher_core::users::query::Page;

use super::call::Call;
use crate::app::message_templates::{self as app, TemplateInput};
use crate::error::ApiError;
use crate::extract::body::JsonBody;
use crate::extract::path::{Path, TemplatePath, TemplateTypePath};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::lists::list_response;
use crate::wire::message_templates::{preview_json, template_json};
use crate::wire::requests::message_templates::{
    PreviewTemplateRequest, ToggleDeliveryRequest, UpsertTemplateRequest,
};

type ApiResult = Result<Response, ApiError>;

fn one(state: &AppState, t: &Template) -> Response {
    Json(template_json(
        t,
        state.instance.id.as_ref(),
        state.mail.from_email_name(),
    ))
    .into_response()
}

/// In listing order; a bare array unless `paginated=true`, as Clerk's.
pub async fn list(
    Call { state, .. }: Call,
    Path(p): Path<TemplateTypePath>,
    q: QueryParams,
) -> ApiResult {
    let page = Page::new(q.i64("limit")?, q.i64("offset")?).map_err(ApiError::query)?;
    let paginated = q.bool("paginated")?.unwrap_or(false);
    let all = app::list(&state, &p.template_type).await?;
    let total = all.len() as i64;
    let from = state.mail.from_email_name();
    let items: Vec<_> = page
        .of(&all)
        .map(|t| template_json(t, state.instance.id.as_ref(), from))
        .collect();
    Ok(list_response(items, total, paginated))
}

pub async fn get(Call { state, .. }: Call, Path(p): Path<TemplatePath>) -> ApiResult {
    let t = app::get(&state, &p.template_type, &p.slug).await?;
    Ok(one(&state, &t))
}

pub async fn upsert(
    Call { state, ctx }: Call,
    Path(p): Path<TemplatePath>,
    JsonBody(body): JsonBody<UpsertTemplateRequest>,
) -> ApiResult {
    let input = TemplateInput {
        subject: body.subject,
        markup: body.markup,
        body: body.body,
        delivered_by_clerk: body.delivered_by_clerk,
        from_email_name: body.from_email_name,
        reply_to_email_name: body.reply_to_email_name,
    };
    let t = app::upsert(&state, &ctx, &p.template_type, &p.slug, input).await?;
    Ok(one(&state, &t))
}

pub async fn revert(Call { state, ctx }: Call, Path(p): Path<TemplatePath>) -> ApiResult {
    let t = app::revert(&state, &ctx, &p.template_type, &p.slug).await?;
    Ok(one(&state, &t))
}

pub async fn preview(
    Call { state, .. }: Call,
    Path(p): Path<TemplatePath>,
    JsonBody(body): JsonBody<PreviewTemplateRequest>,
) -> ApiResult {
    let out = app::preview(
        &state,
        &p.template_type,
        &p.slug,
        body.subject,
        body.body,
        body.from_email_name,
        body.reply_to_email_name,
    )
    .await?;
    Ok(Json(preview_json(&out)).into_response())
}

pub async fn toggle_delivery(
    Call { state, ctx }: Call,
    Path(p): Path<TemplatePath>,
    JsonBody(body): JsonBody<ToggleDeliveryRequest>,
) -> ApiResult {
    let t = app::toggle_delivery(
        &state,
        &ctx,
        &p.template_type,
        &p.slug,
        body.delivered_by_clerk,
    )
    .await?;
    Ok(one(&state, &t))
}
