//! clerk-js sends every PATCH, PUT and DELETE as a POST with `?_method=…` (so that its requests
//! stay "simple" for CORS). The method is restored before routing. Some clerk-js calls also end
//! their path with a slash (`/v1/me/backup_codes/`); routes are matched without it. Its API keys
//! calls join an empty version prefix to the proxy URL (`/__clerk//api_keys`); the doubled slash
//! is folded.

use axum::extract::Request;
use axum::http::Method;

pub fn restore_method(mut req: Request) -> Request {
    strip_trailing_slash(&mut req);
    fold_api_keys_slash(&mut req);
    if req.method() != Method::POST {
        return req;
    }
    let tunneled = req.uri().query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "_method")
            .map(|(_, v)| v.to_ascii_uppercase())
    });
    match tunneled.as_deref() {
        Some("PATCH") => *req.method_mut() = Method::PATCH,
        Some("PUT") => *req.method_mut() = Method::PUT,
        Some("DELETE") => *req.method_mut() = Method::DELETE,
        _ => {}
    }
    req
}

fn fold_api_keys_slash(req: &mut Request) {
    let path = req.uri().path();
    if let Some(i) = path.find("//api_keys") {
        let folded = format!("{}{}", &path[..i], &path[i + 1..]);
        set_path(req, &folded);
    }
}

fn strip_trailing_slash(req: &mut Request) {
    let path = req.uri().path();
    if path.len() <= 1 || !path.ends_with('/') {
        return;
    }
    let trimmed = path.trim_end_matches('/');
    let trimmed = if trimmed.is_empty() { "/" } else { trimmed }.to_owned();
    set_path(req, &trimmed);
}

fn set_path(req: &mut Request, trimmed: &str) {
    let uri = req.uri();
    let rebuilt = match uri.query() {
        Some(q) => format!("{trimmed}?{q}"),
        None => trimmed.to_owned(),
    };
    if let Ok(pq) = rebuilt.parse::<axum::http::uri::PathAndQuery>() {
        let mut parts = uri.clone().into_parts();
        parts.path_and_query = Some(pq);
        if let Ok(new) = axum::http::Uri::from_parts(parts) {
            *req.uri_mut() = new;
        }
    }
}
