//! `POST` and `DELETE /v1/users/{user_id}/profile_image`: a user's profile image, uploaded as
//! `multipart/form-data` (`file`); both answer the user.

use axum::extract::State;

use super::users::user_json;
use crate::app::images as app;
use crate::error::ApiResult;
use crate::extract::auth::SecretKeyAuth;
use crate::extract::path::{Path, UserPath};
use crate::extract::upload::ImageUpload;
use crate::state::AppState;

pub async fn upload(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    Path(p): Path<UserPath>,
    mut body: ImageUpload,
) -> ApiResult {
    let file = body.require_file()?;
    let (user, _) = app::set_profile_image(&state, &ctx, &p.user_id, file).await?;
    Ok(user_json(&state, &user))
}

pub async fn delete(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    Path(p): Path<UserPath>,
) -> ApiResult {
    let (user, _) = app::delete_profile_image(&state, &ctx, &p.user_id).await?;
    Ok(user_json(&state, &user))
}
