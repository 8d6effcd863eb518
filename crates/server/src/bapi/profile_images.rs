//! `POST` and `DELETE /v1/users/{user_id}/profile_image`: a user's profile image, uploaded as
//! `multipart/form-data` (`file`); both answer the user.

use super::call::Call;
use super::users::user_json;
use crate::app::images as app;
use crate::error::ApiResult;
use crate::extract::path::{Path, UserPath};
use crate::extract::upload::ImageUpload;

pub async fn upload(
    Call { state, ctx }: Call,
    Path(p): Path<UserPath>,
    mut body: ImageUpload,
) -> ApiResult {
    let file = body.require_file()?;
    let (user, _) = app::set_profile_image(&state, &ctx, &p.user_id, file).await?;
    Ok(user_json(&state, &user))
}

pub async fn delete(Call { state, ctx }: Call, Path(p): Path<UserPath>) -> ApiResult {
    let (user, _) = app::delete_profile_image(&state, &ctx, &p.user_id).await?;
    Ok(user_json(&state, &user))
}
