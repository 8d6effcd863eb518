//! Who is calling the Frontend API: the browser's client (named by the `__client` cookie, or by
//! the dev-browser token in `__clerk_db_jwt` on development instances), the allowed origin the
//! request came from, and the session it names.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header::{COOKIE, USER_AGENT};
use axum::http::request::Parts;
use usher_core::clients::{Client, ClientToken};

use super::cookies;
use super::origins::AllowedOrigin;
use crate::app::context::RequestContext;
use crate::app::frontend::ClientKey;
use crate::app::frontend::clients::by_token;
use crate::error::ApiError;
use crate::state::AppState;
use crate::trace::TraceId;
use crate::wire::frontend::api_version::ApiVersion;

/// How the browser names its client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientTransport {
    /// The HttpOnly `__client` cookie (production, and development without a dev browser).
    Cookie,
    /// The dev-browser token in the query string; the Frontend API sets no cookies.
    DevBrowser,
}

pub struct Browser {
    pub ctx: RequestContext,
    pub key: ClientKey,
    pub client: Option<Client>,
    pub transport: ClientTransport,
    /// The allowed origin of a cross-origin or same-origin `fetch`; `None` for navigations and
    /// server-side calls.
    pub origin: Option<String>,
    /// `_clerk_session_id`: the session a `/v1/me` request acts for.
    pub session_id: Option<String>,
    /// The Frontend API version the caller speaks; every response to it is rendered for it.
    pub api_version: ApiVersion,
}

impl Browser {
    pub fn azp(&self) -> Option<&str> {
        self.origin.as_deref()
    }
}

fn query_param(parts: &Parts, name: &str) -> Option<String> {
    parts.uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    })
}

/// The only place a request's Frontend API version is read. clerk-js names it in the query
/// string of every request (`__clerk_api_version`; it sends no version header).
pub fn api_version(parts: &Parts) -> ApiVersion {
    ApiVersion::requested(query_param(parts, "__clerk_api_version").as_deref())
}

pub fn dev_browser_unauthenticated() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "dev_browser_unauthenticated",
        "Dev browser unauthenticated",
        "The dev browser token is missing or unknown. Create a new dev browser.",
    )
}

/// What a Frontend API request does is recorded with: `actor`, its trace, and the caller's
/// address and user agent.
pub fn request_context(parts: &Parts, state: &AppState, actor: String) -> RequestContext {
    RequestContext {
        actor,
        trace_id: parts.extensions.get::<TraceId>().map(|t| t.0.clone()),
        client_ip: super::client_ip::resolve(parts, &state.frontend.trusted_proxies)
            .map(|ip| ip.to_string()),
        user_agent: parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(256).collect()),
    }
}

impl FromRequestParts<AppState> for Browser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let origin = parts.extensions.get::<AllowedOrigin>().map(|o| o.0.clone());
        // Dev browsers exist on development instances only.
        let dev_token = (state.instance.environment
            == usher_core::instance::Environment::Development)
            .then(|| query_param(parts, cookies::DEV_BROWSER))
            .flatten();
        let (transport, token) = match dev_token {
            Some(t) => (ClientTransport::DevBrowser, Some(t)),
            None => (
                ClientTransport::Cookie,
                parts
                    .headers
                    .get_all(COOKIE)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .find_map(|h| cookies::read(h, cookies::CLIENT))
                    .map(str::to_owned),
            ),
        };
        let refresh = parts
            .extensions
            .get::<crate::degraded::gate::RefreshRoute>()
            .is_some_and(|r| !r.template);
        let client = match token.as_deref().and_then(ClientToken::parse) {
            // A token refresh may be served from memory while the database is away.
            Some(t) if refresh => crate::app::degraded::client_for_refresh(state, &t)
                .await
                .map_err(ApiError::from)?,
            Some(t) => by_token(state, &t).await.map_err(ApiError::from)?,
            None => None,
        };
        if transport == ClientTransport::DevBrowser && client.is_none() {
            return Err(dev_browser_unauthenticated());
        }
        let actor = client
            .as_ref()
            .map_or_else(|| "client:new".to_owned(), |c| format!("client:{}", c.id));
        let ctx = request_context(parts, state, actor);
        let key = match &client {
            Some(c) => ClientKey::of(c, ClientToken::generate()),
            None => ClientKey::new_client(),
        };
        Ok(Self {
            ctx,
            key,
            client,
            transport,
            origin,
            session_id: query_param(parts, "_clerk_session_id").filter(|s| !s.is_empty()),
            api_version: api_version(parts),
        })
    }
}
