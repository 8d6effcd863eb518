//! `GET`/`PATCH /v1/instance/branding`: an Usher extension beside Clerk's instance settings
//! (`/v1/instance…`), where Clerk has no branding fields (its dashboard sets them). The shape
//! follows the Frontend API's `display_config`; `null` or `""` puts a field's default back.
//!
//! `GET`/`PATCH /v1/instance/session_token`: the session token's custom claims, another
//! extension (Clerk's "Customize session token" lives in its dashboard only).

use axum::Json;
use axum::response::IntoResponse;
use usher_core::branding::BrandingPatch;

use super::call::Call;
use crate::app::instance as app;
use crate::app::session_claims;
use crate::error::ApiResult;
use crate::extract::body::JsonBody;
use crate::wire::instance::BrandingJson;
use crate::wire::requests::instance::{BrandingRequest, SessionClaimsRequest};
use crate::wire::session_claims::SessionClaimsJson;

pub async fn get_branding(Call { state, .. }: Call) -> ApiResult {
    let b = app::branding(&state).await?;
    Ok(Json(BrandingJson::new(&b)).into_response())
}

pub async fn update_branding(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<BrandingRequest>,
) -> ApiResult {
    let patch = BrandingPatch::from(body);
    let b = app::update_branding(&state, &ctx, &patch).await?;
    Ok(Json(BrandingJson::new(&b)).into_response())
}

pub async fn get_session_claims(Call { state, .. }: Call) -> ApiResult {
    let t = session_claims::get(&state).await?;
    Ok(Json(SessionClaimsJson::new(&t)).into_response())
}

pub async fn update_session_claims(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<SessionClaimsRequest>,
) -> ApiResult {
    let t = session_claims::update(&state, &ctx, &body.claims).await?;
    Ok(Json(SessionClaimsJson::new(&t)).into_response())
}
