use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use usher_core::CoreError;
use usher_core::sessions::SessionStatus;
use usher_core::sessions::query::{SessionFilter, SessionQuery};
use usher_core::users::query::Page;

use crate::app::sessions as app;
use crate::error::ApiError;
use crate::extract::auth::SecretKeyAuth;
use crate::extract::body::JsonBody;
use crate::extract::path::PathParams;
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::lists::list_response;
use crate::wire::requests::sessions::{CreateSessionRequest, CreateTokenRequest};
use crate::wire::sessions::{SessionJson, TokenJson};

type ApiResult = Result<Response, ApiError>;

pub async fn list(
    State(state): State<AppState>,
    _auth: SecretKeyAuth,
    q: QueryParams,
) -> ApiResult {
    let status = match q.one("status") {
        None => None,
        Some(s) => Some(SessionStatus::parse(s).ok_or_else(|| {
            ApiError::query(CoreError::value("status", "is not a session status"))
        })?),
    };
    let query = SessionQuery {
        filter: SessionFilter {
            user_id: q.one("user_id").map(str::to_owned),
            client_id: q.one("client_id").map(str::to_owned),
            status,
        },
        page: Page::new(q.i64("limit")?, q.i64("offset")?).map_err(ApiError::query)?,
        now: state.now(),
    };
    let (sessions, total) = app::list(&state, &query).await?;
    let now = state.now();
    let items: Vec<SessionJson> = sessions.iter().map(|s| SessionJson::new(s, now)).collect();
    Ok(list_response(
        items,
        total,
        q.bool("paginated")?.unwrap_or(false),
    ))
}

pub async fn create(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    JsonBody(body): JsonBody<CreateSessionRequest>,
) -> ApiResult {
    let user_id = body.user_id;
    let org = body.active_organization_id;
    if org.is_some() {
        return Err(CoreError::value(
            "active_organization_id",
            "does not name an organization of this user",
        )
        .into());
    }
    let session = app::create(&state, &ctx, &user_id, org).await?;
    Ok(Json(SessionJson::new(&session, state.now())).into_response())
}

pub async fn get(State(state): State<AppState>, _auth: SecretKeyAuth, p: PathParams) -> ApiResult {
    let session = app::get(&state, p.first()).await?;
    Ok(Json(SessionJson::new(&session, state.now())).into_response())
}

pub async fn revoke(
    State(state): State<AppState>,
    SecretKeyAuth(ctx): SecretKeyAuth,
    p: PathParams,
) -> ApiResult {
    let session = app::revoke(&state, &ctx, p.first()).await?;
    Ok(Json(SessionJson::new(&session, state.now())).into_response())
}

pub async fn token(
    State(state): State<AppState>,
    _auth: SecretKeyAuth,
    p: PathParams,
    JsonBody(body): JsonBody<CreateTokenRequest>,
) -> ApiResult {
    let jwt = app::mint_token(&state, p.first(), body.expires_in_seconds).await?;
    Ok(Json(TokenJson {
        object: "token",
        jwt,
    })
    .into_response())
}

/// JWT templates are not built yet, so no template name exists.
pub async fn template_token(
    State(state): State<AppState>,
    _auth: SecretKeyAuth,
    p: PathParams,
) -> ApiResult {
    app::get(&state, p.first()).await?;
    Err(ApiError::not_found("JWT template"))
}
