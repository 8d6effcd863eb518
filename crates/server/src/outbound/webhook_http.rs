//! The outbound HTTP client for webhook deliveries. It connects only to addresses the
//! destination policy allows: host names are resolved by [`GuardedResolver`], which checks every
//! address and hands exactly those to the connector (so a second DNS answer cannot swap in
//! another address), and IP literals are checked before any request. Redirects are not followed,
//! proxies from the environment are ignored, each request has a deadline, and response bodies
//! are read up to a cap.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};
use usher_core::webhooks::DestinationPolicy;
use usher_core::webhooks::delivery::EXCERPT_BYTES;

/// At most this much of a response body is read; the rest is dropped with the connection.
pub const BODY_CAP: usize = 64 * 1024;

/// Resolves host names and refuses the lookup when any address is not an allowed destination.
pub struct GuardedResolver {
    pub policy: DestinationPolicy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addrs.is_empty() {
                return Err(format!("{host} has no addresses").into());
            }
            for a in &addrs {
                policy
                    .check_ip(a.ip())
                    .map_err(|e| format!("destination refused: {host} resolves to {e}"))?;
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

pub fn client(policy: DestinationPolicy, timeout: Duration) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .tcp_nodelay(true)
        .pool_idle_timeout(Duration::from_secs(60))
        .dns_resolver(Arc::new(GuardedResolver { policy }))
        .build()?)
}

/// What came of one POST.
#[derive(Debug, Clone)]
pub struct Sent {
    /// A 2xx arrived within the deadline.
    pub ok: bool,
    pub status: Option<u16>,
    pub latency_ms: i64,
    pub excerpt: String,
    pub error: Option<String>,
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = s.source();
    }
    parts.join(": ")
}

fn describe(e: &reqwest::Error) -> String {
    let chain = error_chain(e);
    if e.is_timeout() {
        format!("timed out: {chain}")
    } else {
        chain
    }
}

/// POSTs `body` to `url` with `headers`. Never fails: every outcome is a [`Sent`].
pub async fn post(
    client: &reqwest::Client,
    policy: &DestinationPolicy,
    url: &str,
    headers: HeaderMap,
    body: Vec<u8>,
) -> Sent {
    let started = Instant::now();
    let elapsed = |s: Instant| i64::try_from(s.elapsed().as_millis()).unwrap_or(i64::MAX);
    let refused = |error: String| Sent {
        ok: false,
        status: None,
        latency_ms: 0,
        excerpt: String::new(),
        error: Some(error),
    };
    let parsed = match reqwest::Url::parse(url) {
        Ok(u) => u,
        Err(e) => return refused(format!("invalid URL: {e}")),
    };
    // The policy may have changed since the endpoint was saved.
    if policy.require_https && parsed.scheme() != "https" {
        return refused("destination refused: this instance delivers over https only".into());
    }
    // IP literals never reach the resolver: check them here.
    let literal = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    };
    if let Some(ip) = literal
        && let Err(e) = policy.check_ip(ip)
    {
        return refused(format!("destination refused: {e}"));
    }
    let mut headers = headers;
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(
        USER_AGENT,
        HeaderValue::from_static(concat!("Usher-Webhooks/", env!("CARGO_PKG_VERSION"))),
    );
    let res = client.post(parsed).headers(headers).body(body).send().await;
    let mut res = match res {
        Ok(r) => r,
        Err(e) => {
            return Sent {
                ok: false,
                status: None,
                latency_ms: elapsed(started),
                excerpt: String::new(),
                error: Some(describe(&e)),
            };
        }
    };
    let status = res.status();
    let mut excerpt = Vec::new();
    let mut read = 0usize;
    let mut body_error = None;
    while read < BODY_CAP {
        match res.chunk().await {
            Ok(Some(chunk)) => {
                read += chunk.len();
                let room = EXCERPT_BYTES.saturating_sub(excerpt.len());
                excerpt.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) => break,
            Err(e) => {
                body_error = Some(describe(&e));
                break;
            }
        }
    }
    let latency_ms = elapsed(started);
    let ok = status.is_success() && body_error.is_none();
    let error = match (status.is_success(), body_error) {
        (_, Some(e)) => Some(e),
        (false, None) if status.is_redirection() => Some(format!(
            "status {} (redirects are not followed)",
            status.as_u16()
        )),
        (false, None) => Some(format!("status {}", status.as_u16())),
        (true, None) => None,
    };
    Sent {
        ok,
        status: Some(status.as_u16()),
        latency_ms,
        excerpt: String::from_utf8_lossy(&excerpt).into_owned(),
        error,
    }
}
