//! `/npm/@clerk/{clerk-js,ui}@<version>/dist/<file>`: Clerk's browser SDK served from a copy the
//! operator installed from npm (`--clerk-js-dir`), the way Clerk's Frontend API serves it, so
//! apps and framework SDKs that load it from the Frontend API work without any outside CDN.
//! Whatever version the URL names, the installed copy is served.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::extract::path::{NpmPath, Path};
use crate::state::AppState;

const PACKAGES: &[&str] = &["clerk-js", "ui"];

/// `@clerk/<pkg>@<version>/<file under dist/>` → (`pkg`, relative file path), refusing anything
/// that could leave the package's `dist/` folder.
pub fn resolve(path: &str) -> Option<(&'static str, String)> {
    let rest = path.strip_prefix("@clerk/")?;
    let (pkg_and_version, file) = rest.split_once('/')?;
    let pkg_name = pkg_and_version.split('@').next()?;
    let pkg = PACKAGES.iter().find(|p| **p == pkg_name)?;
    let file = file.strip_prefix("dist/")?;
    let safe = !file.is_empty()
        && file.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        });
    safe.then(|| (*pkg, format!("dist/{file}")))
}

fn content_type(file: &str) -> &'static str {
    match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("js" | "mjs") => "application/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("map" | "json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

pub async fn serve(
    State(state): State<AppState>,
    Path(p): Path<NpmPath>,
) -> Result<Response, ApiError> {
    let Some(dir) = &state.frontend.clerk_js_dir else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            "not found",
            "This server does not serve Clerk's browser SDK: start it with --clerk-js-dir pointing at a node_modules folder holding @clerk/clerk-js and @clerk/ui.",
        ));
    };
    let (pkg, file) = resolve(&p.path).ok_or_else(ApiError::route_not_found)?;
    let full = dir.join("@clerk").join(pkg).join(&file);
    let bytes = tokio::fs::read(&full)
        .await
        .map_err(|_| ApiError::route_not_found())?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(&file)));
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(res)
}
