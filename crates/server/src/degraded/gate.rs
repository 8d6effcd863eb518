//! The degraded-mode gate: while the node is degraded, every request but a session token
//! refresh, the health checks, metrics and the JWKS answers Clerk's 503 at once, without
//! waiting on a database that does not answer. It also marks refresh requests
//! ([`RefreshRoute`]) so that the Frontend API's client look-up may fall back to memory.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;

/// A session token request (Frontend or Backend API, with or without a template).
#[derive(Debug, Clone, Copy)]
pub struct RefreshRoute {
    /// Named a JWT template (not served from memory: templates are read from the database).
    pub template: bool,
}

/// `/v1/client/sessions/{id}/tokens[/{template}]` (also under `/__clerk`) and
/// `/v1/sessions/{id}/tokens[/{template}]`.
pub fn refresh_route(path: &str) -> Option<RefreshRoute> {
    let path = path.strip_prefix("/__clerk").unwrap_or(path);
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let rest = match segs.as_slice() {
        ["v1", "client", "sessions", id, rest @ ..] | ["v1", "sessions", id, rest @ ..]
            if !id.is_empty() =>
        {
            rest
        }
        _ => return None,
    };
    match rest {
        ["tokens"] => Some(RefreshRoute { template: false }),
        ["tokens", t] if !t.is_empty() => Some(RefreshRoute { template: true }),
        _ => None,
    }
}

/// What answers from memory whatever the database does.
pub fn exempt(path: &str) -> bool {
    let path = path.strip_prefix("/__clerk").unwrap_or(path);
    matches!(
        path,
        "/healthz" | "/readyz" | "/metrics" | "/v1/jwks" | "/.well-known/jwks.json"
    )
}

pub async fn middleware(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let refresh = refresh_route(path);
    let open = exempt(path) || refresh.is_some_and(|r| !r.template);
    if !open && state.degraded.is_active() && state.settings().degraded_mode_enabled {
        return ApiError::unavailable(None).into_response();
    }
    if let Some(r) = refresh {
        req.extensions_mut().insert(r);
    }
    next.run(req).await
}
