use axum::Json;
use axum::response::IntoResponse;
use usher_core::CoreError;
use usher_core::sessions::SessionStatus;
use usher_core::sessions::query::{SessionFilter, SessionQuery};

use super::call::Call;
use crate::app::jwt_templates::{self, MintFor};
use crate::app::sessions as app;
use crate::error::{ApiError, ApiResult};
use crate::extract::body::JsonBody;
use crate::extract::path::{Path, SessionPath, SessionTemplatePath};
use crate::extract::query::QueryParams;
use crate::wire::lists::list_response;
use crate::wire::requests::sessions::{CreateSessionRequest, CreateTokenRequest};
use crate::wire::sessions::{SessionJson, TokenJson};
use usher_core::ids::{ClientId, UserId};

pub async fn list(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    let status = match q.one("status") {
        None => None,
        Some(s) => Some(SessionStatus::parse(s).ok_or_else(|| {
            ApiError::query(CoreError::value("status", "is not a session status"))
        })?),
    };
    let page = q.page()?;
    let paginated = q.bool("paginated")?.unwrap_or(false);
    // A filter that is not an id of its kind matches no session.
    let (Ok(user_id), Ok(client_id)) = (
        q.one("user_id").map(UserId::parse).transpose(),
        q.one("client_id").map(ClientId::parse).transpose(),
    ) else {
        return Ok(list_response(Vec::<SessionJson>::new(), 0, paginated));
    };
    let query = SessionQuery {
        filter: SessionFilter {
            user_id,
            client_id,
            status,
        },
        page,
        now: state.now(),
    };
    let (sessions, total) = app::list(&state, &query).await?;
    let now = state.now();
    let items: Vec<SessionJson> = sessions.iter().map(|s| SessionJson::new(s, now)).collect();
    Ok(list_response(items, total, paginated))
}

pub async fn create(
    Call { state, ctx }: Call,
    JsonBody(body): JsonBody<CreateSessionRequest>,
) -> ApiResult {
    let user_id = body.user_id;
    let active_org = match body.active_organization_id.as_deref() {
        None => None,
        Some(raw) => Some(
            usher_core::ids::OrganizationId::parse(raw)
                .map_err(|_| app::not_a_member_organization())?,
        ),
    };
    let session = app::create(&state, &ctx, &user_id, active_org).await?;
    Ok(Json(SessionJson::new(&session, state.now())).into_response())
}

pub async fn get(Call { state, .. }: Call, Path(p): Path<SessionPath>) -> ApiResult {
    let session = app::get(&state, &p.session_id).await?;
    Ok(Json(SessionJson::new(&session, state.now())).into_response())
}

pub async fn revoke(Call { state, ctx }: Call, Path(p): Path<SessionPath>) -> ApiResult {
    let session = app::revoke(&state, &ctx, &p.session_id).await?;
    Ok(Json(SessionJson::new(&session, state.now())).into_response())
}

pub async fn token(
    Call { state, .. }: Call,
    Path(p): Path<SessionPath>,
    JsonBody(body): JsonBody<CreateTokenRequest>,
) -> ApiResult {
    let jwt = app::mint_token(&state, &p.session_id, body.expires_in_seconds).await?;
    Ok(Json(TokenJson {
        object: "token",
        jwt,
    })
    .into_response())
}

/// A token from the JWT template named in the path (404 when there is none).
pub async fn template_token(
    Call { state, .. }: Call,
    Path(p): Path<SessionTemplatePath>,
    JsonBody(body): JsonBody<CreateTokenRequest>,
) -> ApiResult {
    let jwt = jwt_templates::mint(
        &state,
        &MintFor {
            session_id: &p.session_id,
            template_name: &p.template_name,
            client: None,
            authorized_party: None,
            lifetime_override: body.expires_in_seconds,
        },
    )
    .await?;
    Ok(Json(TokenJson {
        object: "token",
        jwt,
    })
    .into_response())
}
