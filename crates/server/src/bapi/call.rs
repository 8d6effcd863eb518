//! What every Backend API handler starts from: the server's state and the caller, authenticated
//! with one of the instance's secret keys.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::app::context::RequestContext;
use crate::error::ApiError;
use crate::extract::auth::SecretKeyAuth;
use crate::state::AppState;

/// A Backend API call: the state the use cases run against, and the context of the secret key
/// that made the call (its audit actor, trace id and address). The key is checked before any
/// other part of the request is read, so a call without a valid key is refused with 401 whatever
/// its path or body.
pub struct Call {
    pub state: AppState,
    pub ctx: RequestContext,
}

impl FromRequestParts<AppState> for Call {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let SecretKeyAuth(ctx) = SecretKeyAuth::from_request_parts(parts, state).await?;
        Ok(Call {
            state: state.clone(),
            ctx,
        })
    }
}
