//! `GET /v1/client/handshake`: a server-rendered app whose `__session` cookie expired sends the
//! browser here (a top-level navigation); Usher answers with the cookies the app should set —
//! a fresh session token, or signed-out — and sends the browser back. The directives travel as
//! a signed JWT, or, when large, as a nonce the app redeems at the Backend API's
//! `/v1/clients/handshake_payload`. Production instances hand them over in a short-lived
//! cookie; development instances in the query string, as Clerk does.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use url::Url;
use usher_core::clients::{Client, ClientToken};
use usher_core::instance::Environment;
use usher_core::{CoreError, CoreResult};

use super::cookies::{self, CookieOptions};
use super::origins::is_allowed;
use crate::app::frontend::clients::by_token;
use crate::app::frontend::handshake::{refreshed_session, store_payload};
use crate::error::ApiError;
use crate::state::AppState;
use usher_core::redirects::Target;

/// Larger payloads go by nonce: browsers cap a cookie at about 4 KB, and a signed-in payload
/// (two session tokens) is close to that once signed and encoded.
const JWT_PAYLOAD_LIMIT: usize = 1024;
const TRANSPORT_PARAMS: &[&str] = &[cookies::HANDSHAKE, cookies::HANDSHAKE_NONCE, "__clerk_help"];

fn param(uri: &Uri, name: &str) -> Option<String> {
    uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    })
}

/// The redirect target, an http(s) URL on an allowed origin (`core::redirects`' rule; a
/// registered redirect URL is not enough here, as the handshake hands the target a session),
/// without stale handshake parameters.
fn redirect_target(state: &AppState, raw: Option<String>) -> CoreResult<(Url, String)> {
    let invalid = || {
        CoreError::value(
            "redirect_url",
            "must be an absolute URL on an allowed origin",
        )
    };
    let raw = raw.ok_or_else(|| CoreError::missing("redirect_url"))?;
    let Some(Target::Url(mut url)) =
        Target::parse(&raw, false).filter(|t| t.on_allowed_origin(|o| is_allowed(state, o)))
    else {
        return Err(invalid());
    };
    let origin = url.origin().ascii_serialization();
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !TRANSPORT_PARAMS.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    Ok((url, origin))
}

/// The browser's client, and on development instances the dev-browser token to hand back.
///
/// The browser's own `__client` cookie comes first: the Frontend API sets it only for a browser
/// whose clerk-js runs in cookie mode (a key whose host is not one of Clerk's dev-browser
/// domains), and there `__clerk_db_jwt` is merely the marker the backend SDKs insist on for a
/// `pk_test_` key — possibly one an earlier, signed-out handshake handed out. Otherwise the
/// dev-browser token names the client. A development browser always gets a token back: the
/// one it sent when well-formed (so the app's cookie stays put), else a fresh one. No client is
/// stored for it here: a token that names nothing costs nothing until clerk-js writes with it
/// (and clerk-js answers an unknown one by creating a dev browser), so unauthenticated
/// handshakes write nothing at all.
async fn client_of(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
) -> CoreResult<(Option<Client>, Option<ClientToken>)> {
    let from_cookie = match cookie(headers, cookies::CLIENT)
        .as_deref()
        .and_then(ClientToken::parse)
    {
        Some(t) => by_token(state, &t).await?,
        None => None,
    };
    if state.instance.environment != Environment::Development {
        return Ok((from_cookie, None));
    }
    let sent = param(uri, cookies::DEV_BROWSER)
        .as_deref()
        .and_then(ClientToken::parse);
    let client = match (from_cookie, &sent) {
        (Some(c), _) => Some(c),
        (None, Some(t)) => by_token(state, t).await?,
        (None, None) => None,
    };
    Ok((client, Some(sent.unwrap_or_else(ClientToken::generate))))
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| cookies::read(h, name))
        .map(str::to_owned)
}

pub async fn handshake(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, ApiError> {
    let (mut target, origin) = redirect_target(&state, param(&uri, "redirect_url"))?;
    let (client, dev_token) = client_of(&state, &headers, &uri).await?;
    let cfg = &state.frontend;
    let suffix = state.instance.cookie_suffix();
    let suffixed = |name: &str| format!("{name}_{suffix}");
    let dev = state.instance.environment == Environment::Development;

    // Clears first, sets last: the SDK reads the session from the last `__session` directive.
    let mut directives = Vec::new();
    if !dev {
        directives.push(cookies::clear(cookies::HANDSHAKE));
        directives.push(cookies::clear(cookies::HANDSHAKE_NONCE));
    }
    if let Some(t) = &dev_token {
        directives.push(cookies::readable(cfg, cookies::DEV_BROWSER, t.as_str()));
        directives.push(cookies::readable(
            cfg,
            &suffixed(cookies::DEV_BROWSER),
            t.as_str(),
        ));
    }
    let refreshed = match &client {
        Some(c) => refreshed_session(&state, c, Some(&origin)).await?,
        None => None,
    };
    match refreshed {
        Some((jwt, uat)) => {
            directives.push(cookies::client_uat(cfg, cookies::CLIENT_UAT, uat));
            directives.push(cookies::client_uat(
                cfg,
                &suffixed(cookies::CLIENT_UAT),
                uat,
            ));
            directives.push(cookies::readable(cfg, cookies::SESSION, &jwt));
            directives.push(cookies::readable(cfg, &suffixed(cookies::SESSION), &jwt));
        }
        None => {
            directives.push(cookies::clear(cookies::SESSION));
            directives.push(cookies::clear(&suffixed(cookies::SESSION)));
            directives.push(cookies::client_uat(cfg, cookies::CLIENT_UAT, 0));
            directives.push(cookies::client_uat(cfg, &suffixed(cookies::CLIENT_UAT), 0));
        }
    }

    let size: usize = directives.iter().map(String::len).sum();
    // Every SDK that asks for a handshake today accepts a nonce (`format=nonce`); a payload
    // too large for a cookie goes that way whatever the request says.
    let by_nonce = size > JWT_PAYLOAD_LIMIT;
    let (name, value) = if by_nonce {
        (
            cookies::HANDSHAKE_NONCE,
            store_payload(&state, &directives).await?,
        )
    } else {
        let claims = json!({ "handshake": directives, "iat": state.now() / 1000 });
        let jwt = state
            .keys()
            .active
            .sign_jwt(claims.to_string().as_bytes())?;
        (cookies::HANDSHAKE, jwt)
    };
    let mut res = StatusCode::TEMPORARY_REDIRECT.into_response();
    if dev {
        target.query_pairs_mut().append_pair(name, &value);
    } else {
        let c = cookies::set_cookie(
            cfg,
            name,
            &value,
            CookieOptions {
                http_only: true,
                max_age: 60,
            },
        );
        if let Some(v) = cookies::header(&c) {
            res.headers_mut().append(SET_COOKIE, v);
        }
    }
    let location = HeaderValue::from_str(target.as_str())
        .map_err(|_| ApiError::from(CoreError::value("redirect_url", "is not a valid URL")))?;
    res.headers_mut().insert(LOCATION, location);
    res.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
