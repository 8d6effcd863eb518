//! The signed-in caller of the Frontend API routes clerk-js reaches with a session token in
//! `Authorization: Bearer …` instead of the client cookie (its API keys calls, which go through
//! Clerk's "FAPI proxy" with credentials only for the same origin). The token must be one of the
//! instance's, unexpired, and name an active session; anything else is 401.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use usher_core::ids::{OrganizationId, UserId};
use usher_core::sessions::SessionStatus;
use usher_core::sessions::bearer;

use super::browser::request_context;
use crate::app::context::RequestContext;
use crate::error::ApiError;
use crate::state::AppState;

pub struct SessionBearer {
    pub ctx: RequestContext,
    pub user_id: UserId,
    /// The session's active organization, if any.
    pub organization_id: Option<OrganizationId>,
}

fn unauthenticated() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "authentication_invalid",
        "Unauthorized request",
        "A valid session token is required in the Authorization header.",
    )
}

impl FromRequestParts<AppState> for SessionBearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(unauthenticated)?;
        let now = state.now();
        let keys = state.keys();
        let found = bearer::verify(keys.all.iter().map(|k| &**k), token.trim(), now)
            .ok_or_else(unauthenticated)?;
        let session = state
            .store
            .get_session(&state.instance.id, &found.session_id)
            .await
            .map_err(|e| ApiError::from(usher_core::CoreError::from(e)))?
            .filter(|s| s.status_at(now) == SessionStatus::Active)
            .ok_or_else(unauthenticated)?;
        let ctx = request_context(parts, state, format!("user:{}", session.user_id));
        Ok(Self {
            ctx,
            user_id: session.user_id.clone(),
            organization_id: session.last_active_organization_id.clone(),
        })
    }
}
