use axum::Json;
use axum::response::{IntoResponse, Response};
use usher_core::CoreError;
use usher_core::users::User;
use usher_core::users::query::{UserFilter, UserOrder};

use super::call::Call;
use crate::app::users as app;
use crate::error::{ApiError, ApiResult};
use crate::extract::body::JsonBody;
use crate::extract::path::{Path, UserPasskeyPath, UserPath};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::lists::TotalCountJson;
use crate::wire::requests::users::{
    BulkUsersRequest, CreateUserRequest, EmptyRequest, MetadataRequest,
    SetPasswordCompromisedRequest, UpdateUserRequest, VerifyPasswordRequest,
};
use crate::wire::users::{DeletedObjectJson, UserJson, VerifiedPasswordJson};

pub(super) fn user_json(state: &AppState, u: &User) -> Response {
    Json(UserJson::new(
        u,
        state.settings().max_verification_attempts,
        state.now(),
    ))
    .into_response()
}

fn users_json(state: &AppState, users: &[User]) -> Response {
    let now = state.now();
    let max = state.settings().max_verification_attempts;
    Json(
        users
            .iter()
            .map(|u| UserJson::new(u, max, now))
            .collect::<Vec<_>>(),
    )
    .into_response()
}

/// Splits `+id` / `-id` / `id` values into included and excluded ids.
pub(super) fn split_signed(values: Vec<String>) -> (Vec<String>, Vec<String>) {
    let mut include = Vec::new();
    let mut exclude = Vec::new();
    for v in values {
        if let Some(rest) = v.strip_prefix('-') {
            exclude.push(rest.to_owned());
        } else {
            include.push(v.strip_prefix('+').unwrap_or(&v).to_owned());
        }
    }
    (include, exclude)
}

fn filter_from(q: &QueryParams) -> Result<UserFilter, ApiError> {
    let (user_ids, exclude_user_ids) = split_signed(q.all("user_id"));
    let (external_ids, exclude_external_ids) = split_signed(q.all("external_id"));
    let f = UserFilter {
        email_addresses: q.all("email_address"),
        phone_numbers: q.all("phone_number"),
        usernames: q.all("username"),
        external_ids,
        exclude_external_ids,
        user_ids,
        exclude_user_ids,
        query: q.one("query").map(str::to_owned),
        banned: q.bool("banned")?,
        locked_at: None,
        last_active_at_since: q.i64("last_active_at_since")?,
        last_active_at_before: q.i64("last_active_at_before")?,
        created_at_before: q.i64("created_at_before")?,
        created_at_after: q.i64("created_at_after")?,
        last_sign_in_at_before: q.i64("last_sign_in_at_before")?,
        last_sign_in_at_after: q.i64("last_sign_in_at_after")?,
    };
    for (name, list) in [
        ("email_address", &f.email_addresses),
        ("phone_number", &f.phone_numbers),
        ("username", &f.usernames),
        ("user_id", &f.user_ids),
        ("external_id", &f.external_ids),
    ] {
        if list.len() > 100 {
            return Err(ApiError::query(CoreError::value(
                name,
                "accepts at most 100 values",
            )));
        }
    }
    Ok(f)
}

pub async fn list(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let filter = filter_from(&q)?;
    let order = q
        .one("order_by")
        .map(UserOrder::parse)
        .transpose()
        .map_err(ApiError::query)?
        .unwrap_or_default();
    let page = q.page()?;
    let users = app::list(&state, &filter, order, &page).await?;
    Ok(users_json(&state, &users))
}

pub async fn count(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let filter = filter_from(&q)?;
    Ok(Json(TotalCountJson::new(app::count(&state, &filter).await?)).into_response())
}

pub async fn create(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<CreateUserRequest>,
) -> ApiResult {
    let user = app::create(&state, &ctx, body.into()).await?;
    Ok(user_json(&state, &user))
}

pub async fn get(Call { state, .. }: Call, Path(p): Path<UserPath>) -> ApiResult {
    Ok(user_json(&state, &app::get(&state, &p.user_id).await?))
}

pub async fn update(
    Call { state, ctx }: Call,
    Path(p): Path<UserPath>,
    JsonBody(body): JsonBody<UpdateUserRequest>,
) -> ApiResult {
    Ok(user_json(
        &state,
        &app::update(&state, &ctx, &p.user_id, body.into()).await?,
    ))
}

/// `PATCH /v1/users/{user_id}/metadata` merges (`MERGE`), `PUT` replaces.
pub async fn update_metadata<const MERGE: bool>(
    Call { state, ctx }: Call,
    Path(p): Path<UserPath>,
    JsonBody(body): JsonBody<MetadataRequest>,
) -> ApiResult {
    Ok(user_json(
        &state,
        &app::update_metadata(&state, &ctx, &p.user_id, body.into(), MERGE).await?,
    ))
}

/// `POST /v1/users/{user_id}/ban` (`BANNED`) and `…/unban`.
pub async fn set_banned<const BANNED: bool>(
    Call { state, ctx }: Call,
    Path(p): Path<UserPath>,
) -> ApiResult {
    Ok(user_json(
        &state,
        &app::set_banned(&state, &ctx, &p.user_id, BANNED).await?,
    ))
}

/// `POST /v1/users/ban` (`BANNED`) and `/v1/users/unban`: the users, in the order named.
pub async fn set_banned_many<const BANNED: bool>(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<BulkUsersRequest>,
) -> ApiResult {
    let users = app::set_banned_many(&state, &ctx, body.user_ids, BANNED).await?;
    Ok(users_json(&state, &users))
}

/// `POST /v1/users/{user_id}/lock` (`LOCKED`) and `…/unlock`.
pub async fn set_locked<const LOCKED: bool>(
    Call { state, ctx }: Call,
    Path(p): Path<UserPath>,
) -> ApiResult {
    Ok(user_json(
        &state,
        &app::set_locked(&state, &ctx, &p.user_id, LOCKED).await?,
    ))
}

/// `GET /v1/users/{user_id}/export` (an Usher extension): the subject access request document
/// `usher users export` prints, audited as `user.export`.
pub async fn export(Call { state, ctx }: Call, Path(p): Path<UserPath>) -> ApiResult {
    let doc = crate::app::user_export::export(&state, &ctx, &p.user_id).await?;
    Ok(Json(doc).into_response())
}

pub async fn set_password_compromised(
    Call { state, ctx }: Call,
    Path(p): Path<UserPath>,
    JsonBody(body): JsonBody<SetPasswordCompromisedRequest>,
) -> ApiResult {
    let revoke = body.revoke_all_sessions;
    Ok(user_json(
        &state,
        &app::set_password_compromised(&state, &ctx, &p.user_id, true, revoke).await?,
    ))
}

pub async fn unset_password_compromised(
    Call { state, ctx }: Call,
    Path(p): Path<UserPath>,
    _body: JsonBody<EmptyRequest>,
) -> ApiResult {
    Ok(user_json(
        &state,
        &app::set_password_compromised(&state, &ctx, &p.user_id, false, false).await?,
    ))
}

pub async fn delete(Call { state, ctx }: Call, Path(p): Path<UserPath>) -> ApiResult {
    let user = app::delete(&state, &ctx, &p.user_id).await?;
    Ok(Json(DeletedObjectJson::new("user", user.id)).into_response())
}

pub async fn verify_password(
    Call { state, ctx }: Call,
    Path(p): Path<UserPath>,
    JsonBody(body): JsonBody<VerifyPasswordRequest>,
) -> ApiResult {
    if app::verify_password(&state, &ctx, &p.user_id, body.password).await? {
        Ok(Json(VerifiedPasswordJson { verified: true }).into_response())
    } else {
        Err(CoreError::PasswordIncorrect.into())
    }
}

/// `DELETE /v1/users/{user_id}/passkeys/{passkey_identification_id}`.
pub async fn delete_passkey(
    Call { state, ctx }: Call,
    Path(p): Path<UserPasskeyPath>,
) -> ApiResult {
    crate::app::passkeys::delete(&state, &ctx, &p.user_id, &p.passkey_identification_id).await?;
    Ok(Json(DeletedObjectJson::new(
        "passkey",
        p.passkey_identification_id,
    ))
    .into_response())
}
