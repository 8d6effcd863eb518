//! The subcommands behind `bench/front-door/run`: users with passwords, browsers signed in
//! through the Frontend API, token refreshes at a steady rate (open loop), an attacker storming
//! sign-ins with wrong passwords from spoofed addresses, and password sign-ins as fast as the
//! server completes them.
//!
//! Every browser request carries `Origin` and `X-Forwarded-For` (the server is started with
//! `--trusted-proxies 127.0.0.1`, so the forwarded address is the one it limits by) and, once
//! the server has set it, the `__client` cookie. Addresses come from reserved ranges, one plan
//! per role, so the roles never share a rate-limit counter:
//!
//! - refreshers: `198.18.0.0/16` (RFC 2544's benchmarking range), one address per browser;
//! - sign-ins: `198.19.0.0/16`, a fresh address per sign-in;
//! - the attacker: `10.0.0.0/8`, a fresh address after every `--per-address` attempts (all its
//!   connections together);
//! - refreshes from many addresses (`refresh --fresh-addresses`) and the writes that fill the
//!   server's rate-limit table before them: `100.64.0.0/10`, a fresh address per request.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use hyper::Method;
use hyper::body::Bytes;
use hyper::header::{COOKIE, HeaderName, HeaderValue, ORIGIN, SET_COOKIE};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use tokio::time::{Instant, MissedTickBehavior};

use crate::args::Flags;
use crate::fixture::{self, create_many, snippet};
use crate::hashrate;
use crate::http::{self, Client, Response};
use crate::procfs;
use crate::stats::{self, Errors};
use crate::steal;

mod attack;
mod refresh;
mod setup;

use attack::fmt_ms;
pub use attack::{sign_ins, storm};
pub use refresh::refresh;
use refresh::{Readings, latency_json};
use setup::Users;
pub use setup::{sessions, users};

const FORM: &str = "application/x-www-form-urlencoded";
const DEFAULT_ORIGIN: &str = "http://localhost:3000";
/// The password of every benchmark user (their digests are made here, with the server's
/// parameters, and imported: creating the users hashes nothing on the server).
const PASSWORD: &str = "front-door-bench-password";
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

pub(crate) fn secret_key() -> Result<String> {
    std::env::var("USHER_SECRET_KEY")
        .context("USHER_SECRET_KEY must hold the Backend API secret key")
}

pub fn write_json(path: &Path, json: &Value) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, serde_json::to_vec_pretty(json)?)
        .with_context(|| format!("write {}", path.display()))
}

pub fn read_json(path: &Path) -> Result<Value> {
    serde_json::from_slice(
        &std::fs::read(path).with_context(|| format!("read {}", path.display()))?,
    )
    .with_context(|| format!("{} is not JSON", path.display()))
}

fn offset_addr(base: Ipv4Addr, n: u64, span: u64) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(base).wrapping_add((n % span) as u32))
}

/// The address of refresher `i`.
pub fn refresher_addr(i: u64) -> Ipv4Addr {
    offset_addr(Ipv4Addr::new(198, 18, 0, 0), i, 1 << 16)
}

/// The address of the `n`-th sign-in of the throughput load.
pub fn sign_in_addr(n: u64) -> Ipv4Addr {
    offset_addr(Ipv4Addr::new(198, 19, 0, 0), n, 1 << 16)
}

/// The attacker's `n`-th spoofed address.
pub fn attacker_addr(n: u64) -> Ipv4Addr {
    offset_addr(Ipv4Addr::new(10, 0, 0, 0), n, 1 << 24)
}

/// The `n`-th fresh address of the many-addresses refreshes (and of the table fill).
pub fn many_addr(n: u64) -> Ipv4Addr {
    offset_addr(Ipv4Addr::new(100, 64, 0, 0), n, 1 << 22)
}

/// Each task gets its own stream derived from the one seed.
fn task_rng(seed: u64, task: usize) -> StdRng {
    StdRng::seed_from_u64(seed ^ (task as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub(crate) fn form(fields: &[(&str, &str)]) -> Bytes {
    Bytes::from(
        fields
            .iter()
            .map(|(k, v)| format!("{k}={}", percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&"),
    )
}

/// A browser as the Frontend API sees it: where it calls from, and its client once it has one.
#[derive(Debug, Clone)]
pub struct Browser {
    pub origin: HeaderValue,
    pub address: Ipv4Addr,
    pub cookie: Option<String>,
}

impl Browser {
    pub fn new(origin: &HeaderValue, address: Ipv4Addr) -> Self {
        Self {
            origin: origin.clone(),
            address,
            cookie: None,
        }
    }

    fn headers(&self) -> Result<Vec<(HeaderName, HeaderValue)>> {
        let mut h = vec![
            (ORIGIN, self.origin.clone()),
            (
                X_FORWARDED_FOR,
                HeaderValue::from_str(&self.address.to_string())?,
            ),
        ];
        if let Some(c) = &self.cookie {
            h.push((COOKIE, HeaderValue::from_str(&format!("__client={c}"))?));
        }
        Ok(h)
    }

    /// `POST path` with a form body (or none); keeps the `__client` cookie the server sets.
    pub async fn post(
        &mut self,
        client: &mut Client,
        path: &str,
        body: Option<Bytes>,
    ) -> Result<Response> {
        let headers = self.headers()?;
        let res = tokio::time::timeout(
            REQUEST_TIMEOUT,
            client.request(Method::POST, path, &headers, body.map(|b| (FORM, b))),
        )
        .await
        .with_context(|| format!("POST {path}: no response within {REQUEST_TIMEOUT:?}"))
        .inspect_err(|_| client.drop_connection())??;
        if let Some(c) = client_cookie(&res) {
            self.cookie = Some(c);
        }
        Ok(res)
    }
}

/// The `__client` cookie a response sets, if any.
pub fn client_cookie(res: &Response) -> Option<String> {
    res.headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("__client="))
        .map(|v| v.split(';').next().unwrap_or("").to_owned())
        .filter(|v| !v.is_empty())
}

/// `{"response": {...}}`'s field.
fn response_str(body: &Value, field: &str) -> Option<String> {
    body.get("response")?
        .get(field)?
        .as_str()
        .map(str::to_owned)
}

/// How one step of a sign-in went.
pub enum Step {
    /// `200` with what the step should produce.
    Ok(String),
    /// Any other answer (status, error code, body snippet).
    Refused(u16, String),
    /// `200` without what the step should produce.
    BadBody(String),
}

/// `POST /v1/client/sign_ins identifier=…`: the sign-in's id.
pub async fn create_sign_in(
    client: &mut Client,
    browser: &mut Browser,
    identifier: &str,
) -> Result<Step> {
    let res = browser
        .post(
            client,
            "/v1/client/sign_ins",
            Some(form(&[("identifier", identifier)])),
        )
        .await?;
    if res.status != 200 {
        return Ok(Step::Refused(res.status.as_u16(), snippet(&res.body)));
    }
    let v: Value = serde_json::from_slice(&res.body).unwrap_or(Value::Null);
    Ok(match response_str(&v, "id") {
        Some(id) if id.starts_with("sia_") => Step::Ok(id),
        _ => Step::BadBody(format!("sign-in without an id: {}", snippet(&res.body))),
    })
}

/// `POST /v1/client/sign_ins/{id}/attempt_first_factor strategy=password&password=…`: on
/// success, the session it created.
pub async fn attempt_password(
    client: &mut Client,
    browser: &mut Browser,
    sign_in_id: &str,
    password: &str,
) -> Result<Step> {
    let path = format!("/v1/client/sign_ins/{sign_in_id}/attempt_first_factor");
    let res = browser
        .post(
            client,
            &path,
            Some(form(&[("strategy", "password"), ("password", password)])),
        )
        .await?;
    if res.status != 200 {
        return Ok(Step::Refused(res.status.as_u16(), snippet(&res.body)));
    }
    let v: Value = serde_json::from_slice(&res.body).unwrap_or(Value::Null);
    let status = response_str(&v, "status").unwrap_or_default();
    Ok(match response_str(&v, "created_session_id") {
        Some(sid) if status == "complete" && sid.starts_with("sess_") => Step::Ok(sid),
        _ => Step::BadBody(format!(
            "sign-in status {status:?} instead of complete: {}",
            snippet(&res.body)
        )),
    })
}

/// A browser signed in: its client cookie and session.
pub struct SignedIn {
    pub cookie: String,
    pub session_id: String,
}

/// Signs `email` in from a new browser at `address`, failing on anything but completion.
pub async fn sign_in(
    client: &mut Client,
    origin: &HeaderValue,
    address: Ipv4Addr,
    email: &str,
) -> Result<SignedIn> {
    let mut browser = Browser::new(origin, address);
    let id = match create_sign_in(client, &mut browser, email).await? {
        Step::Ok(id) => id,
        Step::Refused(status, body) => bail!("create sign-in for {email} -> {status} {body}"),
        Step::BadBody(what) => bail!("create sign-in for {email}: {what}"),
    };
    let session_id = match attempt_password(client, &mut browser, &id, PASSWORD).await? {
        Step::Ok(sid) => sid,
        Step::Refused(status, body) => bail!("password for {email} -> {status} {body}"),
        Step::BadBody(what) => bail!("password for {email}: {what}"),
    };
    let cookie = browser
        .cookie
        .with_context(|| format!("signing {email} in set no __client cookie"))?;
    Ok(SignedIn { cookie, session_id })
}

pub(crate) fn origin_flag(flags: &mut Flags) -> Result<HeaderValue> {
    let origin = flags
        .opt_str("origin")?
        .unwrap_or_else(|| DEFAULT_ORIGIN.into());
    HeaderValue::from_str(&origin).context("--origin is not a header value")
}

pub(crate) fn addr_flag(flags: &mut Flags, name: &str) -> Result<(String, SocketAddr)> {
    let url = flags.str(name)?;
    let addr = http::loopback_addr(&url)?;
    Ok((url, addr))
}

/// The server's `/metrics` page, read on the Backend API.
async fn metrics_text(client: &mut Client) -> Result<String> {
    let res = tokio::time::timeout(REQUEST_TIMEOUT, client.get("/metrics"))
        .await
        .context("GET /metrics timed out")??;
    if res.status != 200 {
        bail!("GET /metrics -> {}", res.status);
    }
    Ok(String::from_utf8_lossy(&res.body).into_owned())
}

/// A value of the server's `/metrics` (`name value` lines), read on the Backend API.
pub async fn metric(client: &mut Client, name: &str) -> Result<f64> {
    let text = metrics_text(client).await?;
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
        .with_context(|| format!("/metrics has no {name}"))
}

/// The server's latency histogram of one route (`usher_http_request_duration_seconds`), as
/// cumulative counts by upper bound in seconds.
pub async fn route_histogram(client: &mut Client, route: &str) -> Result<Vec<(f64, f64)>> {
    let text = metrics_text(client).await?;
    let route_label = format!("route=\"{route}\"");
    let mut buckets: Vec<(f64, f64)> = text
        .lines()
        .filter(|l| {
            l.starts_with("usher_http_request_duration_seconds_bucket{") && l.contains(&route_label)
        })
        .filter_map(|l| {
            let le = l.split("le=\"").nth(1)?.split('"').next()?;
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().ok()?
            };
            let count: f64 = l.rsplit(' ').next()?.trim().parse().ok()?;
            Some((le, count))
        })
        .collect();
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(buckets)
}

/// The smallest bucket bound (ms) under which `pct` % of the requests between two readings of
/// a histogram finished; `None` without requests.
fn bucket_percentile(before: &[(f64, f64)], after: &[(f64, f64)], pct: f64) -> Option<f64> {
    let at = |h: &[(f64, f64)], le: f64| h.iter().find(|(l, _)| *l == le).map_or(0.0, |(_, c)| *c);
    let total = after.last().map(|(le, c)| c - at(before, *le))?;
    if total <= 0.0 {
        return None;
    }
    after
        .iter()
        .find(|(le, c)| (c - at(before, *le)) >= total * pct / 100.0)
        .map(|(le, _)| le * 1000.0)
}

const HASH_JOBS: &str = "usher_password_hash_jobs";
const HASH_QUEUE: &str = "usher_password_hash_queue_depth";

fn token_path(session_id: &str) -> String {
    format!("/v1/client/sessions/{session_id}/tokens")
}

/// `hash-rate`: the raw Argon2id rate of `--threads` threads, written to `--out`.
pub fn hash_rate(mut flags: Flags) -> Result<()> {
    let threads: usize = flags.get("threads", 1)?;
    let seconds: f64 = flags.get("seconds", 3.0)?;
    let round: u64 = flags.get("round", 0)?;
    let out = PathBuf::from(flags.str("out")?);
    flags.finish()?;
    if !(1..=256).contains(&threads) || !(0.5..=60.0).contains(&seconds) {
        bail!("--threads must be 1..=256 and --seconds 0.5..=60");
    }
    let rate = hashrate::measure(threads, Duration::from_secs_f64(seconds))?;
    let mut json = rate.to_json();
    json["kind"] = "hash-rate".into();
    json["round"] = round.into();
    write_json(&out, &json)?;
    println!(
        "raw Argon2id rate: {:.1} hashes/s ({} hashes in {:.1} s on {threads} thread(s))",
        rate.per_sec(),
        rate.hashes,
        rate.seconds
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_plans_do_not_overlap() {
        assert_eq!(refresher_addr(0), Ipv4Addr::new(198, 18, 0, 0));
        assert_eq!(refresher_addr(257), Ipv4Addr::new(198, 18, 1, 1));
        assert_eq!(sign_in_addr(65_536 + 3), Ipv4Addr::new(198, 19, 0, 3));
        assert_eq!(attacker_addr(1 << 20), Ipv4Addr::new(10, 16, 0, 0));
        assert_eq!(attacker_addr((1 << 24) + 5), Ipv4Addr::new(10, 0, 0, 5));
        assert_eq!(many_addr(0), Ipv4Addr::new(100, 64, 0, 0));
        assert_eq!(many_addr((1 << 22) - 1), Ipv4Addr::new(100, 127, 255, 255));
        assert_eq!(many_addr(1 << 22), Ipv4Addr::new(100, 64, 0, 0));
    }

    #[test]
    fn histogram_percentiles_by_bucket() {
        let before = vec![
            (0.001, 10.0),
            (0.01, 20.0),
            (0.1, 20.0),
            (f64::INFINITY, 20.0),
        ];
        let after = vec![
            (0.001, 60.0),
            (0.01, 118.0),
            (0.1, 120.0),
            (f64::INFINITY, 120.0),
        ];
        // 100 requests in between: 50 under 1 ms, 98 under 10 ms, all under 100 ms.
        assert_eq!(bucket_percentile(&before, &after, 50.0), Some(1.0));
        assert_eq!(bucket_percentile(&before, &after, 99.0), Some(100.0));
        assert_eq!(bucket_percentile(&after, &after, 99.0), None);
    }

    #[test]
    fn forms_and_cookies() {
        assert_eq!(
            form(&[("identifier", "a+b@example.com"), ("password", "x y&z")]),
            Bytes::from("identifier=a%2Bb%40example.com&password=x%20y%26z")
        );
        let mut headers = hyper::HeaderMap::new();
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("__client_uat=0; Path=/"),
        );
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("__client=abc123; Path=/; HttpOnly"),
        );
        let res = Response {
            status: hyper::StatusCode::OK,
            headers,
            body: Bytes::new(),
        };
        assert_eq!(client_cookie(&res).as_deref(), Some("abc123"));
    }
}
