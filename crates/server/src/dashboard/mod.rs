//! The operators' dashboard at `/dashboard`, on the Backend API listener: server-rendered pages
//! (one embedded stylesheet; one script file, which only shows times in the operator's time
//! zone) over the same use cases as the Backend API, with the
//! signed-in operator as the actor the audit log names (`operator:<email>`).
//!
//! An operator signs in with email address and password, then a TOTP code (`sign_in`). The
//! browser holds a random token in `__usher_dashboard` (`HttpOnly; SameSite=Strict;
//! Path=/dashboard`, `Secure` unless the instance's cookies are configured insecure for loopback
//! http, as the hosted pages' are); the store keeps only its SHA-256. Every write is a POST
//! carrying a CSRF token — an HMAC of the instance keyed with the session's token, so it is bound
//! to that session and checked in constant time — and, when the browser says where it came from
//! (`Origin`, `Sec-Fetch-Site`), from this origin only. Every response carries a strict content
//! security policy, no framing, no referrer and no caching. The secret key is never used here.

mod actions;
mod admin;
mod audit;
mod charts;
mod domains;
mod emails;
mod jwt_templates;
mod keys;
mod organizations;
mod security;
mod settings;
mod sign_in;
mod templates;
mod users;
mod users_edit;
mod users_export;
pub mod view;
mod webhooks;

use aws_lc_rs::hmac;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, HOST, LOCATION, ORIGIN,
    REFERRER_POLICY, SET_COOKIE, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::map_response;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use usher_core::CoreError;
use usher_core::operators::{Action, Operator, OperatorSession};

use crate::app::context::RequestContext;
use crate::app::operators as app;
use crate::error::ApiError;
use crate::fapi::cookies;
use crate::pages::PageForm;
use crate::state::AppState;

/// The session cookie.
pub const SESSION_COOKIE: &str = "__usher_dashboard";
/// Where the dashboard is served.
pub const ROOT: &str = "/dashboard";
const STYLESHEET: &str = include_str!("dashboard.css");
const TIME_SCRIPT: &str = include_str!("time.js");
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(home))
        .route("/dashboard/assets/dashboard.css", get(stylesheet))
        .route("/dashboard/assets/time.js", get(time_script))
        .route(
            "/dashboard/sign-in",
            get(sign_in::page).post(sign_in::submit),
        )
        .route(
            "/dashboard/sign-in/code",
            get(sign_in::code_page).post(sign_in::code_submit),
        )
        .route("/dashboard/sign-out", post(sign_in::sign_out))
        .route("/dashboard/users", get(users::list))
        .route(
            "/dashboard/users/new",
            get(users_edit::new_form).post(users_edit::new_submit),
        )
        .route("/dashboard/users/export.csv", get(users_export::csv))
        .route("/dashboard/users/{user_id}", get(users::show))
        .route(
            "/dashboard/users/{user_id}/metadata",
            get(users_edit::metadata_form).post(users_edit::metadata_submit),
        )
        .route("/dashboard/users/{user_id}/confirm", get(actions::confirm))
        .route("/dashboard/users/{user_id}/act", post(actions::act))
        .route("/dashboard/audit", get(audit::page))
        .route("/dashboard/webhooks", get(webhooks::list))
        .route("/dashboard/webhooks/{endpoint_id}", get(webhooks::show))
        .route("/dashboard/webhooks/{endpoint_id}/act", post(webhooks::act))
        .route("/dashboard/emails", get(emails::emails))
        .route("/dashboard/sms", get(emails::sms))
        .route("/dashboard/activity", get(charts::page))
        .route("/dashboard/templates", get(templates::list))
        .route(
            "/dashboard/templates/{template_type}/{slug}",
            get(templates::show).post(templates::act),
        )
        .route(
            "/dashboard/templates/{template_type}/{slug}/revert",
            get(templates::confirm_revert),
        )
        .route("/dashboard/domains", get(domains::page).post(domains::act))
        .route(
            "/dashboard/domains/{domain_id}/delete",
            get(domains::confirm_delete),
        )
        .route("/dashboard/keys", get(keys::page))
        .route("/dashboard/keys/emergency", get(keys::emergency))
        .route("/dashboard/keys/act", post(keys::act))
        .route("/dashboard/jwt-templates", get(jwt_templates::list))
        .route(
            "/dashboard/jwt-templates/session",
            get(jwt_templates::session_page).post(jwt_templates::session_save),
        )
        .route(
            "/dashboard/jwt-templates/{template_id}",
            get(jwt_templates::show).post(jwt_templates::save),
        )
        .route(
            "/dashboard/settings",
            get(settings::page).post(settings::save),
        )
        .route("/dashboard/organizations", get(organizations::list))
        .route(
            "/dashboard/organizations/{organization_id}",
            get(organizations::show),
        )
        .route("/dashboard/sessions", get(security::sessions))
        .route("/dashboard/sessions/sign-out", post(security::sign_out))
        .route("/dashboard/security", get(security::page))
        .layer(map_response(security_headers))
}

async fn home(_: Desk) -> Response {
    redirect("/dashboard/users")
}

async fn stylesheet() -> Response {
    (
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/css; charset=utf-8"),
        )],
        STYLESHEET,
    )
        .into_response()
}

async fn time_script() -> Response {
    (
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("text/javascript; charset=utf-8"),
        )],
        TIME_SCRIPT,
    )
        .into_response()
}

async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}

/// 303 See Other to `to` (one of the dashboard's own paths).
pub fn redirect(to: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert(LOCATION, v);
    }
    res
}

/// `Set-Cookie` for the session token, living `max_age_secs`.
fn session_cookie(state: &AppState, token: &str, max_age_secs: i64) -> String {
    let secure = if state.frontend.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{SESSION_COOKIE}={token}; Path={ROOT}; Max-Age={max_age_secs}; HttpOnly; SameSite=Strict{secure}"
    )
}

fn clear_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path={ROOT}; Max-Age=0; HttpOnly; SameSite=Strict")
}

fn with_cookie(mut res: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        res.headers_mut().append(SET_COOKIE, v);
    }
    res
}

/// The session token the browser sent, if any.
fn sent_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| cookies::read(h, SESSION_COOKIE).map(str::to_owned))
        .filter(|t| !t.is_empty() && t.len() <= 128)
}

/// Whether a POST came from this origin, as far as the browser tells: `Sec-Fetch-Site` other
/// than `same-origin` (or `none`, typed by the user), or an `Origin` naming another host, is
/// refused. A client that sends neither is not a browser another site could drive.
///
/// The pages' `Referrer-Policy: no-referrer` makes browsers send `Origin: null` with their own
/// forms: that is taken as same-origin only beside `Sec-Fetch-Site: same-origin`.
fn same_origin(headers: &HeaderMap) -> bool {
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if site.is_some_and(|s| !matches!(s, "same-origin" | "none")) {
        return false;
    }
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if origin == "null" {
        return site == Some("same-origin");
    }
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Ok(url) = url::Url::parse(origin) else {
        return false;
    };
    let named = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        (None, _) => return false,
    };
    named.eq_ignore_ascii_case(host)
}

fn csrf_key(token: &str) -> hmac::Key {
    hmac::Key::new(hmac::HMAC_SHA256, token.as_bytes())
}

fn csrf_message(state: &AppState) -> Vec<u8> {
    format!("usher-dashboard-csrf:{}", state.instance.id).into_bytes()
}

/// A signed-in operator's request: who, through which session, and the context the use cases
/// record (`operator:<email>` as the actor).
pub struct Desk {
    pub operator: Operator,
    pub session: OperatorSession,
    token: String,
    same_origin: bool,
    pub ctx: RequestContext,
}

impl FromRequestParts<AppState> for Desk {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(token) = sent_token(&parts.headers) else {
            return Err(redirect("/dashboard/sign-in"));
        };
        match app::session(state, &token).await {
            Ok(Some((session, operator))) if session.verified => Ok(Desk {
                ctx: crate::extract::auth::context(parts, operator.actor()),
                same_origin: same_origin(&parts.headers),
                operator,
                session,
                token,
            }),
            Ok(_) => Err(with_cookie(redirect("/dashboard/sign-in"), &clear_cookie())),
            Err(e) => Err(failure(None, e)),
        }
    }
}

impl Desk {
    /// The CSRF token of this session's forms.
    pub fn csrf(&self, state: &AppState) -> String {
        URL_SAFE_NO_PAD.encode(hmac::sign(&csrf_key(&self.token), &csrf_message(state)).as_ref())
    }

    /// Whether a POST may act: from this origin, with this session's token (compared in
    /// constant time).
    pub fn csrf_ok(&self, state: &AppState, form: &PageForm) -> bool {
        let Some(given) = form
            .get(crate::pages::CSRF_FIELD)
            .and_then(|g| URL_SAFE_NO_PAD.decode(g).ok())
        else {
            return false;
        };
        self.same_origin
            && hmac::verify(&csrf_key(&self.token), &csrf_message(state), &given).is_ok()
    }

    pub fn may(&self, action: Action) -> bool {
        self.operator.role.may(action)
    }

    /// What every page shows of the operator: its email address, role and the sign-out form.
    pub fn nav(&self, state: &AppState) -> view::Nav {
        view::Nav {
            email: self.operator.email.clone(),
            role: self.operator.role.as_str(),
            csrf: self.csrf(state),
            configure: self.may(Action::Configure),
        }
    }
}

/// A write refused for want of a valid CSRF token (or from another origin): nothing changed.
pub fn forged(nav: Option<&view::Nav>) -> Response {
    let mut h = view::Html::new();
    view::alert(
        &mut h,
        "This form could not be accepted: it has expired or did not come from this dashboard. Nothing was changed.",
    );
    view::link_para(&mut h, "/dashboard/users", "Back to users");
    view::page(StatusCode::FORBIDDEN, "Form not accepted", nav, h)
}

/// An action the operator's role does not allow.
pub fn forbidden(nav: &view::Nav) -> Response {
    let mut h = view::Html::new();
    view::alert(
        &mut h,
        "Your role does not allow this action. Ask an administrator.",
    );
    view::link_para(&mut h, "/dashboard/users", "Back to users");
    view::page(StatusCode::FORBIDDEN, "Not allowed", Some(nav), h)
}

/// A failed use case as a page: not found, a refusal, or (logged) our failure.
pub fn failure(nav: Option<&view::Nav>, err: CoreError) -> Response {
    let api = ApiError::from(err);
    let message = if api.status.is_server_error() {
        tracing::error!(
            code = api.code,
            cause = api
                .detail
                .internal
                .as_ref()
                .map(|c| usher_core::error::report(c))
                .unwrap_or_default(),
            "a dashboard page failed"
        );
        "Something went wrong on our side. Please try again.".to_owned()
    } else {
        api.detail.long_message.clone()
    };
    let mut h = view::Html::new();
    view::alert(&mut h, &message);
    view::link_para(&mut h, "/dashboard/users", "Back to users");
    let title = if api.status == StatusCode::NOT_FOUND {
        "Not found"
    } else {
        "Something went wrong"
    };
    view::page(api.status, title, nav, h)
}
