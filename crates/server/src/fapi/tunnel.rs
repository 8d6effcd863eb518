//! clerk-js sends every PATCH, PUT and DELETE as a POST with `?_method=…` (so that its requests
//! stay "simple" for CORS). The method is restored before routing.

use axum::extract::Request;
use axum::http::Method;

pub fn restore_method(mut req: Request) -> Request {
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
