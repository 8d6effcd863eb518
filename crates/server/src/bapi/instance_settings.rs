//! Clerk's Instance Settings: `GET`/`PATCH /v1/instance`, `PATCH /v1/instance/restrictions`,
//! `GET`/`PATCH /v1/instance/organization_settings`; and Usher's `GET`/`PATCH
//! /v1/instance/settings`, every stored setting by key with its source. Every change goes
//! through `app::instance_settings::update` (validated, audited, raised as an event).

use axum::Json;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use usher_core::instance_settings::SettingsPatch;

use super::call::Call;
use crate::app::instance_settings as app;
use crate::error::ApiResult;
use crate::extract::body::JsonBody;
use crate::state::AppState;
use crate::wire::instance_settings as wire;
use crate::wire::requests::instance_settings::{
    InstanceRequest, OrganizationSettingsRequest, RestrictionsRequest, SettingsRequest,
};

pub async fn get_instance(Call { state, .. }: Call) -> ApiResult {
    let body = wire::instance_json(&state.instance, &state.settings().allowed_origins);
    Ok(Json(body).into_response())
}

/// Clerk answers 204 with no body.
pub async fn update_instance(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<InstanceRequest>,
) -> ApiResult {
    let patch = body.into_patch()?;
    app::update(&state, &ctx, &patch).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn update_restrictions(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<RestrictionsRequest>,
) -> ApiResult {
    let r = app::update(&state, &ctx, &body.into_patch()).await?;
    Ok(Json(wire::restrictions_json(&r.settings)).into_response())
}

pub async fn get_organization_settings(Call { state, .. }: Call) -> ApiResult {
    let r = app::get(&state).await?;
    Ok(Json(wire::organization_settings_json(&r.settings)).into_response())
}

pub async fn update_organization_settings(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<OrganizationSettingsRequest>,
) -> ApiResult {
    let patch = body.into_patch()?;
    let r = app::update(&state, &ctx, &patch).await?;
    Ok(Json(wire::organization_settings_json(&r.settings)).into_response())
}

pub async fn get_settings(Call { state, .. }: Call) -> ApiResult {
    let r = app::get(&state).await?;
    Ok(Json(wire::settings_json(&r, &node_of(&state))).into_response())
}

/// What this node runs with outside the stored settings (its flags), for `usher audit`.
fn node_of(state: &AppState) -> wire::NodeFlags {
    wire::NodeFlags {
        environment: state.instance.environment.as_str(),
        cookie_same_site: state.frontend.cookie_same_site.as_str(),
        cookie_secure: state.frontend.cookie_secure,
        allowed_origins_flag: !state.frontend.allowed_origins.is_empty(),
    }
}

pub async fn update_settings(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<SettingsRequest>,
) -> ApiResult {
    let patch = SettingsPatch::from(body);
    let r = app::update(&state, &ctx, &patch).await?;
    Ok(Json(wire::settings_json(&r, &node_of(&state))).into_response())
}
