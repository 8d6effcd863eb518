//! The HTTP half of social sign-in: a provider's discovery document and keys, the code's
//! exchange for tokens, userinfo, and GitHub's user and emails API. Every call has a short
//! timeout and follows no redirects; what comes back is judged by `usher_core::oauth`.
//! Discovery documents are kept for [`DISCOVERY_LIFETIME_MS`] (by the instance's clock), and
//! dropped as soon as a flow that used one fails at the provider, so the next one fetches anew.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use serde_json::{Map, Value};
use usher_core::clock::Millis;
use usher_core::oauth::{Jwks, Preset, Profile, ProviderEndpoints};
use usher_core::{CoreError, CoreResult};

fn client() -> CoreResult<&'static reqwest::Client> {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(c) = CLIENT.get() {
        return Ok(c);
    }
    let c = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("usher")
        .build()
        .map_err(|e| CoreError::Crypto(format!("building the HTTP client: {e}")))?;
    Ok(CLIENT.get_or_init(|| c))
}

/// What the provider did wrong, as the sign-in's refusal.
fn provider_failed(_what: &str) -> CoreError {
    CoreError::FlowInvalid {
        reason: "the identity provider could not be reached or answered unexpectedly",
    }
}

async fn json_of(resp: reqwest::Result<reqwest::Response>, what: &str) -> CoreResult<Value> {
    let resp = resp.map_err(|e| {
        tracing::warn!(error = %e, what, "oauth provider call failed");
        provider_failed(what)
    })?;
    let status = resp.status();
    let body = resp.bytes().await.map_err(|_| provider_failed(what))?;
    if body.len() > 1 << 20 {
        return Err(provider_failed(what));
    }
    let v: Value = serde_json::from_slice(&body).map_err(|_| provider_failed(what))?;
    if !status.is_success() {
        tracing::warn!(%status, what, "oauth provider refused");
        return Err(CoreError::VerificationFailed);
    }
    Ok(v)
}

/// How long a provider's discovery document is used before it is fetched again.
pub const DISCOVERY_LIFETIME_MS: Millis = 60 * 60 * 1000;
/// Discovery documents kept at most (one per configured provider in practice).
const DISCOVERY_CACHE_MAX: usize = 256;

type DiscoveryCache = Mutex<HashMap<String, (Millis, ProviderEndpoints)>>;

fn discovery_cache() -> &'static DiscoveryCache {
    static CACHE: OnceLock<DiscoveryCache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn cached(url: &str, now: Millis) -> Option<ProviderEndpoints> {
    let cache = discovery_cache().lock().ok()?;
    cache
        .get(url)
        .filter(|(at, _)| now >= *at && now - *at < DISCOVERY_LIFETIME_MS)
        .map(|(_, e)| e.clone())
}

fn remember(url: &str, endpoints: &ProviderEndpoints, now: Millis) {
    if let Ok(mut cache) = discovery_cache().lock() {
        cache.retain(|_, (at, _)| now >= *at && now - *at < DISCOVERY_LIFETIME_MS);
        if cache.len() < DISCOVERY_CACHE_MAX {
            cache.insert(url.to_owned(), (now, endpoints.clone()));
        }
    }
}

/// Drops the kept discovery document of `url`: a flow that used it failed at the provider.
pub fn forget_discovery(url: Option<&str>) {
    if let (Some(url), Ok(mut cache)) = (url, discovery_cache().lock()) {
        cache.remove(url);
    }
}

/// The provider's endpoints: GitHub's, or from its discovery document (kept for a while).
pub async fn endpoints(
    preset: Preset,
    discovery_url: Option<&str>,
    now: Millis,
) -> CoreResult<ProviderEndpoints> {
    if preset == Preset::Github {
        return Ok(ProviderEndpoints::github());
    }
    let url = discovery_url.ok_or_else(|| provider_failed("discovery"))?;
    if let Some(e) = cached(url, now) {
        return Ok(e);
    }
    let doc = json_of(client()?.get(url).send().await, "discovery").await?;
    let endpoints =
        ProviderEndpoints::from_discovery(url, &doc).map_err(|_| provider_failed("discovery"))?;
    remember(url, &endpoints, now);
    Ok(endpoints)
}

pub async fn jwks(uri: &str) -> CoreResult<Jwks> {
    let doc = json_of(client()?.get(uri).send().await, "jwks").await?;
    serde_json::from_value(doc).map_err(|_| provider_failed("jwks"))
}

/// What the token endpoint returned.
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    pub expires_in: Option<i64>,
    pub scope: Option<String>,
}

/// The authorization code exchanged (with the PKCE verifier) for tokens.
pub async fn exchange(
    token_endpoint: &str,
    client_id: &str,
    client_secret: &str,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> CoreResult<Tokens> {
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", client_id),
        ("client_secret", client_secret),
        ("code_verifier", verifier),
    ];
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let resp = client()?
        .post(token_endpoint)
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await;
    let v = json_of(resp, "token").await?;
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
    Ok(Tokens {
        access_token: text("access_token").ok_or(CoreError::VerificationFailed)?,
        refresh_token: text("refresh_token"),
        id_token: text("id_token"),
        expires_in: v.get("expires_in").and_then(Value::as_i64),
        scope: text("scope"),
    })
}

pub async fn userinfo(endpoint: &str, access_token: &str) -> CoreResult<Map<String, Value>> {
    let resp = client()?
        .get(endpoint)
        .bearer_auth(access_token)
        .send()
        .await;
    match json_of(resp, "userinfo").await? {
        Value::Object(m) => Ok(m),
        _ => Err(provider_failed("userinfo")),
    }
}

/// GitHub's user and its addresses (`/user/emails`, which needs `user:email`).
pub async fn github_profile(user_endpoint: &str, access_token: &str) -> CoreResult<Profile> {
    let user = userinfo(user_endpoint, access_token).await?;
    let emails_url = format!("{}/emails", user_endpoint.trim_end_matches('/'));
    let resp = client()?
        .get(emails_url)
        .bearer_auth(access_token)
        .header("accept", "application/vnd.github+json")
        .send()
        .await;
    let emails = match json_of(resp, "github emails").await {
        Ok(Value::Array(list)) => list,
        _ => Vec::new(),
    };
    Profile::from_github(&user, &emails).ok_or_else(|| provider_failed("github user"))
}
