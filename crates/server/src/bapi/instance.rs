//! `GET`/`PATCH /v1/instance/branding`: an Usher extension beside Clerk's instance settings
//! (`/v1/instance…`), where Clerk has no branding fields (its dashboard sets them). The shape
//! follows the Frontend API's `display_config`; `null` or `""` puts a field's default back.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use usher_core::branding::BrandingPatch;

use crate::app::instance as app;
use crate::error::ApiError;
use crate::extract::auth::SecretKeyAuth;
use crate::extract::body::JsonBody;
use crate::state::AppState;
use crate::wire::instance::BrandingJson;
use crate::wire::requests::instance::BrandingRequest;

type ApiResult = Result<Response, ApiError>;

pub async fn get_branding(State(state): State<AppState>, _auth: SecretKeyAuth) -> ApiResult {
    let b = app::branding(&state).await?;
    Ok(Json(BrandingJson::new(&b)).into_response())
}

pub async fn update_branding(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    JsonBody(body): JsonBody<BrandingRequest>,
) -> ApiResult {
    let patch = BrandingPatch::from(body);
    let b = app::update_branding(&state, &ctx, &patch).await?;
    Ok(Json(BrandingJson::new(&b)).into_response())
}
