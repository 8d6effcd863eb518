//! Every Frontend API write counts against its client address; past the limit the answer is
//! 429 with `Retry-After`, before any handler (or password hash) runs.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use usher_core::CoreError;
use usher_core::ratelimit::Counters as _;

use crate::error::ApiError;
use crate::state::AppState;

pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let ip = super::client_ip::resolve(&parts, &state.frontend.trusted_proxies);
    let req = Request::from_parts(parts, body);
    if let Some(ip) = ip {
        let window = state.frontend.limits.mutations_per_ip;
        let now = state.now();
        let key = window.key(&format!("fapi:{}:ip:{ip}", state.instance.id), now);
        // Without any counter store the request goes through: limits protect capacity, and
        // the per-account failure limits still apply.
        if let Ok(count) = state.counters.incr(&key, window.window_ms * 2).await {
            let d = window.decide(count, now);
            if !d.allowed {
                state.metrics.throttled.inc();
                return ApiError::from(CoreError::TooManyRequests {
                    retry_after_secs: d.retry_after_secs,
                })
                .into_response();
            }
        }
    }
    next.run(req).await
}
