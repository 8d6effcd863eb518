use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use usher_core::CoreError;
use usher_core::users::User;
use usher_core::users::create::NewUser;
use usher_core::users::query::{Page, UserFilter, UserOrder};
use usher_core::users::update::UserPatch;

use super::refuse_unsupported;
use crate::app::users::{self as app, MetadataChange};
use crate::error::ApiError;
use crate::extract::auth::SecretKeyAuth;
use crate::extract::body::JsonBody;
use crate::extract::path::PathParams;
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::lists::TotalCountJson;
use crate::wire::users::{DeletedObjectJson, UserJson, VerifiedPasswordJson};

type ApiResult = Result<Response, ApiError>;

fn user_json(state: &AppState, u: &User) -> Response {
    Json(UserJson::new(
        u,
        state.instance.settings.max_verification_attempts,
        state.now(),
    ))
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
        last_active_at_since: q.i64("last_active_at_since")?,
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

pub async fn list(
    State(state): State<AppState>,
    _auth: SecretKeyAuth,
    q: QueryParams,
) -> ApiResult {
    let filter = filter_from(&q)?;
    let order = q
        .one("order_by")
        .map(UserOrder::parse)
        .transpose()
        .map_err(ApiError::query)?
        .unwrap_or_default();
    let page = Page::new(q.i64("limit")?, q.i64("offset")?).map_err(ApiError::query)?;
    let users = app::list(&state, &filter, order, &page).await?;
    let now = state.now();
    let max = state.instance.settings.max_verification_attempts;
    Ok(Json(
        users
            .iter()
            .map(|u| UserJson::new(u, max, now))
            .collect::<Vec<_>>(),
    )
    .into_response())
}

pub async fn count(
    State(state): State<AppState>,
    _auth: SecretKeyAuth,
    q: QueryParams,
) -> ApiResult {
    let filter = filter_from(&q)?;
    Ok(Json(TotalCountJson::new(app::count(&state, &filter).await?)).into_response())
}

const CREATE_FIELDS: &[&str] = &[
    "external_id",
    "first_name",
    "last_name",
    "locale",
    "email_address",
    "email_address_identification_status",
    "phone_number",
    "phone_number_identification_status",
    "web3_wallet",
    "username",
    "password",
    "password_digest",
    "password_hasher",
    "skip_password_checks",
    "skip_password_requirement",
    "totp_secret",
    "backup_codes",
    "public_metadata",
    "private_metadata",
    "unsafe_metadata",
    "delete_self_enabled",
    "legal_accepted_at",
    "skip_legal_checks",
    "skip_user_requirement",
    "create_organization_enabled",
    "create_organizations_limit",
    "created_at",
    "bypass_client_trust",
    "banned",
    "locked",
];

fn new_user_from(b: &JsonBody) -> Result<NewUser, CoreError> {
    b.only(CREATE_FIELDS)?;
    refuse_unsupported(
        b,
        &[
            "email_address_identification_status",
            "phone_number_identification_status",
            "web3_wallet",
            "totp_secret",
            "backup_codes",
        ],
    )?;
    Ok(NewUser {
        email_addresses: b.string_list("email_address")?,
        phone_numbers: b.string_list("phone_number")?,
        username: b.string("username")?,
        external_id: b.string("external_id")?,
        first_name: b.string("first_name")?,
        last_name: b.string("last_name")?,
        locale: b.string("locale")?,
        password: b.string("password")?,
        password_digest: b.string("password_digest")?,
        password_hasher: b.string("password_hasher")?,
        skip_password_checks: b.flag("skip_password_checks")?,
        skip_password_requirement: b.flag("skip_password_requirement")?,
        public_metadata: b.metadata("public_metadata")?,
        private_metadata: b.metadata("private_metadata")?,
        unsafe_metadata: b.metadata("unsafe_metadata")?,
        created_at: b.rfc3339("created_at")?,
        legal_accepted_at: b.rfc3339("legal_accepted_at")?,
        delete_self_enabled: b.bool("delete_self_enabled")?,
        create_organization_enabled: b.bool("create_organization_enabled")?,
        create_organizations_limit: b.i64("create_organizations_limit")?,
        bypass_client_trust: b.bool("bypass_client_trust")?,
        banned: b.bool("banned")?,
        locked: b.bool("locked")?,
    })
}

pub async fn create(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    body: JsonBody,
) -> ApiResult {
    let input = new_user_from(&body)?;
    let user = app::create(&state, &ctx, input).await?;
    Ok(user_json(&state, &user))
}

pub async fn get(State(state): State<AppState>, _auth: SecretKeyAuth, p: PathParams) -> ApiResult {
    Ok(user_json(&state, &app::get(&state, p.first()).await?))
}

const UPDATE_FIELDS: &[&str] = &[
    "external_id",
    "first_name",
    "last_name",
    "locale",
    "primary_email_address_id",
    "notify_primary_email_address_changed",
    "primary_phone_number_id",
    "primary_web3_wallet_id",
    "username",
    "profile_image_id",
    "password",
    "password_digest",
    "password_hasher",
    "skip_password_checks",
    "sign_out_of_other_sessions",
    "totp_secret",
    "backup_codes",
    "delete_self_enabled",
    "create_organization_enabled",
    "legal_accepted_at",
    "skip_legal_checks",
    "create_organizations_limit",
    "created_at",
    "bypass_client_trust",
    // Accepted from clients of API versions before 2026-05-12.
    "public_metadata",
    "private_metadata",
    "unsafe_metadata",
];

fn patch_from(b: &JsonBody) -> Result<UserPatch, CoreError> {
    b.only(UPDATE_FIELDS)?;
    refuse_unsupported(
        b,
        &[
            "primary_web3_wallet_id",
            "profile_image_id",
            "totp_secret",
            "backup_codes",
        ],
    )?;
    Ok(UserPatch {
        external_id: b.nullable_string("external_id")?,
        first_name: b.nullable_string("first_name")?,
        last_name: b.nullable_string("last_name")?,
        locale: b.nullable_string("locale")?,
        username: b.nullable_string("username")?,
        primary_email_address_id: b.string("primary_email_address_id")?,
        primary_phone_number_id: b.string("primary_phone_number_id")?,
        password: b.string("password")?,
        password_digest: b.string("password_digest")?,
        password_hasher: b.string("password_hasher")?,
        skip_password_checks: b.flag("skip_password_checks")?,
        sign_out_of_other_sessions: b.flag("sign_out_of_other_sessions")?,
        public_metadata: b.metadata("public_metadata")?,
        private_metadata: b.metadata("private_metadata")?,
        unsafe_metadata: b.metadata("unsafe_metadata")?,
        delete_self_enabled: b.bool("delete_self_enabled")?,
        create_organization_enabled: b.bool("create_organization_enabled")?,
        create_organizations_limit: b.nullable_i64("create_organizations_limit")?,
        bypass_client_trust: b.bool("bypass_client_trust")?,
        legal_accepted_at: b.nullable_rfc3339("legal_accepted_at")?,
        created_at: b.rfc3339("created_at")?,
    })
}

pub async fn update(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    p: PathParams,
    body: JsonBody,
) -> ApiResult {
    let patch = patch_from(&body)?;
    Ok(user_json(
        &state,
        &app::update(&state, &ctx, p.first(), patch).await?,
    ))
}

fn metadata_from(b: &JsonBody) -> Result<MetadataChange, CoreError> {
    b.only(&["public_metadata", "private_metadata", "unsafe_metadata"])?;
    Ok(MetadataChange {
        public: b.metadata("public_metadata")?,
        private: b.metadata("private_metadata")?,
        unsafe_: b.metadata("unsafe_metadata")?,
    })
}

pub async fn merge_metadata(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    p: PathParams,
    body: JsonBody,
) -> ApiResult {
    let change = metadata_from(&body)?;
    Ok(user_json(
        &state,
        &app::update_metadata(&state, &ctx, p.first(), change, true).await?,
    ))
}

pub async fn replace_metadata(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    p: PathParams,
    body: JsonBody,
) -> ApiResult {
    let change = metadata_from(&body)?;
    Ok(user_json(
        &state,
        &app::update_metadata(&state, &ctx, p.first(), change, false).await?,
    ))
}

pub async fn ban(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    p: PathParams,
) -> ApiResult {
    Ok(user_json(
        &state,
        &app::set_banned(&state, &ctx, p.first(), true).await?,
    ))
}

pub async fn unban(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    p: PathParams,
) -> ApiResult {
    Ok(user_json(
        &state,
        &app::set_banned(&state, &ctx, p.first(), false).await?,
    ))
}

pub async fn lock(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    p: PathParams,
) -> ApiResult {
    Ok(user_json(
        &state,
        &app::set_locked(&state, &ctx, p.first(), true).await?,
    ))
}

pub async fn unlock(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    p: PathParams,
) -> ApiResult {
    Ok(user_json(
        &state,
        &app::set_locked(&state, &ctx, p.first(), false).await?,
    ))
}

pub async fn set_password_compromised(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    p: PathParams,
    body: JsonBody,
) -> ApiResult {
    body.only(&["revoke_all_sessions"])?;
    let revoke = body.flag("revoke_all_sessions")?;
    Ok(user_json(
        &state,
        &app::set_password_compromised(&state, &ctx, p.first(), true, revoke).await?,
    ))
}

pub async fn unset_password_compromised(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    p: PathParams,
    body: JsonBody,
) -> ApiResult {
    body.only(&[])?;
    Ok(user_json(
        &state,
        &app::set_password_compromised(&state, &ctx, p.first(), false, false).await?,
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    p: PathParams,
) -> ApiResult {
    let user = app::delete(&state, &ctx, p.first()).await?;
    Ok(Json(DeletedObjectJson {
        object: "user",
        id: user.id,
        deleted: true,
        external_id: None,
    })
    .into_response())
}

pub async fn verify_password(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    p: PathParams,
    body: JsonBody,
) -> ApiResult {
    body.only(&["password"])?;
    let password = body
        .string("password")?
        .ok_or_else(|| CoreError::missing("password"))?;
    if app::verify_password(&state, &ctx, p.first(), password).await? {
        Ok(Json(VerifiedPasswordJson { verified: true }).into_response())
    } else {
        Err(CoreError::PasswordIncorrect.into())
    }
}
