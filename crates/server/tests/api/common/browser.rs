//! [`Browser`]: one browser for the Frontend API (as clerk-js drives it) and for the hosted
//! pages (forms without JavaScript). It keeps the cookies of the Frontend API's host, names its
//! origin, optionally a dev-browser token, a forwarded client address and the clerk-js it runs,
//! and carries the CSRF token of the last page it read.

use std::collections::BTreeMap;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::App;

/// The app's origin: allowed on development instances, and on every instance the Frontend API
/// tests configure.
pub const APP_ORIGIN: &str = "http://localhost:3000";
/// The password the flows below sign up and sign in with.
pub const PASSWORD: &str = "Vivid-quartz-lantern-2931";

/// What a major version of clerk-js names itself with on every request.
#[derive(Clone, Copy)]
pub struct ClerkJs {
    pub api_version: &'static str,
    pub js_version: &'static str,
}

/// clerk-js 5: knows no `needs_client_trust`; a new device is a second factor to it.
pub const CLERK_JS_5: ClerkJs = ClerkJs {
    api_version: "2025-11-10",
    js_version: "5.128.0",
};
/// clerk-js 6 (with @clerk/ui): handles `needs_client_trust`.
pub const CLERK_JS_6: ClerkJs = ClerkJs {
    api_version: "2026-08-20",
    js_version: "6.40.0",
};

/// One Frontend API answer, checked on arrival: never a 5xx, and every error is Clerk-shaped
/// (code, messages, a `clerk_trace_id` that the `X-Clerk-Trace-Id` header repeats).
pub struct Res {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub raw: String,
}

impl Res {
    pub async fn read(res: reqwest::Response) -> Self {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let raw = res.text().await.unwrap();
        let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
        let r = Self {
            status,
            headers,
            body,
            raw,
        };
        r.check_shape();
        r
    }

    #[track_caller]
    fn check_shape(&self) {
        // Degraded mode's 503 is an answer; any other 5xx is a defect.
        let unavailable =
            self.status == 503 && self.body["errors"][0]["code"] == "service_unavailable";
        assert!(
            self.status < 500 || unavailable,
            "server error {}: {}",
            self.status,
            self.raw
        );
        if self.status >= 400 {
            let code = self.body["errors"][0]["code"].as_str().unwrap_or("");
            assert!(!code.is_empty(), "error without a code: {}", self.raw);
            assert!(
                self.body["errors"][0]["message"].is_string()
                    && self.body["errors"][0]["long_message"].is_string(),
                "{}",
                self.raw
            );
            let trace = self.body["clerk_trace_id"].as_str().unwrap_or("");
            assert_eq!(
                trace.len(),
                32,
                "error without clerk_trace_id: {}",
                self.raw
            );
            assert_eq!(self.header("x-clerk-trace-id"), Some(trace), "{}", self.raw);
        }
    }

    /// The id of the first item of a successful Frontend API list (`response.data[0].id`).
    #[track_caller]
    pub fn first_id(&self) -> String {
        self.ok()["response"]["data"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The parameter the error names, or "".
    pub fn param(&self) -> &str {
        super::error_param(&self.body)
    }

    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert_eq!(self.status, 200, "{}", self.raw);
        &self.body
    }

    #[track_caller]
    pub fn err(&self, status: u16, code: &str) -> &Self {
        assert_eq!(self.status, status, "{}", self.raw);
        assert_eq!(self.body["errors"][0]["code"], code, "{}", self.raw);
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The whole `Set-Cookie` line for cookie `name`.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.split_once('=').is_some_and(|(n, _)| n == name))
    }

    #[track_caller]
    pub fn no_cors(&self) {
        assert!(
            self.header("access-control-allow-origin").is_none()
                && self.header("access-control-allow-credentials").is_none(),
            "{:?}",
            self.headers
        );
    }
}

/// One hosted page (or the redirect a form answers with).
pub struct WebPage {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl WebPage {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The value of the first `<input name="{name}" … value="…">` (attributes as the pages
    /// write them: name before value).
    pub fn input_value(&self, name: &str) -> Option<String> {
        let at = self.body.find(&format!("name=\"{name}\""))?;
        let rest = &self.body[at..];
        let end = rest.find('>')?;
        let tag = &rest[..end];
        let v = tag.split_once("value=\"")?.1;
        Some(v[..v.find('"')?].to_owned())
    }

    /// The text of the element with this `id` (no nested markup).
    pub fn text_of(&self, id: &str) -> Option<String> {
        let at = self.body.find(&format!("id=\"{id}\""))?;
        let rest = &self.body[at..];
        let start = rest.find('>')? + 1;
        let end = rest[start..].find('<')?;
        Some(rest[start..start + end].to_owned())
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        self
    }

    /// A 303 to exactly `to`.
    #[track_caller]
    pub fn redirects_to(&self, to: &str) -> &Self {
        assert_eq!(self.status.as_u16(), 303, "{}", self.body);
        assert_eq!(self.location(), to);
        self
    }
}

/// `name=value; attrs…` → (name, value, lower-cased attributes).
pub fn parse_cookie(line: &str) -> (String, String, Vec<String>) {
    let mut parts = line.split(';').map(str::trim);
    let (name, value) = parts.next().unwrap().split_once('=').unwrap();
    let attrs = parts.map(str::to_ascii_lowercase).collect();
    (name.to_owned(), value.to_owned(), attrs)
}

pub fn has_attr(line: &str, attr: &str) -> bool {
    parse_cookie(line).2.iter().any(|a| a == attr)
}

/// One form-urlencoded name or value, as a browser's URLSearchParams writes it.
pub fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// application/x-www-form-urlencoded.
pub fn encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A client as `GET /v1/client` shows it, without the freshly minted token.
pub fn stable_client(mut v: Value) -> Value {
    for key in ["response", "client"] {
        if let Some(sessions) = v
            .get_mut(key)
            .and_then(|c| c.get_mut("sessions"))
            .and_then(Value::as_array_mut)
        {
            for s in sessions {
                s["last_active_token"] = Value::Null;
            }
        }
    }
    v
}

/// A browser on the Frontend API's host. Redirects are never followed.
pub struct Browser {
    /// The Frontend API's address (`http://127.0.0.1:port`).
    pub base: String,
    http: reqwest::Client,
    /// Sent as `Origin`: on every Frontend API call (as clerk-js's fetch does), and on form
    /// posts to the hosted pages (as browsers do).
    pub origin: Option<String>,
    /// `/__clerk` when the app proxies the Frontend API under its own origin.
    pub prefix: String,
    pub jar: BTreeMap<String, String>,
    /// Sent as `__clerk_db_jwt` on every Frontend API call.
    pub dev_token: Option<String>,
    /// `_clerk_session_id`, sent on `/v1/me…` and `/v1/organizations…` as clerk-js does.
    pub session_id: Option<String>,
    /// Every body the Frontend API returned to this browser.
    pub seen: Vec<String>,
    /// Sent as `User-Agent` when set.
    pub user_agent: Option<String>,
    /// Sent as `X-Forwarded-For`: the client address a trusted proxy in front would report.
    pub forwarded_for: Option<String>,
    /// The clerk-js it runs (`__clerk_api_version`, `_clerk_js_version`); none names nothing.
    pub clerk_js: Option<ClerkJs>,
    /// The CSRF token of the last hosted page read.
    pub csrf: Option<String>,
}

impl App {
    pub fn frontend_url(&self) -> String {
        format!("http://{}", self.running.frontend_addr)
    }

    /// A clerk-js tab on the app's origin, naming no clerk-js version.
    pub fn browser(&self) -> Browser {
        let mut b = Browser::new(&self.frontend_url());
        b.origin = Some(APP_ORIGIN.into());
        b
    }

    /// A browser without JavaScript on the hosted pages (the Frontend API's own origin).
    pub fn web(&self, user_agent: &str) -> Browser {
        let mut b = Browser::new(&self.frontend_url());
        b.origin = Some(self.frontend_url());
        b.user_agent = Some(user_agent.into());
        b
    }

    /// `GET /v1/environment`, as any page loading clerk-js fetches it.
    pub async fn environment(&self) -> Value {
        let mut b = Browser::new(&self.frontend_url());
        b.get("/v1/environment").await.ok().clone()
    }

    /// Emails sent to `address`, newest first.
    pub async fn emails_to(&self, address: &str) -> Vec<Value> {
        let path = format!("/v1/emails?limit=500&email_address={}", pct(address));
        let r = self
            .send_raw(Method::GET, &path, None, Some(&self.secret))
            .await;
        r.ok()["data"].as_array().unwrap().clone()
    }

    /// The code in the newest email to `address`.
    pub async fn code_for(&self, address: &str) -> String {
        let emails = self.emails_to(address).await;
        let code = emails
            .first()
            .and_then(|e| e["data"]["otp_code"].as_str())
            .unwrap_or_else(|| panic!("no code emailed to {address}: {emails:?}"))
            .to_owned();
        assert_eq!(code.len(), 6, "{code}");
        assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        code
    }
}

impl Browser {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            origin: None,
            prefix: String::new(),
            jar: BTreeMap::new(),
            dev_token: None,
            session_id: None,
            seen: Vec::new(),
            user_agent: None,
            forwarded_for: None,
            clerk_js: None,
            csrf: None,
        }
    }

    /// Another tab of this browser, at this moment: the same cookies, and a same-origin fetch
    /// (no `Origin`).
    pub fn tab(&self) -> Browser {
        let mut b = Browser::new(&self.base);
        b.jar = self.jar.clone();
        b
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.jar.get(name).map(String::as_str)
    }

    /// The Frontend API URL of `path`, with the query clerk-js adds.
    pub fn url(&self, path: &str, method_override: Option<&str>) -> String {
        let mut params: Vec<(String, String)> = Vec::new();
        if let Some(m) = method_override {
            params.push(("_method".into(), m.into()));
        }
        if let Some(js) = self.clerk_js {
            // An empty version stands for a caller that names none.
            if !js.api_version.is_empty() {
                params.push(("__clerk_api_version".into(), js.api_version.into()));
            }
            params.push(("_clerk_js_version".into(), js.js_version.into()));
        }
        if (path.starts_with("/v1/me") || path.starts_with("/v1/organizations"))
            && let Some(sid) = &self.session_id
        {
            params.push(("_clerk_session_id".into(), sid.clone()));
        }
        if let Some(t) = &self.dev_token {
            params.push(("__clerk_db_jwt".into(), t.clone()));
        }
        let refs: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let query = if refs.is_empty() {
            String::new()
        } else {
            let sep = if path.contains('?') { '&' } else { '?' };
            format!("{sep}{}", encode(&refs))
        };
        format!("{}{}{path}{query}", self.base, self.prefix)
    }

    pub fn cookie_header(&self) -> Option<String> {
        (!self.jar.is_empty()).then(|| {
            self.jar
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    /// Sends the cookies, user agent and forwarded address; stores the cookies set.
    async fn exchange(&mut self, mut req: reqwest::RequestBuilder) -> reqwest::Response {
        if let Some(c) = self.cookie_header() {
            req = req.header("Cookie", c);
        }
        if let Some(ua) = &self.user_agent {
            req = req.header("User-Agent", ua);
        }
        if let Some(ip) = &self.forwarded_for {
            req = req.header("X-Forwarded-For", ip);
        }
        let res = req.send().await.unwrap();
        for v in res.headers().get_all("set-cookie") {
            let (name, value, attrs) = parse_cookie(v.to_str().unwrap());
            if attrs.iter().any(|a| a == "max-age=0") {
                self.jar.remove(&name);
            } else {
                self.jar.insert(name, value);
            }
        }
        res
    }

    // ---- the Frontend API ---------------------------------------------------------------------

    /// Sends a request as clerk-js does: GET, or POST with a form body (PATCH and DELETE
    /// tunnelled as `POST ?_method=`).
    pub async fn send(&mut self, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> Res {
        let (http_method, tunnel) = match method {
            "GET" => (Method::GET, None),
            "POST" => (Method::POST, None),
            other => (Method::POST, Some(other)),
        };
        let url = self.url(path, tunnel);
        let mut req = self.http.request(http_method.clone(), url);
        if http_method == Method::POST {
            req = req
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(encode(form.unwrap_or(&[])));
        }
        self.finish(req).await
    }

    async fn finish(&mut self, mut req: reqwest::RequestBuilder) -> Res {
        if let Some(o) = &self.origin {
            req = req.header("Origin", o);
        }
        let res = Res::read(self.exchange(req).await).await;
        self.seen.push(res.raw.clone());
        res
    }

    /// A POST with this exact content type and body.
    pub async fn raw_post(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> Res {
        self.raw_send(None, path, content_type, body).await
    }

    /// A POST with this exact content type and body, tunnelled as `method` (`PUT`, `DELETE`)
    /// when given, as clerk-js sends an upload.
    pub async fn raw_send(
        &mut self,
        method: Option<&str>,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Res {
        let url = self.url(path, method);
        let req = self
            .http
            .post(url)
            .header("Content-Type", content_type)
            .body(body);
        self.finish(req).await
    }

    pub async fn get(&mut self, path: &str) -> Res {
        self.send("GET", path, None).await
    }
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Res {
        self.send("POST", path, Some(form)).await
    }
    pub async fn patch(&mut self, path: &str, form: &[(&str, &str)]) -> Res {
        self.send("PATCH", path, Some(form)).await
    }
    pub async fn delete(&mut self, path: &str) -> Res {
        self.send("DELETE", path, Some(&[])).await
    }

    /// `GET /v1/client`, without the freshly minted token.
    pub async fn client(&mut self) -> Value {
        stable_client(self.get("/v1/client").await.ok().clone())
    }

    /// `POST /v1/dev_browser`; from then on the browser names its client with the token.
    pub async fn dev_browser(&mut self) -> String {
        let r = self.post("/v1/dev_browser", &[]).await;
        let token = r.ok()["token"].as_str().unwrap().to_owned();
        self.dev_token = Some(token.clone());
        token
    }

    /// Starts a sign-up with email and [`PASSWORD`] and has the code emailed; returns its id.
    pub async fn start_sign_up(&mut self, email: &str) -> String {
        let r = self
            .post(
                "/v1/client/sign_ups",
                &[("email_address", email), ("password", PASSWORD)],
            )
            .await;
        let id = r.ok()["response"]["id"].as_str().unwrap().to_owned();
        self.prepare_sign_up(&id, "email_code").await.ok();
        id
    }

    /// Has a verification code for `strategy` (`email_code`, `phone_code`) sent on sign-up `id`.
    pub async fn prepare_sign_up(&mut self, id: &str, strategy: &str) -> Res {
        self.post(
            &format!("/v1/client/sign_ups/{id}/prepare_verification"),
            &[("strategy", strategy)],
        )
        .await
    }

    /// The emailed code on sign-up `id`.
    pub async fn attempt_sign_up_code(&mut self, id: &str, code: &str) -> Res {
        self.attempt_sign_up(id, "email_code", code).await
    }

    /// `code` for `strategy` (`email_code`, `phone_code`) on sign-up `id`.
    pub async fn attempt_sign_up(&mut self, id: &str, strategy: &str, code: &str) -> Res {
        self.post(
            &format!("/v1/client/sign_ups/{id}/attempt_verification"),
            &[("strategy", strategy), ("code", code)],
        )
        .await
    }

    /// Signs up with email and [`PASSWORD`], verifying the email with `code` (or the code the
    /// Backend API shows). Returns (user id, session id).
    pub async fn sign_up(
        &mut self,
        app: &App,
        email: &str,
        code: Option<&str>,
    ) -> (String, String) {
        let id = self.start_sign_up(email).await;
        let code = match code {
            Some(c) => c.to_owned(),
            None => app.code_for(email).await,
        };
        let r = self.attempt_sign_up_code(&id, &code).await;
        let su = &r.ok()["response"];
        assert_eq!(su["status"], "complete", "{}", r.raw);
        let sid = su["created_session_id"].as_str().unwrap().to_owned();
        self.session_id = Some(sid.clone());
        (su["created_user_id"].as_str().unwrap().to_owned(), sid)
    }

    /// Starts a sign-in for `identifier`; returns its id.
    pub async fn start_sign_in(&mut self, identifier: &str) -> String {
        let r = self
            .post("/v1/client/sign_ins", &[("identifier", identifier)])
            .await;
        let si = &r.ok()["response"];
        assert_eq!(si["status"], "needs_first_factor", "{}", r.raw);
        si["id"].as_str().unwrap().to_owned()
    }

    /// The password as the first factor of sign-in `id`.
    pub async fn attempt_password(&mut self, id: &str, password: &str) -> Res {
        self.post(
            &format!("/v1/client/sign_ins/{id}/attempt_first_factor"),
            &[("strategy", "password"), ("password", password)],
        )
        .await
    }

    /// Signs in with identifier, then [`PASSWORD`]; returns the sign-in as answered.
    pub async fn sign_in_password(&mut self, identifier: &str) -> Value {
        let id = self.start_sign_in(identifier).await;
        let r = self.attempt_password(&id, PASSWORD).await;
        let si = r.ok()["response"].clone();
        if let Some(sid) = si["created_session_id"].as_str() {
            self.session_id = Some(sid.to_owned());
        }
        si
    }

    /// Prepares an emailed code on sign-in `id` and returns the code sent.
    pub async fn prepare_email_code(&mut self, app: &App, id: &str, email: &str) -> String {
        let before = app.emails_to(email).await.len();
        self.prepare_first_factor(id, "email_code").await.ok();
        assert_eq!(app.emails_to(email).await.len(), before + 1);
        app.code_for(email).await
    }

    pub async fn attempt_email_code(&mut self, id: &str, code: &str) -> Res {
        self.attempt_first_factor(id, "email_code", code).await
    }

    /// Prepares the first factor `strategy` (`email_code`, `phone_code`, …) of sign-in `id`.
    pub async fn prepare_first_factor(&mut self, id: &str, strategy: &str) -> Res {
        self.post(
            &format!("/v1/client/sign_ins/{id}/prepare_first_factor"),
            &[("strategy", strategy)],
        )
        .await
    }

    /// Prepares the second factor `strategy` (`totp`, `email_code`, …) of sign-in `id`.
    pub async fn prepare_second_factor(&mut self, id: &str, strategy: &str) -> Res {
        self.post(
            &format!("/v1/client/sign_ins/{id}/prepare_second_factor"),
            &[("strategy", strategy)],
        )
        .await
    }

    /// `code` for `strategy` (`email_code`, `phone_code`, …) as the first factor of sign-in `id`.
    pub async fn attempt_first_factor(&mut self, id: &str, strategy: &str, code: &str) -> Res {
        self.post(
            &format!("/v1/client/sign_ins/{id}/attempt_first_factor"),
            &[("strategy", strategy), ("code", code)],
        )
        .await
    }

    /// `code` for `strategy` (`totp`, `backup_code`, `email_code`, …) as the second factor of
    /// sign-in `id`.
    pub async fn attempt_second_factor(&mut self, id: &str, strategy: &str, code: &str) -> Res {
        self.post(
            &format!("/v1/client/sign_ins/{id}/attempt_second_factor"),
            &[("strategy", strategy), ("code", code)],
        )
        .await
    }

    /// A session token for session `sid` (`POST /v1/client/sessions/{sid}/tokens`).
    pub async fn token(&mut self, sid: &str) -> String {
        let r = self.request_token(sid).await;
        r.ok()["jwt"].as_str().unwrap().to_owned()
    }

    /// `POST /v1/client/sessions/{sid}/tokens` with no form: a session token as clerk-js asks
    /// for one, answered or refused.
    pub async fn request_token(&mut self, sid: &str) -> Res {
        self.post(&format!("/v1/client/sessions/{sid}/tokens"), &[])
            .await
    }

    pub async fn sign_out(&mut self) {
        let r = self.delete("/v1/client/sessions").await;
        let c = &r.ok()["response"];
        assert_eq!(c["object"], "client", "{}", r.raw);
        assert_eq!(c["last_active_session_id"], Value::Null);
        assert_eq!(self.cookie("__client_uat"), Some("0"));
        self.session_id = None;
    }

    // ---- the hosted pages ---------------------------------------------------------------------

    async fn navigate(&mut self, method: Method, path: &str, body: Option<String>) -> WebPage {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(b);
            if let Some(o) = &self.origin {
                req = req.header("Origin", o);
            }
        }
        let res = self.exchange(req).await;
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.text().await.unwrap();
        assert!(status.as_u16() < 500, "server error {status}: {body}");
        let page = WebPage {
            status,
            headers,
            body,
        };
        if let Some(t) = page.input_value("csrf_token") {
            self.csrf = Some(t);
        }
        page
    }

    /// Opens a hosted page (or any URL, when `path` is one).
    pub async fn open(&mut self, path: &str) -> WebPage {
        self.navigate(Method::GET, path, None).await
    }

    /// POSTs exactly these fields as a form.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> WebPage {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.navigate(Method::POST, path, Some(body)).await
    }

    /// POSTs a form as the page that showed it would: with its CSRF token.
    pub async fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> WebPage {
        let token = self
            .csrf
            .clone()
            .expect("read a page before submitting a form");
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_form(path, &all).await
    }
}
