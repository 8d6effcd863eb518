//! Request authentication (Clerk's `authenticateRequest`): where the token comes from, which
//! verifier it goes to, and what the handler sees.
//!
//! 1. **`Authorization` first.** `Bearer <token>` (or a bare token). The token's type is read
//!    from its shape — `ak_`/`mt_`/`oat_` prefixes, a JWT whose `sub` is `mch_…` (M2M) or
//!    whose `typ` is `at+jwt` (OAuth), anything else a session token — and it goes to that
//!    type's verifier, whatever the list of accepted types is. A type not accepted is
//!    `token-type-mismatch`; a JWT with a non-session `cat` is never a session token.
//! 2. **Then cookies** (session tokens only): `__session` and `__client_uat`, or their
//!    suffixed twins `__session_<sfx>` / `__client_uat_<sfx>` chosen by Clerk's heuristic.
//!    The `__client_uat` rules: neither cookie, or `__client_uat=0`, is signed out
//!    (`session-token-and-uat-missing`); one without the other, or a token issued before
//!    `__client_uat`, needs a handshake; expired/not-yet-valid tokens need a handshake.
//! 3. **Handshake** (opt-in): for document navigations only, the cases above redirect to the
//!    Frontend API's `/v1/client/handshake`, which sends the browser back with
//!    `__clerk_handshake_nonce`; the nonce is exchanged for fresh cookies through the Backend
//!    API. At most three redirects in a row (`__clerk_redirect_count`). Without handshake —
//!    the default, since Usher's Frontend API does not serve it yet — those cases are simply
//!    signed out with the same reason, which is what Clerk does for API requests anyway.

use std::sync::Arc;

use http::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use serde_json::Value;

use crate::auth::{AcceptsToken, AuthState, Has, MachineAuth, SessionAuth, SignedOut, TokenType};
use crate::context::{
    Cookies, PublishableKey, bearer_token, is_document_navigation, is_page_request, public_url,
    query_param,
};
use crate::error::{ConfigError, Reason, VerifyError};
use crate::http_util::{join, read_limited, user_agent};
use crate::jwt;
use crate::machine::{self, classify_jwt};
use crate::routes::{OrganizationSync, OrganizationTarget};
use crate::verifier::{IGNORE_CATEGORY, SESSION_TOKEN_CATEGORY, Verifier};

/// The Backend API version sent with handshake redirects (as `@clerk/backend` 3.x does).
pub const HANDSHAKE_API_VERSION: &str = "2026-05-12";
const MAX_REDIRECTS: i64 = 3;

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
    auth: Auth,
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
struct ProtectContext {
    page_request: bool,
    sign_in_url: Option<String>,
    return_url: Option<String>,
    forbidden: StatusCode,
}

/// The auth object handlers receive: signed in (a session or a machine), or signed out with a
/// reason. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Auth {
    state: AuthState,
    ctx: Arc<ProtectContext>,
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

/// Authenticates requests. Cheap to clone; build one per app.
#[derive(Clone)]
pub struct Authenticator {
    inner: Arc<AuthnInner>,
}

struct AuthnInner {
    verifier: Verifier,
    pk: Option<PublishableKey>,
    accepts: AcceptsToken,
    sign_in_url: Option<String>,
    handshake: bool,
    org_sync: Option<OrganizationSync>,
    treat_pending_as_signed_out: bool,
    trust_forwarded: bool,
    forbidden: StatusCode,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("verifier", &self.inner.verifier)
            .field("accepts", &self.inner.accepts)
            .field("handshake", &self.inner.handshake)
            .finish()
    }
}

/// Builds an [`Authenticator`].
#[must_use]
pub struct AuthenticatorBuilder {
    verifier: Verifier,
    pk: Option<PublishableKey>,
    accepts: AcceptsToken,
    sign_in_url: Option<String>,
    handshake: bool,
    org_sync: Option<OrganizationSync>,
    treat_pending_as_signed_out: bool,
    trust_forwarded: bool,
    forbidden: StatusCode,
}

impl AuthenticatorBuilder {
    /// The publishable key: needed for cookie authentication with suffixed cookies and for the
    /// handshake (it names the Frontend API). Header-only APIs can do without.
    pub fn publishable_key(mut self, pk: &str) -> Result<Self, ConfigError> {
        self.pk = Some(PublishableKey::parse(pk)?);
        Ok(self)
    }
    /// Which token types are accepted (default: session tokens).
    pub fn accepts_token(mut self, a: impl Into<AcceptsToken>) -> Self {
        self.accepts = a.into();
        self
    }
    /// Where `protect()` sends signed-out page requests (with `?redirect_url=<this page>`).
    pub fn sign_in_url(mut self, url: impl Into<String>) -> Self {
        self.sign_in_url = Some(url.into());
        self
    }
    /// Enables the handshake redirects (requires a publishable key and a secret key).
    pub fn handshake(mut self, yes: bool) -> Self {
        self.handshake = yes;
        self
    }
    /// Organization activation from URL patterns.
    pub fn organization_sync(mut self, s: OrganizationSync) -> Self {
        self.org_sync = Some(s);
        self
    }
    /// Whether `sts: pending` sessions are signed out (default `true`, as Clerk).
    pub fn treat_pending_as_signed_out(mut self, yes: bool) -> Self {
        self.treat_pending_as_signed_out = yes;
        self
    }
    /// Whether `X-Forwarded-Host`/`-Proto` are trusted for the request's public URL (default
    /// `true`; they are validated either way). Turn off when no proxy strips them.
    pub fn trust_forwarded_headers(mut self, yes: bool) -> Self {
        self.trust_forwarded = yes;
        self
    }
    /// Answer failed authorization checks with 403 instead of Clerk's 404.
    pub fn forbidden_status(mut self, status: StatusCode) -> Self {
        self.forbidden = status;
        self
    }
    pub fn build(self) -> Authenticator {
        Authenticator {
            inner: Arc::new(AuthnInner {
                verifier: self.verifier,
                pk: self.pk,
                accepts: self.accepts,
                sign_in_url: self.sign_in_url,
                handshake: self.handshake,
                org_sync: self.org_sync,
                treat_pending_as_signed_out: self.treat_pending_as_signed_out,
                trust_forwarded: self.trust_forwarded,
                forbidden: self.forbidden,
            }),
        }
    }
}

/// JavaScript's `parseInt(s) || 0`.
fn parse_int(s: Option<&str>) -> i64 {
    let Some(s) = s else { return 0 };
    let s = s.trim_start();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let mut v: i64 = 0;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        v = v.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if neg { -v } else { v }
}

/// Per-request facts gathered once.
struct Req<'a> {
    method: &'a Method,
    uri: &'a Uri,
    headers: &'a HeaderMap,
    cookies: Cookies,
    document: bool,
}

impl Authenticator {
    pub fn builder(verifier: Verifier) -> AuthenticatorBuilder {
        AuthenticatorBuilder {
            verifier,
            pk: None,
            accepts: AcceptsToken::default(),
            sign_in_url: None,
            handshake: false,
            org_sync: None,
            treat_pending_as_signed_out: true,
            trust_forwarded: true,
            forbidden: StatusCode::NOT_FOUND,
        }
    }

    pub fn verifier(&self) -> &Verifier {
        &self.inner.verifier
    }

    pub fn accepts(&self) -> &AcceptsToken {
        &self.inner.accepts
    }

    /// Authenticates a request from its parts.
    pub async fn authenticate(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
    ) -> RequestState {
        let ctx = Arc::new(ProtectContext {
            page_request: is_page_request(headers),
            sign_in_url: self.inner.sign_in_url.clone(),
            return_url: public_url(uri, headers, self.inner.trust_forwarded),
            forbidden: self.inner.forbidden,
        });
        let req = Req {
            method,
            uri,
            headers,
            cookies: Cookies::from_headers(headers),
            document: is_document_navigation(method, headers),
        };
        let mut st = if let Some(token) = bearer_token(headers) {
            self.with_header_token(&req, token).await
        } else if self.inner.accepts.machines_only() {
            let token_type = match &self.inner.accepts {
                AcceptsToken::Only(v) => v.first().copied(),
                AcceptsToken::Any => None,
            };
            signed_out(Reason::NoTokenInHeader, "No token in header", token_type)
        } else {
            self.with_cookies(&req).await
        };
        st.auth.ctx = ctx;
        st
    }

    /// The type a header token claims to be (from its shape; nothing is verified yet).
    fn token_type_of(token: &str) -> (TokenType, Option<jwt::Decoded<'_>>) {
        match machine::classify_prefix(token) {
            Some(t) => (t, None),
            None => match jwt::decode(token) {
                Ok(d) => (classify_jwt(&d).unwrap_or(TokenType::SessionToken), Some(d)),
                Err(_) => (TokenType::SessionToken, None),
            },
        }
    }

    async fn with_header_token(&self, req: &Req<'_>, token: &str) -> RequestState {
        let (ttype, decoded) = Self::token_type_of(token);
        if !self.inner.accepts.accepts(ttype) {
            let shown = match &self.inner.accepts {
                AcceptsToken::Only(v) if v.len() == 1 => v.first().copied(),
                _ => Some(ttype),
            };
            return signed_out(Reason::TokenTypeMismatch, "", shown);
        }
        if ttype != TokenType::SessionToken {
            return match self.inner.verifier.verify_machine_token(token).await {
                Ok(m) => signed_in(AuthState::Machine(Arc::new(m))),
                Err(e) => signed_out(e.reason, &e.message, Some(ttype)),
            };
        }
        // A JWT of another class (a JWT template) is not a session token, even if it verifies.
        if let Some(d) = &decoded
            && let Some(cat) = d.header.cat.as_ref()
            && !matches!(cat.as_str(), Some(SESSION_TOKEN_CATEGORY | IGNORE_CATEGORY))
        {
            return signed_out(Reason::TokenTypeMismatch, "", Some(TokenType::SessionToken));
        }
        match self.inner.verifier.verify_session_token(token).await {
            Ok(s) => self.session_signed_in(s, Vec::new()),
            Err(e) => self.session_error(req, &e, Some(token)),
        }
    }

    fn session_signed_in(
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

    fn suffixed(&self, name: &str) -> Option<String> {
        self.inner
            .pk
            .as_ref()
            .map(|pk| format!("{name}_{}", pk.cookie_suffix))
    }

    fn cookie<'c>(&self, req: &'c Req<'_>, name: &str, suffixed: bool) -> Option<&'c str> {
        if suffixed {
            self.suffixed(name).and_then(|n| req.cookies.get(&n))
        } else {
            req.cookies.get(name)
        }
    }

    /// Clerk's `usesSuffixedCookies` heuristic.
    fn uses_suffixed_cookies(&self, req: &Req<'_>, now_secs: i64) -> bool {
        let Some(pk) = &self.inner.pk else {
            return false;
        };
        let suffixed_uat = self.cookie(req, "__client_uat", true);
        let uat = self.cookie(req, "__client_uat", false);
        let suffixed_session = self.cookie(req, "__session", true);
        let session = self.cookie(req, "__session", false);
        let session_payload = session.and_then(jwt::peek_payload);
        if session.is_some() {
            let iss = session_payload
                .as_ref()
                .and_then(|p| p.get("iss"))
                .and_then(Value::as_str);
            match iss {
                None | Some("") => return false,
                Some(iss) => {
                    if strip_scheme(iss) != pk.frontend_api {
                        return true;
                    }
                }
            }
        }
        if suffixed_uat.is_none() && suffixed_session.is_none() {
            return false;
        }
        let iat = |p: Option<&serde_json::Map<String, Value>>| {
            p.and_then(|p| p.get("iat"))
                .and_then(Value::as_f64)
                .unwrap_or(0.0)
        };
        let suffixed_payload = suffixed_session.and_then(jwt::peek_payload);
        if suffixed_uat != Some("0")
            && uat != Some("0")
            && iat(session_payload.as_ref()) > iat(suffixed_payload.as_ref())
        {
            return false;
        }
        if suffixed_uat == Some("0") && uat != Some("0") {
            return false;
        }
        if !pk.production {
            let expired = suffixed_payload
                .as_ref()
                .and_then(|p| p.get("exp"))
                .and_then(Value::as_f64)
                .is_some_and(|exp| exp <= now_secs as f64);
            if suffixed_uat != Some("0") && uat == Some("0") && expired {
                return false;
            }
        }
        if suffixed_uat.is_none() && suffixed_session.is_some() {
            return false;
        }
        true
    }

    async fn with_cookies(&self, req: &Req<'_>) -> RequestState {
        let now_secs = self.inner.verifier.now_ms().div_euclid(1000);
        let suffixed = self.uses_suffixed_cookies(req, now_secs);
        let session = self.cookie(req, "__session", suffixed);
        let client_uat = parse_int(self.cookie(req, "__client_uat", suffixed));

        if self.inner.handshake {
            let nonce = query_param(req.uri, "__clerk_handshake_nonce").or_else(|| {
                req.cookies
                    .get("__clerk_handshake_nonce")
                    .map(str::to_owned)
            });
            if let Some(nonce) = nonce
                && let Some(st) = self.resolve_handshake(req, &nonce).await
            {
                return st;
            }
        }

        let (has_client, token) = (client_uat != 0, session);
        let token = match (has_client, token) {
            (false, None) => {
                return signed_out(
                    Reason::SessionTokenAndUatMissing,
                    "",
                    Some(TokenType::SessionToken),
                );
            }
            (false, Some(t)) => {
                return self.maybe_handshake(
                    req,
                    Reason::SessionTokenWithoutClientUat,
                    Some(t),
                    suffixed,
                );
            }
            (true, None) => {
                return self.maybe_handshake(
                    req,
                    Reason::ClientUatWithoutSessionToken,
                    None,
                    suffixed,
                );
            }
            (true, Some(t)) => t,
        };
        let decoded = match jwt::decode(token) {
            Ok(d) => d,
            Err(e) => return self.session_error(req, &e, Some(token)),
        };
        let wrong_class = classify_jwt(&decoded).is_some()
            || decoded.header.cat.as_ref().is_some_and(|c| {
                !matches!(c.as_str(), Some(SESSION_TOKEN_CATEGORY | IGNORE_CATEGORY))
            });
        if wrong_class {
            return signed_out(Reason::TokenTypeMismatch, "", Some(TokenType::SessionToken));
        }
        let iat = serde_json::from_str::<jwt::RawClaims<'_>>(&decoded.payload)
            .ok()
            .and_then(|c| c.iat.and_then(jwt::raw_f64));
        if let Some(iat) = iat
            && iat < client_uat as f64
        {
            return self.maybe_handshake(
                req,
                Reason::SessionTokenIatBeforeClientUat,
                Some(token),
                suffixed,
            );
        }
        drop(decoded);
        match self.inner.verifier.verify_session_token(token).await {
            Ok(s) => {
                if let Some(st) = self.organization_mismatch(req, &s, token, suffixed) {
                    return st;
                }
                self.session_signed_in(s, Vec::new())
            }
            Err(e) => self.session_error(req, &e, Some(token)),
        }
    }

    /// A handshake when the URL names another organization than the token's (document
    /// navigations with handshake enabled only; otherwise the token's organization stands).
    fn organization_mismatch(
        &self,
        req: &Req<'_>,
        s: &SessionAuth,
        token: &str,
        suffixed: bool,
    ) -> Option<RequestState> {
        let sync = self.inner.org_sync.as_ref()?;
        let target = sync.target(req.uri.path())?;
        let must = match &target {
            OrganizationTarget::OrganizationId(id) => s.org_id.as_deref() != Some(id.as_str()),
            OrganizationTarget::OrganizationSlug(slug) => {
                s.org_slug.as_deref() != Some(slug.as_str())
            }
            OrganizationTarget::PersonalAccount => s.org_id.is_some(),
        };
        if !must || !self.handshake_allowed(req) || self.redirect_count(req) >= MAX_REDIRECTS {
            return None;
        }
        Some(self.maybe_handshake(
            req,
            Reason::ActiveOrganizationMismatch,
            Some(token),
            suffixed,
        ))
    }

    fn session_error(&self, req: &Req<'_>, e: &VerifyError, token: Option<&str>) -> RequestState {
        let reason = match e.reason {
            Reason::TokenExpired => {
                if req.method != Method::GET {
                    Reason::SessionTokenExpiredRefreshNonGet
                } else if self
                    .suffixed("__refresh")
                    .and_then(|n| req.cookies.get(&n))
                    .is_none()
                {
                    Reason::SessionTokenExpiredRefreshNoCookie
                } else {
                    Reason::SessionTokenExpiredRefreshMissingApiClient
                }
            }
            Reason::TokenNotActiveYet => Reason::SessionTokenNbf,
            Reason::TokenIatInTheFuture => Reason::SessionTokenIatInTheFuture,
            other => return signed_out(other, &e.message, Some(TokenType::SessionToken)),
        };
        let now_secs = self.inner.verifier.now_ms().div_euclid(1000);
        let suffixed = self.uses_suffixed_cookies(req, now_secs);
        let mut st = self.maybe_handshake(req, reason, token, suffixed);
        st.message = e.message.to_string();
        st
    }

    fn handshake_allowed(&self, req: &Req<'_>) -> bool {
        self.inner.handshake && self.inner.pk.is_some() && req.document
    }

    fn redirect_count(&self, req: &Req<'_>) -> i64 {
        parse_int(req.cookies.get("__clerk_redirect_count"))
    }

    /// A handshake redirect when allowed (document navigation, handshake on, fewer than three
    /// redirects in a row); otherwise signed out with the same reason.
    fn maybe_handshake(
        &self,
        req: &Req<'_>,
        reason: Reason,
        token: Option<&str>,
        suffixed: bool,
    ) -> RequestState {
        let (Some(pk), true) = (&self.inner.pk, self.handshake_allowed(req)) else {
            return signed_out(reason, "", Some(TokenType::SessionToken));
        };
        let count = self.redirect_count(req);
        if count >= MAX_REDIRECTS {
            return signed_out(reason, "", Some(TokenType::SessionToken));
        }
        let redirect_url = public_url(req.uri, req.headers, self.inner.trust_forwarded)
            .map(|u| strip_query_params(&u, &["__clerk_db_jwt", "__dev_session"]))
            .unwrap_or_default();
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("redirect_url", &redirect_url);
        q.append_pair("__clerk_api_version", HANDSHAKE_API_VERSION);
        q.append_pair("suffixed_cookies", if suffixed { "true" } else { "false" });
        q.append_pair("__clerk_hs_reason", reason.as_str());
        q.append_pair("format", "nonce");
        if let Some(t) = token {
            q.append_pair("__session", t);
        }
        if let Some(target) = self
            .inner
            .org_sync
            .as_ref()
            .and_then(|s| s.target(req.uri.path()))
        {
            match target {
                OrganizationTarget::PersonalAccount => q.append_pair("organization_id", ""),
                OrganizationTarget::OrganizationId(v) | OrganizationTarget::OrganizationSlug(v) => {
                    q.append_pair("organization_id", &v)
                }
            };
        }
        let location = format!(
            "{}/v1/client/handshake?{}",
            pk.frontend_api_url(),
            q.finish()
        );
        let mut st = signed_out_state(
            Status::Handshake,
            Some(reason),
            "",
            Some(TokenType::SessionToken),
            None,
        );
        if let Ok(v) = HeaderValue::from_str(&location) {
            st.headers.push((LOCATION, v));
        }
        st.headers
            .push((CACHE_CONTROL, HeaderValue::from_static("no-store")));
        if let Ok(v) = HeaderValue::from_str(&format!(
            "__clerk_redirect_count={}; SameSite=Lax; HttpOnly; Max-Age=2",
            count + 1
        )) {
            st.headers.push((SET_COOKIE, v));
        }
        st
    }

    /// Exchanges a handshake nonce for cookie directives (`GET {api_url}/v1/clients/
    /// handshake_payload?nonce=`), sets them, and verifies the new session token. `None` when
    /// the payload cannot be had (the request then goes on with the cookies it has).
    async fn resolve_handshake(&self, req: &Req<'_>, nonce: &str) -> Option<RequestState> {
        let v = &self.inner.verifier.inner;
        let secret = v.bapi.secret_key.as_deref()?;
        let mut url = join(&v.bapi.api_url, "/v1/clients/handshake_payload?");
        url.push_str(
            &form_urlencoded::Serializer::new(String::new())
                .append_pair("nonce", nonce)
                .finish(),
        );
        let resp = v
            .http
            .get(url)
            .timeout(std::time::Duration::from_secs(5))
            .header(http::header::AUTHORIZATION, format!("Bearer {secret}"))
            .header(http::header::USER_AGENT, user_agent())
            .send()
            .await
            .ok()?;
        if !resp.status().is_success() {
            return None;
        }
        let body = read_limited(resp, 64 * 1024).await.ok()?;
        let payload: Value = serde_json::from_slice(&body).ok()?;
        let directives = payload.get("directives")?.as_array()?;
        let mut headers = Vec::new();
        let mut session = String::new();
        for d in directives.iter().take(32).filter_map(Value::as_str) {
            let Ok(hv) = HeaderValue::from_str(d) else {
                continue;
            };
            headers.push((SET_COOKIE, hv));
            let pair = d.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=')
                && name.trim().starts_with("__session")
            {
                session = value.trim().to_owned();
            }
        }
        let production = self.inner.pk.as_ref().is_some_and(|p| p.production);
        if !production && let Some(u) = public_url(req.uri, req.headers, self.inner.trust_forwarded)
        {
            let clean = strip_query_params(
                &u,
                &[
                    "__clerk_handshake",
                    "__clerk_help",
                    "__clerk_db_jwt",
                    "__clerk_handshake_nonce",
                ],
            );
            if let Ok(hv) = HeaderValue::from_str(&clean) {
                headers.push((LOCATION, hv));
                headers.push((CACHE_CONTROL, HeaderValue::from_static("no-store")));
            }
        }
        if session.is_empty() {
            let mut st = signed_out(
                Reason::SessionTokenMissing,
                "",
                Some(TokenType::SessionToken),
            );
            st.headers = headers;
            return Some(st);
        }
        Some(
            match self.inner.verifier.verify_session_token(&session).await {
                Ok(s) => self.session_signed_in(s, headers),
                Err(e) => {
                    let mut st = signed_out(e.reason, &e.message, Some(TokenType::SessionToken));
                    st.headers = headers;
                    st
                }
            },
        )
    }
}

/// `iss` without every `http://`/`https://` (case-insensitive), as Clerk compares it.
fn strip_scheme(iss: &str) -> String {
    let mut out = iss.to_owned();
    for scheme in ["https://", "http://"] {
        loop {
            let lower = out.to_ascii_lowercase();
            let Some(i) = lower.find(scheme) else { break };
            out.replace_range(i..i + scheme.len(), "");
        }
    }
    out
}

/// The URL without the named query parameters.
fn strip_query_params(url: &str, names: &[&str]) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let kept: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| !names.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        return base.to_owned();
    }
    let q = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish();
    format!("{base}?{q}")
}

fn placeholder_ctx() -> Arc<ProtectContext> {
    Arc::new(ProtectContext {
        page_request: false,
        sign_in_url: None,
        return_url: None,
        forbidden: StatusCode::NOT_FOUND,
    })
}

fn signed_in(state: AuthState) -> RequestState {
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

fn signed_out_state(
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

fn signed_out(reason: Reason, message: &str, token_type: Option<TokenType>) -> RequestState {
    signed_out_state(Status::SignedOut, Some(reason), message, token_type, None)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn js_parse_int() {
        assert_eq!(parse_int(None), 0);
        assert_eq!(parse_int(Some("1700000000")), 1_700_000_000);
        assert_eq!(parse_int(Some(" 12abc")), 12);
        assert_eq!(parse_int(Some("abc")), 0);
        assert_eq!(parse_int(Some("-5")), -5);
        assert_eq!(parse_int(Some("99999999999999999999999")), i64::MAX);
    }

    #[test]
    fn scheme_stripping_and_params() {
        assert_eq!(
            strip_scheme("https://clerk.example.com"),
            "clerk.example.com"
        );
        assert_eq!(strip_scheme("HTTPS://a.b"), "a.b");
        assert_eq!(
            strip_query_params("https://a.b/x?__clerk_db_jwt=1&y=2", &["__clerk_db_jwt"]),
            "https://a.b/x?y=2"
        );
        assert_eq!(
            strip_query_params("https://a.b/x?__clerk_db_jwt=1", &["__clerk_db_jwt"]),
            "https://a.b/x"
        );
    }
}
