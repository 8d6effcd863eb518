//! What authenticating a request decides, and the `Auth` object handlers receive from it,
//! with `protect()`.

use std::sync::Arc;

use http::header::{CACHE_CONTROL, LOCATION};
use http::{HeaderName, HeaderValue, StatusCode};

use crate::auth::{AcceptsToken, AuthState, Has, MachineAuth, SessionAuth, SignedOut, TokenType};
use crate::error::Reason;

use super::authenticator::Authenticator;

/// The outcome of authenticating a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    SignedIn,
    SignedOut,
    /// The browser must be redirected (see [`RequestState::headers`]) to refresh its cookies.
    Handshake,
}

/// What [`Authenticator::authenticate`] decided, with the headers to add to the response
/// (`Set-Cookie`, and `Location` for a handshake).
#[derive(Clone, Debug)]
pub struct RequestState {
    pub status: Status,
    pub reason: Option<Reason>,
    pub message: String,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub(super) auth: Auth,
}

impl RequestState {
    pub fn auth(&self) -> &Auth {
        &self.auth
    }
    pub fn into_auth(self) -> Auth {
        self.auth
    }
    /// The redirect target when the response must be a redirect (handshake).
    pub fn location(&self) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == LOCATION)
            .and_then(|(_, v)| v.to_str().ok())
    }
}

/// How a rejected request is answered (see [`Auth::protect`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// 401: no valid credentials on an API request.
    Unauthenticated { reason: Option<Reason> },
    /// 307 to the sign-in page (document navigations, when a sign-in URL is configured).
    RedirectToSignIn { location: String },
    /// The credentials are valid but not sufficient: 404 by default (as Clerk, so the route's
    /// existence is not revealed) or 403 when configured; always 401 for machine tokens.
    Unauthorized { status: StatusCode },
    /// 400: the URL path has a malformed percent-escape (it cannot be matched safely).
    BadRequest,
    /// 500: the `Auth` extractor ran without the [`AuthLayer`](crate::AuthLayer).
    MissingLayer,
}

impl Rejection {
    pub fn status(&self) -> StatusCode {
        match self {
            Rejection::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
            Rejection::RedirectToSignIn { .. } => StatusCode::TEMPORARY_REDIRECT,
            Rejection::Unauthorized { status } => *status,
            Rejection::BadRequest => StatusCode::BAD_REQUEST,
            Rejection::MissingLayer => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// An HTTP response for any body type that can be made from a `String`.
    pub fn into_response<B: From<String>>(self) -> http::Response<B> {
        let status = self.status();
        let (body, reason) = match &self {
            Rejection::Unauthenticated { reason } => ("unauthenticated", *reason),
            Rejection::RedirectToSignIn { .. } => ("redirecting to sign in", None),
            Rejection::Unauthorized { .. } if status == StatusCode::NOT_FOUND => {
                ("not found", None)
            }
            Rejection::Unauthorized { .. } => ("forbidden", None),
            Rejection::BadRequest => ("malformed URL path", None),
            Rejection::MissingLayer => {
                ("authentication is not configured (AuthLayer missing)", None)
            }
        };
        let json = serde_json::json!({
            "error": body,
            "reason": reason.map(Reason::as_str),
        });
        let mut resp = http::Response::new(B::from(json.to_string()));
        *resp.status_mut() = status;
        let h = resp.headers_mut();
        h.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Some(r) = reason
            && let Ok(v) = HeaderValue::from_str(r.as_str())
        {
            h.insert("x-clerk-auth-reason", v);
        }
        if status == StatusCode::UNAUTHORIZED {
            h.insert(
                http::header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer"),
            );
        }
        if let Rejection::RedirectToSignIn { location } = &self
            && let Ok(v) = HeaderValue::from_str(location)
        {
            h.insert(LOCATION, v);
            h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        resp
    }
}

/// What `protect()` needs to know about the request it answers.
#[derive(Debug)]
pub(super) struct ProtectContext {
    pub(super) page_request: bool,
    pub(super) sign_in_url: Option<String>,
    pub(super) return_url: Option<String>,
    pub(super) forbidden: StatusCode,
}

/// The auth object handlers receive: signed in (a session or a machine), or signed out with a
/// reason. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Auth {
    pub(super) state: AuthState,
    pub(super) ctx: Arc<ProtectContext>,
}

impl Auth {
    /// A signed-out auth object that protects with 401 (for routes the layer skipped, or tests).
    pub fn signed_out(reason: Option<Reason>) -> Self {
        Self {
            state: AuthState::SignedOut(SignedOut {
                reason,
                message: String::new(),
                token_type: None,
                session_status: None,
            }),
            ctx: Arc::new(ProtectContext {
                page_request: false,
                sign_in_url: None,
                return_url: None,
                forbidden: StatusCode::NOT_FOUND,
            }),
        }
    }

    pub fn state(&self) -> &AuthState {
        &self.state
    }
    pub fn session(&self) -> Option<&SessionAuth> {
        match &self.state {
            AuthState::Session(s) => Some(s),
            _ => None,
        }
    }
    pub fn machine(&self) -> Option<&MachineAuth> {
        match &self.state {
            AuthState::Machine(m) => Some(m),
            _ => None,
        }
    }
    pub fn is_authenticated(&self) -> bool {
        !matches!(self.state, AuthState::SignedOut(_))
    }
    /// The token type the request was judged as (`None` when there was no token).
    pub fn token_type(&self) -> Option<TokenType> {
        match &self.state {
            AuthState::Session(_) => Some(TokenType::SessionToken),
            AuthState::Machine(m) => Some(m.token_type),
            AuthState::SignedOut(s) => s.token_type,
        }
    }
    /// Why the request is signed out.
    pub fn reason(&self) -> Option<Reason> {
        match &self.state {
            AuthState::SignedOut(s) => s.reason,
            _ => None,
        }
    }
    /// The user: the session's `sub`, an API key's user subject, or an OAuth token's subject.
    pub fn user_id(&self) -> Option<&str> {
        match &self.state {
            AuthState::Session(s) => Some(&s.user_id),
            AuthState::Machine(m) => m.user_id.as_deref(),
            AuthState::SignedOut(_) => None,
        }
    }
    pub fn session_id(&self) -> Option<&str> {
        self.session().and_then(|s| s.session_id.as_deref())
    }
    /// `active`/`pending` for sessions (also `pending` when a pending session is signed out).
    pub fn session_status(&self) -> Option<&str> {
        match &self.state {
            AuthState::Session(s) => s.session_status.as_deref(),
            AuthState::SignedOut(s) => s.session_status.as_deref(),
            AuthState::Machine(_) => None,
        }
    }
    /// The active organization (sessions), or an API key's organization subject.
    pub fn org_id(&self) -> Option<&str> {
        match &self.state {
            AuthState::Session(s) => s.org_id.as_deref(),
            AuthState::Machine(m) => m.org_id.as_deref(),
            AuthState::SignedOut(_) => None,
        }
    }
    pub fn org_slug(&self) -> Option<&str> {
        self.session().and_then(|s| s.org_slug.as_deref())
    }
    pub fn org_role(&self) -> Option<&str> {
        self.session().and_then(|s| s.org_role.as_deref())
    }
    pub fn org_permissions(&self) -> &[String] {
        self.session()
            .and_then(|s| s.org_permissions.as_deref())
            .unwrap_or_default()
    }
    /// Clerk's `has()` for sessions; always `false` for machines and signed-out requests.
    pub fn has(&self, check: &Has) -> bool {
        self.session().is_some_and(|s| s.has(check))
    }

    /// Requires a signed-in, non-pending session: otherwise a redirect to the sign-in page for
    /// page requests (when a sign-in URL is configured) or 401.
    pub fn protect(&self) -> Result<&Auth, Rejection> {
        self.protect_impl(None, &AcceptsToken::default())
    }

    /// [`protect`](Self::protect), and the check must pass (else 404, or 403 if configured).
    pub fn protect_with(&self, check: &Has) -> Result<&Auth, Rejection> {
        self.protect_impl(Some(check), &AcceptsToken::default())
    }

    /// Requires an authenticated token of one of these types (machine tokens: 401 otherwise).
    pub fn protect_token(&self, accepts: impl Into<AcceptsToken>) -> Result<&Auth, Rejection> {
        self.protect_impl(None, &accepts.into())
    }

    fn unauthenticated(&self) -> Rejection {
        if self.ctx.page_request
            && let Some(sign_in) = &self.ctx.sign_in_url
        {
            let location = match &self.ctx.return_url {
                Some(back) => {
                    let sep = if sign_in.contains('?') { '&' } else { '?' };
                    let q: String = form_urlencoded::Serializer::new(String::new())
                        .append_pair("redirect_url", back)
                        .finish();
                    format!("{sign_in}{sep}{q}")
                }
                None => sign_in.clone(),
            };
            return Rejection::RedirectToSignIn { location };
        }
        Rejection::Unauthenticated {
            reason: self.reason(),
        }
    }

    fn protect_impl(
        &self,
        check: Option<&Has>,
        accepts: &AcceptsToken,
    ) -> Result<&Auth, Rejection> {
        let machine_context = !accepts.accepts(TokenType::SessionToken);
        let unauthorized = |machine: bool| {
            if machine {
                Rejection::Unauthenticated {
                    reason: self.reason(),
                }
            } else {
                Rejection::Unauthorized {
                    status: self.ctx.forbidden,
                }
            }
        };
        match &self.state {
            AuthState::Machine(m) => {
                if !accepts.accepts(m.token_type) {
                    return Err(unauthorized(true));
                }
                Ok(self)
            }
            AuthState::SignedOut(s) => {
                if machine_context || s.token_type.is_some_and(|t| t != TokenType::SessionToken) {
                    return Err(unauthorized(true));
                }
                Err(self.unauthenticated())
            }
            AuthState::Session(s) => {
                if !accepts.accepts(TokenType::SessionToken) {
                    return Err(unauthorized(true));
                }
                if s.is_pending() || s.user_id.is_empty() {
                    return Err(self.unauthenticated());
                }
                match check {
                    Some(c) if !s.has(c) => Err(unauthorized(false)),
                    _ => Ok(self),
                }
            }
        }
    }
}

fn placeholder_ctx() -> Arc<ProtectContext> {
    Arc::new(ProtectContext {
        page_request: false,
        sign_in_url: None,
        return_url: None,
        forbidden: StatusCode::NOT_FOUND,
    })
}

pub(super) fn signed_in(state: AuthState) -> RequestState {
    RequestState {
        status: Status::SignedIn,
        reason: None,
        message: String::new(),
        headers: Vec::new(),
        auth: Auth {
            state,
            ctx: placeholder_ctx(),
        },
    }
}

pub(super) fn signed_out_state(
    status: Status,
    reason: Option<Reason>,
    message: &str,
    token_type: Option<TokenType>,
    session_status: Option<String>,
) -> RequestState {
    RequestState {
        status,
        reason,
        message: message.to_owned(),
        headers: Vec::new(),
        auth: Auth {
            state: AuthState::SignedOut(SignedOut {
                reason,
                message: message.to_owned(),
                token_type,
                session_status,
            }),
            ctx: placeholder_ctx(),
        },
    }
}

pub(super) fn signed_out(
    reason: Reason,
    message: &str,
    token_type: Option<TokenType>,
) -> RequestState {
    signed_out_state(Status::SignedOut, Some(reason), message, token_type, None)
}

impl Authenticator {
    /// A verified session token: signed in, or signed out while pending when so configured.
    pub(super) fn session_signed_in(
        &self,
        s: SessionAuth,
        headers: Vec<(HeaderName, HeaderValue)>,
    ) -> RequestState {
        if self.inner.treat_pending_as_signed_out && s.is_pending() {
            let mut st = signed_out_state(
                Status::SignedIn,
                None,
                "",
                Some(TokenType::SessionToken),
                Some("pending".into()),
            );
            st.headers = headers;
            return st;
        }
        let mut st = signed_in(AuthState::Session(Arc::new(s)));
        st.headers = headers;
        st
    }
}
