//! Where the token comes from (the `Authorization` header, then the session cookies) and
//! which verifier it goes to.

use std::sync::Arc;

use http::{HeaderMap, Method, Uri};
use serde_json::Value;

use crate::auth::{AcceptsToken, AuthState, SessionAuth, TokenType};
use crate::context::{
    Cookies, bearer_token, is_document_navigation, is_page_request, public_url, query_param,
};
use crate::error::{Reason, VerifyError};
use crate::jwt;
use crate::machine::{self, classify_jwt};
use crate::routes::OrganizationTarget;
use crate::verifier::{IGNORE_CATEGORY, SESSION_TOKEN_CATEGORY};

use super::authenticator::Authenticator;
use super::facts::{Req, parse_int};
use super::handshake::{MAX_REDIRECTS, strip_scheme};
use super::outcome::{ProtectContext, RequestState, signed_in, signed_out};

impl Authenticator {
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
}
