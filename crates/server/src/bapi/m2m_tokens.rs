//! M2M tokens: `/m2m_tokens` at the API root, as `@clerk/backend` calls them (also under `/v1`,
//! as the Python SDK does). Minting takes a machine's secret key; listing, revoking and
//! verifying take it or the instance's. Refused fields answer 400, as Clerk's spec lists.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use usher_core::CoreError;
use usher_core::ids::MachineId;
use usher_core::machines::{M2mTokenFormat, NewM2mToken};
use usher_core::users::query::Page;

use super::api_keys::refused;
use crate::app::m2m_tokens::{self as app, ListQuery};
use crate::error::{ApiError, ApiResult};
use crate::extract::body::JsonBody;
use crate::extract::machine_auth::{M2mAuth, M2mCaller};
use crate::extract::path::{M2mTokenPath, Path};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::machines::{M2mTokenJson, M2mTokenListJson};
use crate::wire::requests::machines::{
    CreateM2mTokenRequest, RevokeM2mTokenRequest, VerifyM2mTokenRequest,
};

pub async fn create(
    State(state): State<AppState>,
    auth: M2mAuth,
    JsonBody(body): JsonBody<CreateM2mTokenRequest>,
) -> ApiResult {
    let M2mCaller::Machine(machine) = &auth.caller else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "authorization_invalid",
            "Machine secret key required",
            "M2M tokens are created with the minting machine's secret key (ak_...), not the instance's secret key.",
        ));
    };
    let format = match body.token_format.as_deref() {
        None => M2mTokenFormat::Opaque,
        Some(f) => M2mTokenFormat::parse(f).map_err(refused)?,
    };
    let input = NewM2mToken {
        seconds_until_expiration: body.seconds_until_expiration,
        claims: body.claims,
        format,
        min_remaining_ttl_seconds: body.min_remaining_ttl_seconds,
    };
    let (token, text) = app::create(&state, &auth.ctx, machine, input)
        .await
        .map_err(refused)?;
    let json = M2mTokenJson::with_token(&token, text, state.now());
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

pub async fn list(State(state): State<AppState>, auth: M2mAuth, q: QueryParams) -> ApiResult {
    let subject = q.one("subject").ok_or_else(|| {
        ApiError::query(CoreError::ParamMissing {
            param: "subject".into(),
        })
    })?;
    let subject = MachineId::parse(subject)
        .map_err(|_| ApiError::query(CoreError::value("subject", "must be a machine id")))?;
    let query = ListQuery {
        subject,
        revoked: q.bool("revoked")?.unwrap_or(false),
        expired: q.bool("expired")?.unwrap_or(false),
        page: Page::new(q.whole("limit")?, q.whole("offset")?).map_err(ApiError::query)?,
    };
    let (tokens, total) = app::list(&state, &auth.caller, query).await?;
    let now = state.now();
    Ok(Json(M2mTokenListJson {
        m2m_tokens: tokens.iter().map(|t| M2mTokenJson::new(t, now)).collect(),
        total_count: total,
    })
    .into_response())
}

pub async fn revoke(
    State(state): State<AppState>,
    auth: M2mAuth,
    Path(p): Path<M2mTokenPath>,
    JsonBody(body): JsonBody<RevokeM2mTokenRequest>,
) -> ApiResult {
    let token = app::revoke(
        &state,
        &auth.ctx,
        &auth.caller,
        &p.m2m_token_id,
        body.revocation_reason,
    )
    .await
    .map_err(refused)?;
    Ok(Json(M2mTokenJson::new(&token, state.now())).into_response())
}

pub async fn verify(
    State(state): State<AppState>,
    auth: M2mAuth,
    JsonBody(body): JsonBody<VerifyM2mTokenRequest>,
) -> ApiResult {
    let token = body.token.or(body.secret).ok_or_else(|| {
        ApiError::query(CoreError::ParamMissing {
            param: "token".into(),
        })
    })?;
    let token = app::verify(&state, &auth.caller, &token).await?;
    Ok(Json(M2mTokenJson::new(&token, state.now())).into_response())
}
