//! The cookies the Frontend API sets. `__client` holds the browser's client secret and is
//! HttpOnly; `__client_uat` tells the app's backend when the client last signed in or out and
//! must be readable by clerk-js; both are host-only on the host the browser called (the app's
//! own origin when the Frontend API is proxied under a path).

use axum::http::HeaderValue;

use crate::config::FrontendConfig;

pub const CLIENT: &str = "__client";
pub const CLIENT_UAT: &str = "__client_uat";
pub const SESSION: &str = "__session";
pub const DEV_BROWSER: &str = "__clerk_db_jwt";
pub const HANDSHAKE: &str = "__clerk_handshake";
pub const HANDSHAKE_NONCE: &str = "__clerk_handshake_nonce";

const YEAR_SECS: i64 = 365 * 24 * 3600;

pub struct CookieOptions {
    pub http_only: bool,
    pub max_age: i64,
}

pub fn set_cookie(cfg: &FrontendConfig, name: &str, value: &str, o: CookieOptions) -> String {
    let mut s = format!("{name}={value}; Path=/; Max-Age={}", o.max_age);
    if o.http_only {
        s.push_str("; HttpOnly");
    }
    if cfg.cookie_secure {
        s.push_str("; Secure");
    }
    s.push_str("; SameSite=");
    s.push_str(cfg.cookie_same_site.as_str());
    s
}

pub fn client(cfg: &FrontendConfig, token: &str) -> String {
    set_cookie(
        cfg,
        CLIENT,
        token,
        CookieOptions {
            http_only: true,
            max_age: YEAR_SECS,
        },
    )
}

pub fn client_uat(cfg: &FrontendConfig, name: &str, secs: i64) -> String {
    set_cookie(
        cfg,
        name,
        &secs.to_string(),
        CookieOptions {
            http_only: false,
            max_age: YEAR_SECS,
        },
    )
}

/// A readable app cookie (`__session`, `__clerk_db_jwt`) as the handshake hands it to the app.
pub fn readable(cfg: &FrontendConfig, name: &str, value: &str) -> String {
    set_cookie(
        cfg,
        name,
        value,
        CookieOptions {
            http_only: false,
            max_age: YEAR_SECS,
        },
    )
}

pub fn clear(name: &str) -> String {
    format!("{name}=; Path=/; Max-Age=0")
}

pub fn header(v: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(v).ok()
}

/// The value of cookie `name` in a `Cookie` header.
pub fn read<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    cookie_header
        .split(';')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}
