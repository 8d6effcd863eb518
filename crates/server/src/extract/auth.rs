//! `Authorization: Bearer sk_…` for the Backend API, and the caller it names to the use cases.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::StatusCode;
use axum::http::header::{AUTHORIZATION, USER_AGENT};
use axum::http::request::Parts;
use usher_core::ratelimit::Counters as _;

use crate::app::context::RequestContext;
use crate::error::ApiError;
use crate::state::AppState;
use crate::trace::TraceId;

/// A request authenticated with one of the instance's secret keys.
pub struct SecretKeyAuth(pub RequestContext);

fn unauthorized(code: &'static str, message: &str, long: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, code, message, long)
}

impl FromRequestParts<AppState> for SecretKeyAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)?;
        instance_key(parts, state, &token).await.map(SecretKeyAuth)
    }
}

/// The bearer token of `Authorization`, or the refusal of a missing or malformed header.
pub fn bearer(parts: &Parts) -> Result<String, ApiError> {
    let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
            unauthorized(
                "authentication_invalid",
                "Unauthorized request",
                "You are not authorized to perform this request. Send your secret key as 'Authorization: Bearer sk_...'.",
            )
        })?;
    let value = header.to_str().map_err(|_| {
        unauthorized(
            "authorization_header_format_invalid",
            "Invalid Authorization header format",
            "The Authorization header must be 'Bearer <secret key>'.",
        )
    })?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            unauthorized(
                "authorization_header_format_invalid",
                "Invalid Authorization header format",
                "The Authorization header must be 'Bearer <secret key>'.",
            )
        })?;
    Ok(token.to_owned())
}

/// The context of a request authenticated by `token`, one of the instance's secret keys (and
/// counted against that key's limit).
pub async fn instance_key(
    parts: &Parts,
    state: &AppState,
    token: &str,
) -> Result<RequestContext, ApiError> {
    // Every key is compared (in constant time each) so the time taken does not say which matched;
    // an expired key (rotated past its overlap, or revoked) matches nothing.
    let now = state.now();
    let mut matched: Option<String> = None;
    for key in state.secret_keys().iter() {
        if key.matches(token) && key.is_valid_at(now) && matched.is_none() {
            matched = Some(key.id.to_string());
        }
    }
    let key_id = matched.ok_or_else(|| {
        unauthorized(
            "clerk_key_invalid",
            "Secret Key is invalid",
            "The provided Secret Key is invalid. Make sure that your Secret Key is correct.",
        )
    })?;
    if let Some(window) = state.bapi_limit {
        let key = window.key(&format!("bapi:{}:{key_id}", state.instance.id), now);
        // A counter store that cannot count at all lets the request through: the limit
        // protects capacity, and the caller is already authenticated.
        if let Ok(count) = state.counters.incr(&key, window.window_ms * 2).await {
            let decision = window.decide(count, now);
            if !decision.allowed {
                let mut e = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_requests",
                    "Too many requests",
                    format!(
                        "This secret key may make {} requests per {} seconds.",
                        window.limit,
                        window.window_ms / 1000
                    ),
                );
                e.detail.retry_after = Some(decision.retry_after_secs);
                return Err(e);
            }
        }
    }
    Ok(context(parts, format!("secret_key:{key_id}")))
}

/// The context of a request made by `actor`.
pub fn context(parts: &Parts, actor: String) -> RequestContext {
    RequestContext {
        actor,
        trace_id: parts.extensions.get::<TraceId>().map(|t| t.0.clone()),
        client_ip: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string()),
        user_agent: parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect()),
    }
}
