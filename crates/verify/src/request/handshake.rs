//! The handshake: the redirect to the Frontend API that refreshes a browser's session
//! cookies, and the exchange of its nonce for them.

use http::HeaderValue;
use http::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};
use serde_json::Value;

use crate::auth::TokenType;
use crate::context::public_url;
use crate::error::Reason;
use crate::http_util::{join, read_limited, user_agent};
use crate::routes::OrganizationTarget;

use super::authenticator::Authenticator;
use super::facts::{Req, parse_int};
use super::outcome::{RequestState, Status, signed_out, signed_out_state};

/// The Backend API version sent with handshake redirects (as `@clerk/backend` 3.x does).
pub const HANDSHAKE_API_VERSION: &str = "2026-05-12";
pub(super) const MAX_REDIRECTS: i64 = 3;

impl Authenticator {
    pub(super) fn handshake_allowed(&self, req: &Req<'_>) -> bool {
        self.inner.handshake && self.inner.pk.is_some() && req.document
    }

    pub(super) fn redirect_count(&self, req: &Req<'_>) -> i64 {
        parse_int(req.cookies.get("__clerk_redirect_count"))
    }

    /// A handshake redirect when allowed (document navigation, handshake on, fewer than three
    /// redirects in a row); otherwise signed out with the same reason.
    pub(super) fn maybe_handshake(
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
    pub(super) async fn resolve_handshake(
        &self,
        req: &Req<'_>,
        nonce: &str,
    ) -> Option<RequestState> {
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
pub(super) fn strip_scheme(iss: &str) -> String {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

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
