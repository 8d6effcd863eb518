//! The M2M token routes' callers: a machine, by its `ak_` secret key, or the instance, by one of
//! its `sk_` secret keys. Which may do what is the use case's decision (`app::m2m_tokens`).

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use usher_core::machines::Machine;

use super::auth::{bearer, context, instance_key};
use crate::app::context::RequestContext;
use crate::error::ApiError;
use crate::state::AppState;

/// Who called an M2M token route.
pub enum M2mCaller {
    Instance,
    Machine(Box<Machine>),
}

pub struct M2mAuth {
    pub caller: M2mCaller,
    pub ctx: RequestContext,
}

impl FromRequestParts<AppState> for M2mAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)?;
        if token.starts_with(usher_core::api_keys::secrets::SECRET_PREFIX) {
            let machine = crate::app::machines::authenticate(state, &token)
                .await?
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "machine_secret_key_invalid",
                        "Machine secret key is invalid",
                        "The provided machine secret key is invalid, revoked or rotated out.",
                    )
                })?;
            let ctx = context(parts, format!("machine:{}", machine.id));
            return Ok(M2mAuth {
                caller: M2mCaller::Machine(Box::new(machine)),
                ctx,
            });
        }
        let ctx = instance_key(parts, state, &token).await?;
        Ok(M2mAuth {
            caller: M2mCaller::Instance,
            ctx,
        })
    }
}
