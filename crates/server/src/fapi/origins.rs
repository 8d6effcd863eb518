//! Which web origins may call the Frontend API. A request carrying an `Origin` header from
//! anywhere else is refused before any handler runs; allowed ones get credentialed CORS
//! headers for exactly that origin.

use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE, ORIGIN, REFERER, VARY,
};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use usher_core::instance::Environment;

use crate::config::normalize_origin;
use crate::error::ApiError;
use crate::state::AppState;

/// The request's origin, once allowed: the `azp` of the tokens it gets.
#[derive(Debug, Clone)]
pub struct AllowedOrigin(pub String);

pub fn is_loopback_host(origin: &str) -> bool {
    let host = origin.split_once("://").map_or(origin, |(_, h)| h);
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    matches!(host, "localhost" | "127.0.0.1" | "[::1]") || host.ends_with(".localhost")
}

pub fn is_allowed(state: &AppState, origin: &str) -> bool {
    let Some(origin) = normalize_origin(origin) else {
        return false;
    };
    state.settings().allowed_origins.contains(&origin)
        || origin == format!("https://{}", state.instance.frontend_host)
        || (state.instance.environment == Environment::Development && is_loopback_host(&origin))
        || crate::app::domains::is_satellite_origin(state, &origin)
}

pub fn origin_refused() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "origin_invalid",
        "Invalid origin",
        "This request's origin is not allowed to use this instance's Frontend API. Add it to the allowed origins (usher config set allowed_origins, or USHER_ALLOWED_ORIGINS).",
    )
}

/// Uploaded images (`/v1/images/{id}`, also under the proxy prefix) are public: any page may
/// show them, `crossorigin="anonymous"` as Clerk's UI loads them included, and no cookie is read.
fn is_public_image(req: &Request) -> bool {
    let path = req.uri().path();
    let path = path.strip_prefix(super::PROXY_PREFIX).unwrap_or(path);
    matches!(*req.method(), Method::GET | Method::HEAD) && path.starts_with("/v1/images/")
}

pub async fn middleware(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if is_public_image(&req) {
        let mut res = next.run(req).await;
        res.headers_mut()
            .insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        return res;
    }
    let origin = req
        .headers()
        .get(ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Some(origin) = origin else {
        // Same-origin GETs carry no Origin; a Referer on an allowed origin still names the app,
        // so tokens minted for it get their `azp`. Nothing is refused on a Referer.
        let referer_origin = req
            .headers()
            .get(REFERER)
            .and_then(|v| v.to_str().ok())
            .and_then(|r| url::Url::parse(r).ok())
            .map(|u| u.origin().ascii_serialization())
            .filter(|o| is_allowed(&state, o));
        if let Some(o) = referer_origin {
            req.extensions_mut().insert(AllowedOrigin(o));
        }
        return next.run(req).await;
    };
    if !is_allowed(&state, &origin) {
        state.metrics.origin_refusals.inc();
        // A person submitting a hosted page's form reads the answer: it is a page too.
        if crate::pages::is_page_path(req.uri().path()) {
            return crate::pages::origin_refused_page(&state, req.uri().path());
        }
        return origin_refused().into_response();
    }
    let preflight = req.method() == Method::OPTIONS;
    req.extensions_mut().insert(AllowedOrigin(origin.clone()));
    let mut res = if preflight {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(
            ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PATCH, PUT, DELETE"),
        );
        h.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type, authorization"),
        );
        h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        r
    } else {
        next.run(req).await
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&origin) {
        h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, v);
        h.insert(
            ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
    h.append(VARY, HeaderValue::from_static("Origin"));
    res
}
