//! Reading a Clerk instance through its Backend API: the secret key as a bearer token, paged
//! lists (`limit`/`offset`; users as a bare array counted by `/v1/users/count`, everything else
//! as `{data, total_count}`), and retries with backoff on 429 and 5xx (honouring `Retry-After`)
//! and on network failures. Any server that speaks Clerk's wire is a source, Usher included.

use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::Value;

/// How many times one request is tried before the import stops (it can be resumed).
pub const ATTEMPTS: u32 = 6;
/// The longest wait between two tries, whatever `Retry-After` asks.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// A page of a `{data, total_count}` list.
pub struct ListPage {
    pub data: Vec<Value>,
    pub total_count: i64,
}

pub struct ClerkSource {
    client: reqwest::Client,
    /// The API root without a trailing `/v1`: paths are appended as `/v1/…`.
    base: String,
    secret_key: String,
    /// The first wait after a failure, doubled at each retry.
    first_backoff: Duration,
}

impl ClerkSource {
    /// `api_url` as Clerk documents it (`https://api.clerk.com`, with or without `/v1`).
    pub fn new(api_url: &str, secret_key: &str) -> anyhow::Result<Self> {
        let trimmed = api_url.trim().trim_end_matches('/');
        let base = trimmed.strip_suffix("/v1").unwrap_or(trimmed).to_owned();
        let parsed = url::Url::parse(&base).with_context(|| format!("'{api_url}' is not a URL"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            bail!("the source API URL must be http or https: {api_url}");
        }
        if secret_key.trim().is_empty() {
            bail!("the source secret key is empty");
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("usher-import/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            base,
            secret_key: secret_key.trim().to_owned(),
            first_backoff: Duration::from_millis(500),
        })
    }

    /// A copy of the source description fit for the state file (no key).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The same source with another first wait after a failure (tests shorten it).
    pub fn with_first_backoff(mut self, first: Duration) -> Self {
        self.first_backoff = first;
        self
    }

    /// `GET /v1/users?limit&offset&order_by=+created_at`: the oldest first, so that users
    /// created while the import runs land on later pages.
    pub async fn users(&self, offset: i64, limit: i64) -> anyhow::Result<Vec<Value>> {
        let query = [
            ("limit", limit.to_string()),
            ("offset", offset.to_string()),
            ("order_by", "+created_at".to_owned()),
        ];
        match self.get("/v1/users", &query).await? {
            Value::Array(users) => Ok(users),
            other => bail!("GET /v1/users answered {} instead of a list", kind(&other)),
        }
    }

    /// `GET /v1/users/count`.
    pub async fn user_count(&self) -> anyhow::Result<i64> {
        let body = self.get("/v1/users/count", &[]).await?;
        body.get("total_count")
            .and_then(Value::as_i64)
            .context("GET /v1/users/count answered no total_count")
    }

    /// A single object at `path` (an instance's settings, say).
    pub async fn get_object(&self, path: &str) -> anyhow::Result<Value> {
        match self.get(path, &[]).await? {
            v @ Value::Object(_) => Ok(v),
            other => bail!("GET {path} answered {} instead of an object", kind(&other)),
        }
    }

    /// A page of a `{data, total_count}` list at `path`, with `extra` query parameters.
    pub async fn list(
        &self,
        path: &str,
        extra: &[(&str, &str)],
        offset: i64,
        limit: i64,
    ) -> anyhow::Result<ListPage> {
        let mut query = vec![("limit", limit.to_string()), ("offset", offset.to_string())];
        query.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
        let body = self.get(path, &query).await?;
        let data = match body.get("data") {
            Some(Value::Array(data)) => data.clone(),
            _ => bail!("GET {path} answered no data list"),
        };
        let total_count = body
            .get("total_count")
            .and_then(Value::as_i64)
            .with_context(|| format!("GET {path} answered no total_count"))?;
        Ok(ListPage { data, total_count })
    }

    /// One GET, tried again on 429, 5xx and network failures.
    async fn get(&self, path: &str, query: &[(&str, String)]) -> anyhow::Result<Value> {
        let mut url = url::Url::parse(&format!("{}{path}", self.base))
            .with_context(|| format!("the source URL {}{path}", self.base))?;
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let mut wait = self.first_backoff;
        let mut last_error = String::new();
        for attempt in 1..=ATTEMPTS {
            let sent = self
                .client
                .get(url.clone())
                .bearer_auth(&self.secret_key)
                .send()
                .await;
            let retry_after = match sent {
                Ok(resp) => {
                    let status = resp.status();
                    if status.is_success() {
                        return resp
                            .json::<Value>()
                            .await
                            .with_context(|| format!("GET {path}: the answer is not JSON"));
                    }
                    let retry_after = retry_after(&resp);
                    let body = resp.text().await.unwrap_or_default();
                    let detail = clerk_error(&body);
                    if status.as_u16() == 401 || status.as_u16() == 403 {
                        bail!(
                            "the source refused the secret key (HTTP {}{detail}): check --secret-key",
                            status.as_u16()
                        );
                    }
                    if status.as_u16() != 429 && !status.is_server_error() {
                        bail!("GET {path}: HTTP {}{detail}", status.as_u16());
                    }
                    last_error = format!("HTTP {}{detail}", status.as_u16());
                    retry_after
                }
                Err(e) => {
                    last_error = format!("{e}");
                    None
                }
            };
            if attempt == ATTEMPTS {
                break;
            }
            let pause = retry_after.unwrap_or(wait).min(MAX_WAIT);
            tracing::warn!(path, attempt, ?pause, error = %last_error, "source request failed; retrying");
            tokio::time::sleep(pause).await;
            wait = (wait * 2).min(MAX_WAIT);
        }
        bail!("GET {path} failed {ATTEMPTS} times, the last with {last_error}")
    }
}

/// `Retry-After` in seconds (the HTTP-date form is treated as absent).
fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    resp.headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// `: <code>: <message>` from a Clerk error body, if it is one.
pub fn clerk_error(body: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return String::new();
    };
    let first = v.get("errors").and_then(|e| e.get(0));
    let code = first.and_then(|e| e.get("code")).and_then(Value::as_str);
    let message = first.and_then(|e| e.get("message")).and_then(Value::as_str);
    match (code, message) {
        (Some(c), Some(m)) => format!(": {c}: {m}"),
        (Some(c), None) => format!(": {c}"),
        _ => String::new(),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
