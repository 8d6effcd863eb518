//! Request ids. Every request gets a fresh trace id, logged with the request and returned as
//! `x-clerk-trace-id` and, in error bodies, as `clerk_trace_id`.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::error::{ApiError, render};

#[derive(Debug, Clone)]
pub struct TraceId(pub String);

pub const TRACE_HEADER: &str = "x-clerk-trace-id";

pub async fn middleware(mut req: Request, next: Next) -> Response {
    let trace = TraceId(usher_core::ids::random_hex(16));
    req.extensions_mut().insert(trace.clone());
    let span = tracing::info_span!("request", clerk_trace_id = %trace.0, method = %req.method(), path = %req.uri().path());
    let mut res = next.run(req).instrument(span.clone()).await;
    // Errors are rendered without the trace id by handlers; stamp it in here.
    if let Some(err) = res.extensions_mut().remove::<ApiError>() {
        // Keep what layers added on the way out (CORS, cookies); the body is rendered anew.
        let added = std::mem::take(res.headers_mut());
        res = render(&err, &trace.0);
        for (name, value) in added.iter() {
            if !matches!(
                name,
                &header::CONTENT_TYPE | &header::CONTENT_LENGTH | &header::RETRY_AFTER
            ) {
                res.headers_mut().append(name, value.clone());
            }
        }
    }
    if let Ok(v) = HeaderValue::from_str(&trace.0) {
        res.headers_mut().insert(TRACE_HEADER, v);
    }
    let status = res.status().as_u16();
    span.in_scope(|| {
        // A 503 is the database away (degraded mode): the enter/leave warnings tell it once.
        if status == 503 {
            tracing::debug!(status, "response");
        } else if status >= 500 {
            tracing::error!(status, "response");
        } else {
            tracing::debug!(status, "response");
        }
    });
    res
}
