//! The hosted Account Portal on the frontend listener: server-rendered sign-in, sign-up and
//! account pages that work without JavaScript (plain forms, POST → 303 → GET).
//!
//! Every step calls the same `app::frontend` use cases as the Frontend API, on the same client:
//! the browser is named by the `__client` cookie, so signing in here signs clerk-js in on the
//! same origin and the other way round. Each form carries a CSRF token, an HMAC keyed with the
//! browser's `__client` secret (HttpOnly, so no other site can read it or compute the token); a
//! browser without the cookie is given one (naming no client yet) with its first page. POSTs
//! without a valid token, or from an `Origin` the instance does not allow, are refused with 403.
//! `redirect_url` is followed only to a same-origin path or an allowed origin, else to `/user`.
//!
//! The pages are served at the root of the frontend listener and again under `/__clerk/` (the
//! prefix apps proxy the Frontend API under), so a proxied app keeps one origin: a page's own
//! links, forms and redirects stay under the prefix it was reached by. The name, logo and
//! primary colour come from the instance's branding.

pub mod account;
pub mod html;
mod landing;
mod mfa;
pub mod organizations;
mod sign_in;
mod sign_up;

use std::collections::HashMap;
use std::sync::Arc;

use aws_lc_rs::hmac;
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, LOCATION, ORIGIN,
    REFERRER_POLICY, SET_COOKIE, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::map_response;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use usher_core::branding::Branding;
use usher_core::clients::{Client, ClientToken};
use usher_core::passwords::LengthBounds;
use usher_core::sessions::Session;
use usher_core::{CoreError, CoreResult};

use crate::app::frontend::clients::{by_token, current_session, view};
use crate::error::ApiError;
use crate::fapi::browser::Browser;
use crate::fapi::{cookies, origins, respond};
use crate::state::AppState;
use html::Html;
use sign_in::{EmailCode, ForgotPassword};

/// The form field carrying the CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";
/// Where a signed-in user goes when no (acceptable) `redirect_url` was given.
pub const HOME: &str = "/user";
/// Page forms are small.
const FORM_LIMIT: usize = 64 * 1024;

/// Where the pages are mounted: `""` (the root) or the proxy prefix.
#[derive(Debug, Clone, Copy)]
struct PageBase(&'static str);

/// The pages at the root of the frontend listener.
pub fn router() -> Router<AppState> {
    router_at("")
}

/// The pages as mounted under `base` (nest the result there): their links follow.
pub fn router_at(base: &'static str) -> Router<AppState> {
    routes()
        .layer(axum::Extension(PageBase(base)))
        .layer(map_response(security_headers))
}

/// The paths the pages answer (after any prefix): refusals there are pages too, not JSON.
pub fn is_page_path(path: &str) -> bool {
    let path = path
        .strip_prefix(crate::fapi::PROXY_PREFIX)
        .filter(|p| p.starts_with('/'))
        .unwrap_or(path);
    path == "/"
        || ["/sign-in", "/sign-up", "/user", "/sign-out"]
            .iter()
            .any(|root| {
                path.strip_prefix(root)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
}

fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(landing::page))
        .route("/sign-in", get(sign_in::page).post(sign_in::submit))
        .route("/sign-in/ticket", post(sign_in::ticket_submit))
        .route(
            "/sign-in/email-code",
            get(sign_in::identify_page::<EmailCode>).post(sign_in::identify_submit::<EmailCode>),
        )
        .route(
            "/sign-in/email-code/verify",
            get(sign_in::code_page::<EmailCode>).post(sign_in::code_submit::<EmailCode>),
        )
        .route(
            "/sign-in/email-code/resend",
            post(sign_in::code_resend::<EmailCode>),
        )
        .route(
            "/sign-in/factor-two",
            get(sign_in::factor_two_page).post(sign_in::factor_two_submit),
        )
        .route(
            "/sign-in/factor-two/resend",
            post(sign_in::factor_two_resend),
        )
        .route(
            "/sign-in/forgot-password",
            get(sign_in::identify_page::<ForgotPassword>)
                .post(sign_in::identify_submit::<ForgotPassword>),
        )
        .route(
            "/sign-in/forgot-password/verify",
            get(sign_in::code_page::<ForgotPassword>).post(sign_in::code_submit::<ForgotPassword>),
        )
        .route(
            "/sign-in/forgot-password/resend",
            post(sign_in::code_resend::<ForgotPassword>),
        )
        .route(
            "/sign-in/forgot-password/new-password",
            get(sign_in::new_password_page).post(sign_in::new_password_submit),
        )
        .route("/sign-up", get(sign_up::page).post(sign_up::submit))
        .route(
            "/sign-up/verify-email-address",
            get(sign_up::verify_page).post(sign_up::verify_submit),
        )
        .route(
            "/sign-up/verify-email-address/resend",
            post(sign_up::resend),
        )
        .route("/user", get(account::page))
        .route("/user/profile", post(account::profile))
        .route("/user/password", post(account::password))
        .route("/user/devices/sign-out", post(account::sign_out_device))
        .route(
            "/user/organization-invitations/accept",
            post(organizations::accept),
        )
        .route("/user/totp", get(mfa::enrol_page).post(mfa::enrol_start))
        .route("/user/totp/verify", post(mfa::enrol_verify))
        .route("/user/totp/remove", post(mfa::remove))
        .route("/user/backup-codes", post(mfa::backup_codes))
        .route("/sign-out", post(account::sign_out))
}

const CSP: &str = "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The page's policy, letting images come from the logo's origin as well when one is set.
fn content_security_policy(branding: &Branding) -> HeaderValue {
    let logo_origin = branding
        .logo_image_url()
        .and_then(|u| url::Url::parse(u).ok())
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null");
    match logo_origin {
        None => HeaderValue::from_static(CSP),
        Some(o) => HeaderValue::from_str(&format!("{CSP}; img-src 'self' {o}"))
            .unwrap_or_else(|_| HeaderValue::from_static(CSP)),
    }
}

/// Every page response: no framing, no caching, no referrer to other origins, no script.
async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    // A page that set its own policy (one naming the logo's origin) keeps it.
    if !h.contains_key(CONTENT_SECURITY_POLICY) {
        h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    }
    no_framing_caching_or_sniffing(h);
    res
}

fn no_framing_caching_or_sniffing(h: &mut axum::http::HeaderMap) {
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
}

/// A page's form posted from an origin the instance does not allow: refused before any page
/// handler runs (by `fapi::origins`), and answered as a page for the person who sent it.
pub fn origin_refused_page(state: &AppState, path: &str) -> Response {
    let base = if path.starts_with(&format!("{}/", crate::fapi::PROXY_PREFIX)) {
        crate::fapi::PROXY_PREFIX
    } else {
        ""
    };
    let branding = state.branding();
    let mut h = Html::new();
    html::alert(
        &mut h,
        "This form was sent from a site this service does not accept forms from, so nothing was changed.",
    );
    html::link_para(&mut h, &format!("{base}/sign-in"), "Go to sign in");
    let chrome = html::Chrome {
        branding: &branding,
        base,
        signed_in: false,
    };
    let doc = html::document("This form could not be accepted", &chrome, h);
    let mut res = (
        StatusCode::FORBIDDEN,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        doc,
    )
        .into_response();
    let h = res.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, content_security_policy(&branding));
    no_framing_caching_or_sniffing(h);
    res
}

/// Where `redirect_url` may send the browser (`app::redirect_urls::check`: a path on this
/// origin, a URL on an allowed origin, or a registered redirect URL). Anything else: `None` (the
/// caller goes home).
pub async fn safe_redirect(state: &AppState, raw: &str) -> Option<String> {
    crate::app::redirect_urls::check(state, raw, "redirect_url", true)
        .await
        .ok()
}

fn query_pairs(parts: &Parts) -> HashMap<String, String> {
    parts
        .uri
        .query()
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The request as a page sees it: the browser (its client and the context use cases record),
/// the client secret its CSRF tokens are bound to, the validated `redirect_url`, and the
/// cookies the response will set.
pub struct Page {
    pub browser: Browser,
    /// The `__client` secret the browser sent, if it is well-formed.
    sent: Option<ClientToken>,
    /// A secret handed to a browser that had none (it names no client until one is created).
    fresh: Option<ClientToken>,
    set_cookies: Vec<String>,
    origin: Option<String>,
    redirect_url: Option<String>,
    query: HashMap<String, String>,
    /// `""` or the proxy prefix the page was reached under.
    base: &'static str,
    branding: Arc<Branding>,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let browser = Browser::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let sent = parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|h| cookies::read(h, cookies::CLIENT))
            .and_then(ClientToken::parse);
        let query = query_pairs(parts);
        let redirect_url = match query.get("redirect_url") {
            Some(r) => safe_redirect(state, r).await,
            None => None,
        };
        Ok(Self {
            browser,
            sent,
            fresh: None,
            set_cookies: Vec::new(),
            origin: parts
                .headers
                .get(ORIGIN)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            redirect_url,
            query,
            base: parts.extensions.get::<PageBase>().map_or("", |b| b.0),
            branding: state.branding(),
        })
    }
}

fn csrf_key(token: &ClientToken) -> hmac::Key {
    hmac::Key::new(hmac::HMAC_SHA256, token.as_str().as_bytes())
}

fn csrf_message(state: &AppState) -> Vec<u8> {
    format!("usher-pages-csrf:{}", state.instance.id).into_bytes()
}

impl Page {
    pub fn query(&self, key: &str) -> Option<&str> {
        self.query.get(key).map(String::as_str)
    }

    /// The CSRF token for this page's forms (handing out a client cookie when there is none).
    pub fn csrf(&mut self, state: &AppState) -> String {
        let token = match (&self.sent, &self.fresh) {
            (Some(t), _) | (None, Some(t)) => t.clone(),
            (None, None) => {
                let t = ClientToken::generate();
                self.set_cookies
                    .push(cookies::client(&state.frontend, t.as_str()));
                self.fresh = Some(t.clone());
                t
            }
        };
        URL_SAFE_NO_PAD.encode(hmac::sign(&csrf_key(&token), &csrf_message(state)).as_ref())
    }

    /// Whether a POST may act: its `Origin` (when sent) is allowed and its token matches the
    /// client secret the browser sent.
    pub fn csrf_ok(&self, state: &AppState, form: &PageForm) -> bool {
        if let Some(o) = &self.origin
            && !origins::is_allowed(state, o)
        {
            state.metrics.origin_refusals.inc();
            return false;
        }
        let (Some(token), Some(given)) = (&self.sent, form.get(CSRF_FIELD)) else {
            return false;
        };
        let Ok(given) = URL_SAFE_NO_PAD.decode(given) else {
            return false;
        };
        hmac::verify(&csrf_key(token), &csrf_message(state), &given).is_ok()
    }

    /// The accepted `redirect_url`, if one was given.
    pub fn redirect_target(&self) -> Option<String> {
        self.redirect_url.clone()
    }

    /// Where to go once signed in.
    pub fn target(&self) -> String {
        self.redirect_url.clone().unwrap_or_else(|| self.path(HOME))
    }

    /// One of the pages' own paths, under the prefix this page was reached by.
    pub fn path(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// What end users see the instance called.
    pub fn branding(&self) -> &Branding {
        &self.branding
    }

    /// One of the pages' own paths, carrying the (validated) `redirect_url` along.
    pub fn link(&self, path: &str) -> String {
        let path = self.path(path);
        match &self.redirect_url {
            None => path,
            Some(r) => {
                let sep = if path.contains('?') { '&' } else { '?' };
                let q: String = form_urlencoded::Serializer::new(String::new())
                    .append_pair("redirect_url", r)
                    .finish();
                format!("{path}{sep}{q}")
            }
        }
    }

    /// The signed-in session of this browser, if any.
    pub async fn session(&self, state: &AppState) -> CoreResult<Option<Session>> {
        let Some(client) = &self.browser.client else {
            return Ok(None);
        };
        match current_session(state, client, None).await {
            Ok(s) => Ok(Some(s)),
            Err(CoreError::SignedOut) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn with_cookies(&mut self, mut res: Response) -> Response {
        for c in self.set_cookies.drain(..) {
            if let Some(v) = cookies::header(&c) {
                res.headers_mut().append(SET_COOKIE, v);
            }
        }
        res
    }

    pub fn html(
        &mut self,
        status: StatusCode,
        title: &str,
        signed_in: bool,
        body: Html,
    ) -> Response {
        let chrome = html::Chrome {
            branding: &self.branding,
            base: self.base,
            signed_in,
        };
        let doc = html::document(title, &chrome, body);
        let res = (
            status,
            [
                (
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (
                    CONTENT_SECURITY_POLICY,
                    content_security_policy(&self.branding),
                ),
            ],
            doc,
        )
            .into_response();
        self.with_cookies(res)
    }

    /// 303 to one of the pages' own paths (under this page's prefix).
    pub fn redirect_page(&mut self, path: &str) -> Response {
        let to = self.path(path);
        self.redirect(&to)
    }

    /// 303 See Other: the POST/redirect/GET step.
    pub fn redirect(&mut self, to: &str) -> Response {
        let mut res = StatusCode::SEE_OTHER.into_response();
        if let Ok(v) = HeaderValue::from_str(to) {
            res.headers_mut().insert(LOCATION, v);
        }
        self.with_cookies(res)
    }

    /// A redirect after a use case changed the client: the client cookies as the Frontend API
    /// sets them (`__client` for a new client, `__client_uat`).
    pub async fn redirect_with_client(
        &mut self,
        state: &AppState,
        client: Client,
        to: &str,
    ) -> Response {
        let mut res = self.redirect(to);
        match view(state, &self.browser.key, client, None).await {
            Ok(v) => respond::client_cookies(state, &self.browser, &v, &mut res),
            Err(e) => return self.failure_page(state, e),
        }
        res
    }

    /// A failed step's failure, `fields` naming the form's fields its error may point at, once
    /// the browser has adopted the client the step may have created (see
    /// [`Self::adopt_created_client`]).
    pub async fn step_failure(
        &mut self,
        state: &AppState,
        err: CoreError,
        fields: &[(&str, &'static str)],
    ) -> Failure {
        self.adopt_created_client(state).await;
        Failure::from_core(err, fields)
    }

    /// After a failed step: a use case may have created the client before failing (a sign-in
    /// is recorded before its password is checked). The browser then keeps that client, and the
    /// re-rendered form is bound to its secret.
    async fn adopt_created_client(&mut self, state: &AppState) {
        if self.browser.key.existing.is_some() {
            return;
        }
        if let Ok(Some(client)) = by_token(state, &self.browser.key.new_token).await {
            let token = self.browser.key.new_token.clone();
            self.set_cookies
                .push(cookies::client(&state.frontend, token.as_str()));
            self.sent = Some(token);
            self.fresh = None;
            self.browser.key.existing = Some(client.id.clone());
            self.browser.client = Some(client);
        }
    }

    /// A page for a failure that has no form to show it on (a storage error while reading).
    pub fn failure_page(&mut self, state: &AppState, err: CoreError) -> Response {
        let f = Failure::from_core(err, &[]);
        let mut h = Html::new();
        html::alert(&mut h, &f.message);
        html::link_para(&mut h, &self.path("/sign-in"), "Go to sign in");
        let _ = state;
        self.html(f.status, "Something went wrong", false, h)
    }
}

/// A submitted form (`application/x-www-form-urlencoded`).
#[derive(Debug, Default)]
pub struct PageForm(HashMap<String, String>);

impl<S: Send + Sync> FromRequest<S> for PageForm {
    type Rejection = Response;

    async fn from_request(req: Request, _: &S) -> Result<Self, Response> {
        let bytes = axum::body::to_bytes(req.into_body(), FORM_LIMIT)
            .await
            .map_err(|_| ApiError::body_too_large(FORM_LIMIT).into_response())?;
        let fields: HashMap<String, String> = form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        crate::extract::text::check_form_fields(&fields).map_err(IntoResponse::into_response)?;
        Ok(Self(fields))
    }
}

impl PageForm {
    /// The value as typed, `None` when absent or empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The value trimmed (identifiers, names, codes); empty when absent.
    pub fn trimmed(&self, key: &str) -> &str {
        self.0.get(key).map_or("", |v| v.trim())
    }

    pub fn checked(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

/// A failed step as a page shows it: the status, the field it belongs to (or none: shown above
/// the form) and the message — from the same `CoreError` → Clerk error mapping the Frontend API
/// answers with.
#[derive(Debug, Clone)]
pub struct Failure {
    pub status: StatusCode,
    pub field: Option<&'static str>,
    pub message: String,
}

impl Failure {
    /// `fields` maps the error's parameter (`password`, `code`, `identifier`, …) to the name of
    /// the form's field that shows it.
    pub fn from_core(err: CoreError, fields: &[(&str, &'static str)]) -> Self {
        let api = ApiError::from(err);
        if api.status.is_server_error() {
            tracing::error!(
                code = api.code,
                cause = api
                    .detail
                    .internal
                    .as_ref()
                    .map(|c| usher_core::error::report(c))
                    .unwrap_or_default(),
                "a hosted page step failed"
            );
            return Self {
                status: api.status,
                field: None,
                message: "Something went wrong on our side. Please try again.".into(),
            };
        }
        let param = api
            .detail
            .meta
            .get("param_name")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        let field = fields.iter().find(|(p, _)| *p == param).map(|(_, f)| *f);
        let message = if api.code == "form_param_missing" {
            "This field is required.".to_owned()
        } else {
            api.detail.long_message.clone()
        };
        Self {
            status: api.status,
            field,
            message,
        }
    }

    /// A POST without a valid CSRF token (or from a refused origin).
    pub fn forged() -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            field: None,
            message: "This form could not be accepted: it has expired or did not come from this site. Please submit it again.".into(),
        }
    }

    /// The message for field `name`, if the failure belongs to it.
    pub fn on(&self, name: &str) -> Option<&str> {
        (self.field == Some(name)).then_some(self.message.as_str())
    }

    /// The message shown above the form, if it belongs to no field.
    pub fn general(&self) -> Option<&str> {
        self.field.is_none().then_some(self.message.as_str())
    }
}

/// Signed-in browsers skip the sign-in and sign-up pages: they go where they were going.
pub async fn skip_if_signed_in(state: &AppState, page: &mut Page) -> Option<Response> {
    match page.session(state).await {
        Ok(Some(_)) => {
            let to = page.target();
            Some(page.redirect(&to))
        }
        Ok(None) => None,
        Err(e) => Some(page.failure_page(state, e)),
    }
}

/// The hint under every new-password field: the instance's minimum, as the policy applies it.
pub fn password_hint(state: &AppState) -> String {
    let min = LengthBounds::of(&state.settings()).min;
    format!("At least {min} characters.")
}

/// The confirmations a `?notice=` names (fixed texts: nothing from the URL is shown).
pub fn notice_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "code_sent" => "We sent you a new code.",
        "signed_out" => "You have signed out.",
        "profile_saved" => "Your profile has been saved.",
        "password_changed" => "Your password has been changed.",
        "totp_enabled" => "Two-step verification is on.",
        "totp_removed" => "The authenticator app has been removed.",
        "device_signed_out" => "That device has been signed out.",
        "invitation_accepted" => "You have joined the organization.",
        _ => return None,
    })
}

/// The confirmation the page's `?notice=` names, if it names one: what a redirect after a
/// completed step asks the next page to say.
pub fn page_notice(h: &mut Html, page: &Page) {
    if let Some(n) = page.query("notice").and_then(notice_text) {
        html::notice(h, n);
    }
}

/// Renders the form-level part of an optional failure.
pub fn general_alert(h: &mut Html, failure: Option<&Failure>) {
    if let Some(msg) = failure.and_then(Failure::general) {
        html::alert(h, msg);
    }
}
