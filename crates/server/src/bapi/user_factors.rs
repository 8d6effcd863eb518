//! `DELETE /v1/users/{user_id}/mfa`, `/totp`, `/backup_code`, `POST …/verify_totp` and
//! `POST …/remove_password`: a user's second factors and password, as an operator manages them.

use axum::Json;
use axum::response::IntoResponse;

use super::call::Call;
use super::users::user_json;
use crate::app::user_factors::{self as app, Removal};
use crate::error::ApiResult;
use crate::extract::body::JsonBody;
use crate::extract::path::{Path, UserPath};
use crate::wire::requests::users::{RemovePasswordRequest, VerifyTotpRequest};
use crate::wire::users::{UserIdJson, VerifiedTotpJson};

async fn remove(Call { state, ctx }: Call, p: UserPath, removal: Removal) -> ApiResult {
    let user = app::remove_factors(&state, &ctx, &p.user_id, removal).await?;
    Ok(Json(UserIdJson {
        user_id: user.id.into_string(),
    })
    .into_response())
}

pub async fn disable_mfa(call: Call, Path(p): Path<UserPath>) -> ApiResult {
    remove(call, p, Removal::AllMfa).await
}

pub async fn delete_totp(call: Call, Path(p): Path<UserPath>) -> ApiResult {
    remove(call, p, Removal::Totp).await
}

pub async fn delete_backup_codes(call: Call, Path(p): Path<UserPath>) -> ApiResult {
    remove(call, p, Removal::BackupCodes).await
}

pub async fn verify_totp(
    Call { state, ctx }: Call,
    Path(p): Path<UserPath>,
    JsonBody(body): JsonBody<VerifyTotpRequest>,
) -> ApiResult {
    let kind = app::verify_code(&state, &ctx, &p.user_id, &body.code).await?;
    Ok(Json(VerifiedTotpJson {
        verified: true,
        code_type: kind.as_str(),
    })
    .into_response())
}

pub async fn remove_password(
    Call { state, ctx }: Call,
    Path(p): Path<UserPath>,
    JsonBody(body): JsonBody<RemovePasswordRequest>,
) -> ApiResult {
    let user =
        app::remove_password(&state, &ctx, &p.user_id, body.sign_out_of_other_sessions).await?;
    Ok(user_json(&state, &user))
}
