//! Machine tokens: API keys (`ak_…`), M2M tokens (`mt_…` or a JWT whose `sub` is `mch_…`) and
//! OAuth access tokens (`oat_…` or a JWT with `typ: at+jwt`).
//!
//! Opaque tokens are verified by the Backend API, following Clerk's documented contract
//! (authorized with the secret key, or the machine secret key for M2M):
//!
//! | token | request | success | unknown, revoked or expired |
//! |---|---|---|---|
//! | `ak_…` | `POST {api_url}/api_keys/verify {"secret"}` | 200, an `api_key` object | 404 |
//! | `mt_…` | `POST {api_url}/m2m_tokens/verify {"token"}` | 200, a `machine_to_machine_token` object | 404 |
//! | `oat_…` | `POST {api_url}/oauth_applications/access_tokens/verify {"access_token"}` | 200 | 404 |
//!
//! 401 means the secret key was refused (`secret-key-invalid`); anything else, or no answer, is
//! `unexpected-error` and is never cached. Definitive answers are cached briefly, keyed by the
//! SHA-256 of the token (the token itself is never stored): 200 for `positive_ttl` (never past
//! the token's own expiration), 404 for `negative_ttl`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use crate::auth::{MachineAuth, TokenType};
use crate::error::{Reason, VerifyError};
use crate::http_util::{join, read_limited, user_agent};
use crate::jwt;
use crate::verifier::Inner;

pub const API_KEY_PREFIX: &str = "ak_";
pub const M2M_TOKEN_PREFIX: &str = "mt_";
pub const OAUTH_TOKEN_PREFIX: &str = "oat_";
pub const M2M_SUBJECT_PREFIX: &str = "mch_";

/// Tuning of opaque machine-token verification.
#[derive(Clone, Debug)]
pub struct MachineSettings {
    /// How long a valid token is trusted without asking again (default 10 s).
    pub positive_ttl: Duration,
    /// How long an invalid token is remembered (default 5 s).
    pub negative_ttl: Duration,
    /// Cache size bound (default 10 000 tokens).
    pub max_entries: usize,
    /// Timeout of one verification request (default 5 s).
    pub timeout: Duration,
    /// Largest response accepted (default 64 KiB).
    pub max_body_bytes: usize,
}

impl Default for MachineSettings {
    fn default() -> Self {
        Self {
            positive_ttl: Duration::from_secs(10),
            negative_ttl: Duration::from_secs(5),
            max_entries: 10_000,
            timeout: Duration::from_secs(5),
            max_body_bytes: 64 * 1024,
        }
    }
}

type Entry = (Instant, Result<Arc<MachineAuth>, VerifyError>);

pub(crate) struct MachineCache {
    map: Mutex<HashMap<[u8; 32], Entry>>,
    max: usize,
}

impl MachineCache {
    pub fn new(max: usize) -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
            max,
        }
    }

    fn get(&self, key: &[u8; 32]) -> Option<Result<Arc<MachineAuth>, VerifyError>> {
        let map = self.map.lock().ok()?;
        let (until, v) = map.get(key)?;
        (Instant::now() < *until).then(|| v.clone())
    }

    fn put(&self, key: [u8; 32], ttl: Duration, v: Result<Arc<MachineAuth>, VerifyError>) {
        if ttl.is_zero() || self.max == 0 {
            return;
        }
        let Ok(mut map) = self.map.lock() else { return };
        if map.len() >= self.max {
            let now = Instant::now();
            map.retain(|_, (until, _)| *until > now);
            if map.len() >= self.max {
                map.clear();
            }
        }
        map.insert(key, (Instant::now() + ttl, v));
    }
}

fn sha256(token: &str) -> [u8; 32] {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// The machine type of an opaque token by its prefix.
pub(crate) fn classify_prefix(token: &str) -> Option<TokenType> {
    if token.starts_with(M2M_TOKEN_PREFIX) {
        return Some(TokenType::M2mToken);
    }
    if token.starts_with(OAUTH_TOKEN_PREFIX) {
        return Some(TokenType::OAuthToken);
    }
    if token.starts_with(API_KEY_PREFIX) {
        return Some(TokenType::ApiKey);
    }
    None
}

/// The machine type of a token by its prefix, or by its JWT header/payload (unverified); `None`
/// for anything else (a session token candidate).
pub(crate) fn classify(token: &str) -> Option<TokenType> {
    if let Some(t) = classify_prefix(token) {
        return Some(t);
    }
    if jwt::is_jwt_format(token)
        && let Ok(d) = jwt::decode(token)
    {
        return classify_jwt(&d);
    }
    None
}

pub(crate) fn classify_jwt(d: &jwt::Decoded<'_>) -> Option<TokenType> {
    #[derive(serde::Deserialize)]
    struct Sub<'a> {
        #[serde(borrow, default)]
        sub: Option<&'a serde_json::value::RawValue>,
    }
    let sub = serde_json::from_str::<Sub<'_>>(&d.payload)
        .ok()
        .and_then(|s| jwt::raw_str(s.sub));
    if sub.is_some_and(|s| s.starts_with(M2M_SUBJECT_PREFIX)) {
        return Some(TokenType::M2mToken);
    }
    if matches!(d.header.typ(), Some(Some("at+jwt" | "application/at+jwt"))) {
        return Some(TokenType::OAuthToken);
    }
    None
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::String(s)) => s
            .split(' ')
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

fn str_of(m: &Map<String, Value>, k: &str) -> Option<String> {
    m.get(k).and_then(Value::as_str).map(str::to_owned)
}

fn seconds_to_ms(v: Option<&Value>) -> Option<i64> {
    v.and_then(Value::as_f64).map(|s| (s * 1000.0) as i64)
}

/// An M2M JWT's auth object (Clerk's `M2MToken.fromJwtPayload`).
pub(crate) fn m2m_from_jwt(claims: Map<String, Value>) -> MachineAuth {
    let subject = str_of(&claims, "sub").unwrap_or_default();
    let scopes = match claims.get("scopes") {
        Some(Value::String(s)) => s.split(' ').map(str::to_owned).collect(),
        _ => strings(claims.get("aud")),
    };
    let custom: Map<String, Value> = claims
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "iss" | "sub" | "exp" | "nbf" | "iat" | "jti"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    MachineAuth {
        token_type: TokenType::M2mToken,
        id: str_of(&claims, "jti").unwrap_or_default(),
        machine_id: Some(subject.clone()),
        subject,
        scopes,
        claims: (!custom.is_empty()).then_some(Value::Object(custom)),
        name: None,
        user_id: None,
        org_id: None,
        client_id: None,
        expiration_ms: seconds_to_ms(claims.get("exp")),
    }
}

/// An OAuth access-token JWT's auth object.
pub(crate) fn oauth_from_jwt(claims: Map<String, Value>) -> MachineAuth {
    let subject = str_of(&claims, "sub").unwrap_or_default();
    let scopes = strings(claims.get("scope").or_else(|| claims.get("scopes")));
    MachineAuth {
        token_type: TokenType::OAuthToken,
        id: str_of(&claims, "jti").unwrap_or_default(),
        user_id: Some(subject.clone()),
        subject,
        scopes,
        claims: None,
        name: None,
        org_id: None,
        machine_id: None,
        client_id: str_of(&claims, "client_id").or_else(|| str_of(&claims, "azp")),
        expiration_ms: seconds_to_ms(claims.get("exp")),
    }
}

/// A Backend API verification answer → auth object (`None` when it says revoked/expired or is
/// malformed).
fn from_bapi(t: TokenType, body: &Map<String, Value>) -> Option<MachineAuth> {
    if body.get("revoked").and_then(Value::as_bool) == Some(true)
        || body.get("expired").and_then(Value::as_bool) == Some(true)
    {
        return None;
    }
    let id = str_of(body, "id")?;
    let subject = str_of(body, "subject").unwrap_or_default();
    let claims = body.get("claims").filter(|v| !v.is_null()).cloned();
    let expiration_ms = body.get("expiration").and_then(Value::as_i64);
    let scopes = strings(body.get("scopes"));
    let base = MachineAuth {
        token_type: t,
        id,
        subject: subject.clone(),
        scopes,
        claims,
        name: None,
        user_id: None,
        org_id: None,
        machine_id: None,
        client_id: None,
        expiration_ms,
    };
    Some(match t {
        TokenType::ApiKey => MachineAuth {
            name: str_of(body, "name"),
            user_id: subject.starts_with("user_").then(|| subject.clone()),
            org_id: subject.starts_with("org_").then(|| subject.clone()),
            ..base
        },
        TokenType::M2mToken => MachineAuth {
            machine_id: Some(subject),
            ..base
        },
        TokenType::OAuthToken => MachineAuth {
            user_id: Some(subject),
            client_id: str_of(body, "client_id"),
            ..base
        },
        TokenType::SessionToken => return None,
    })
}

pub(crate) async fn verify_opaque(
    inner: &Inner,
    t: TokenType,
    token: &str,
) -> Result<MachineAuth, VerifyError> {
    let key = sha256(token);
    if let Some(hit) = inner.machine_cache.get(&key) {
        return hit.map(|a| (*a).clone());
    }
    let (path, body, not_found) = match t {
        TokenType::ApiKey => (
            "/api_keys/verify",
            json!({ "secret": token }),
            "API key not found",
        ),
        TokenType::M2mToken => (
            "/m2m_tokens/verify",
            json!({ "token": token }),
            "Machine token not found",
        ),
        TokenType::OAuthToken => (
            "/oauth_applications/access_tokens/verify",
            json!({ "access_token": token }),
            "OAuth token not found",
        ),
        TokenType::SessionToken => {
            return Err(VerifyError::new(
                Reason::TokenTypeMismatch,
                "not a machine token",
            ));
        }
    };
    let bearer = match t {
        TokenType::M2mToken => inner
            .bapi
            .machine_secret_key
            .as_deref()
            .or(inner.bapi.secret_key.as_deref()),
        _ => inner.bapi.secret_key.as_deref(),
    };
    let Some(bearer) = bearer else {
        return Err(VerifyError::new(
            Reason::SecretKeyInvalid,
            "Machine token verification requires a secret key (or a machine secret key for M2M).",
        ));
    };
    let settings = &inner.machine_settings;
    let unexpected = |m: String| VerifyError::new(Reason::UnexpectedError, m);
    let resp = inner
        .http
        .post(join(&inner.bapi.api_url, path))
        .timeout(settings.timeout)
        .header(http::header::AUTHORIZATION, format!("Bearer {bearer}"))
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::USER_AGENT, user_agent())
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| unexpected(format!("Backend API unreachable: {}", e.without_url())))?;
    let status = resp.status();
    match status.as_u16() {
        200 => {
            let bytes = read_limited(resp, settings.max_body_bytes)
                .await
                .map_err(unexpected)?;
            let parsed: Option<Map<String, Value>> = serde_json::from_slice(&bytes).ok();
            let now_ms = inner.clock.now_ms();
            match parsed.as_ref().and_then(|b| from_bapi(t, b)) {
                Some(auth) if auth.expiration_ms.is_none_or(|e| e > now_ms) => {
                    let mut ttl = settings.positive_ttl;
                    if let Some(e) = auth.expiration_ms {
                        ttl = ttl.min(Duration::from_millis(
                            u64::try_from(e - now_ms).unwrap_or(0),
                        ));
                    }
                    inner
                        .machine_cache
                        .put(key, ttl, Ok(Arc::new(auth.clone())));
                    Ok(auth)
                }
                Some(_) | None if parsed.is_some() => {
                    let e = VerifyError::new(
                        Reason::MachineTokenInvalid,
                        "The token is revoked or expired.",
                    );
                    inner
                        .machine_cache
                        .put(key, settings.negative_ttl, Err(e.clone()));
                    Err(e)
                }
                _ => Err(unexpected(
                    "The Backend API answered an unexpected body.".into(),
                )),
            }
        }
        404 => {
            let e = VerifyError::new(Reason::MachineTokenInvalid, not_found);
            inner
                .machine_cache
                .put(key, settings.negative_ttl, Err(e.clone()));
            Err(e)
        }
        401 => Err(VerifyError::new(
            Reason::SecretKeyInvalid,
            "The Backend API refused the secret key.",
        )),
        _ => Err(unexpected(format!("Backend API answered HTTP {status}"))),
    }
}
