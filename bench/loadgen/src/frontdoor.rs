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

/// The flags of a timed run of sign-in attempts against the front door (`storm`, `sign-ins`).
struct TimedRun {
    frontend: SocketAddr,
    /// The Backend API listener, for `/metrics`.
    api: SocketAddr,
    users_path: PathBuf,
    out: PathBuf,
    round: u64,
    connections: usize,
    warmup: f64,
    duration: f64,
    first_address: u64,
    seed: u64,
    origin: HeaderValue,
}

impl TimedRun {
    fn read(flags: &mut Flags) -> Result<Self> {
        Ok(Self {
            frontend: addr_flag(flags, "frontend")?.1,
            api: addr_flag(flags, "api")?.1,
            users_path: PathBuf::from(flags.str("users")?),
            out: PathBuf::from(flags.str("out")?),
            round: flags.get("round", 0)?,
            connections: flags.get("connections", 16)?,
            warmup: flags.get("warmup", 1.0)?,
            duration: flags.get("duration", 5.0)?,
            first_address: flags.get("first-address", 0)?,
            seed: flags.get("seed", 42)?,
            origin: origin_flag(flags)?,
        })
    }
}

pub(crate) fn addr_flag(flags: &mut Flags, name: &str) -> Result<(String, SocketAddr)> {
    let url = flags.str(name)?;
    let addr = http::loopback_addr(&url)?;
    Ok((url, addr))
}

/// A value of the server's `/metrics` (`name value` lines), read on the Backend API.
pub async fn metric(client: &mut Client, name: &str) -> Result<f64> {
    let res = tokio::time::timeout(REQUEST_TIMEOUT, client.get("/metrics"))
        .await
        .context("GET /metrics timed out")??;
    if res.status != 200 {
        bail!("GET /metrics -> {}", res.status);
    }
    let text = String::from_utf8_lossy(&res.body);
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
        .with_context(|| format!("/metrics has no {name}"))
}

/// The server's latency histogram of one route (`usher_http_request_duration_seconds`), as
/// cumulative counts by upper bound in seconds.
pub async fn route_histogram(client: &mut Client, route: &str) -> Result<Vec<(f64, f64)>> {
    let res = tokio::time::timeout(REQUEST_TIMEOUT, client.get("/metrics"))
        .await
        .context("GET /metrics timed out")??;
    if res.status != 200 {
        bail!("GET /metrics -> {}", res.status);
    }
    let text = String::from_utf8_lossy(&res.body);
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

/// The users of the benchmark, by role, and their password.
pub struct Users {
    pub refreshers: Vec<String>,
    pub sign_in_users: Vec<String>,
    pub victims: Vec<String>,
}

impl Users {
    fn from_json(v: &Value) -> Result<Self> {
        let list = |name: &str| -> Result<Vec<String>> {
            v.get(name)
                .and_then(Value::as_array)
                .with_context(|| format!("the users file has no {name}"))?
                .iter()
                .map(|e| e.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .with_context(|| format!("the users file's {name} are not all strings"))
        };
        Ok(Self {
            refreshers: list("refreshers")?,
            sign_in_users: list("sign_in_users")?,
            victims: list("victims")?,
        })
    }
}

/// `fd-users`: creates the refreshers, the sign-in users (both with `bypass_client_trust`) and
/// the attacker's victims through the Backend API, each with an imported Argon2id digest of the
/// server's own parameters, and writes their emails to `--out`.
pub async fn users(mut flags: Flags) -> Result<()> {
    let (_, api) = addr_flag(&mut flags, "api")?;
    let server_pid: u32 = flags.get("server-pid", 0)?;
    let out = PathBuf::from(flags.str("out")?);
    let refreshers: usize = flags.get("refreshers", 100)?;
    let sign_in_users: usize = flags.get("sign-in-users", 200)?;
    let victims: usize = flags.get("victims", 1000)?;
    let concurrency: usize = flags.get("concurrency", 8)?;
    flags.finish()?;
    if !(1..=5000).contains(&refreshers)
        || !(1..=5000).contains(&sign_in_users)
        || !(1..=20_000).contains(&victims)
        || !(1..=64).contains(&concurrency)
    {
        bail!(
            "--refreshers and --sign-in-users must be 1..=5000, --victims 1..=20000, --concurrency 1..=64"
        );
    }
    let secret_key = secret_key()?;
    let mut health = Client::new(api, None)?;
    fixture::wait_healthy(&mut health, server_pid).await?;
    let digest = hashrate::digest_of(PASSWORD)?.0;
    let start = std::time::Instant::now();
    let mut made = serde_json::Map::new();
    for (role, prefix, count, bypass) in [
        ("refreshers", "fd-refresh", refreshers, true),
        ("sign_in_users", "fd-signin", sign_in_users, true),
        // The attacker's targets are ordinary users: Client Trust is theirs to have.
        ("victims", "fd-victim", victims, false),
    ] {
        let digest = digest.clone();
        let emails: Vec<String> = (0..count)
            .map(|i| format!("{prefix}-{i:05}@example.com"))
            .collect();
        let bodies = emails.clone();
        create_many(
            &[api],
            &secret_key,
            count,
            concurrency,
            "a created user",
            move |i| {
                (
                    "/v1/users",
                    json!({
                        "email_address": [bodies[i]],
                        "password_digest": digest,
                        "password_hasher": "argon2id",
                        "bypass_client_trust": bypass,
                    }),
                )
            },
        )
        .await
        .with_context(|| format!("creating the {role}"))?;
        made.insert(role.into(), json!(emails));
    }
    eprintln!(
        "created {refreshers} refreshers, {sign_in_users} sign-in users and {victims} victims in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    write_json(&out, &Value::Object(made))
}

/// `fd-sessions`: signs every refresher in through the Frontend API, each from its own browser
/// and address, checks one of the tokens the Frontend API mints, and writes the browsers'
/// cookies and sessions to `--out`.
pub async fn sessions(mut flags: Flags) -> Result<()> {
    let (_, frontend) = addr_flag(&mut flags, "frontend")?;
    let server_pid: u32 = flags.get("server-pid", 0)?;
    let users_path = PathBuf::from(flags.str("users")?);
    let out = PathBuf::from(flags.str("out")?);
    let concurrency: usize = flags.get("concurrency", 8)?;
    let origin = origin_flag(&mut flags)?;
    flags.finish()?;
    let users = Users::from_json(&read_json(&users_path)?)?;
    let mut health = Client::new(frontend, None)?;
    fixture::wait_healthy(&mut health, server_pid).await?;
    let start = std::time::Instant::now();
    let emails = Arc::new(users.refreshers);
    let count = emails.len();
    let concurrency = concurrency.clamp(1, count.max(1));
    let mut tasks = Vec::new();
    for k in 0..concurrency {
        let emails = emails.clone();
        let origin = origin.clone();
        tasks.push(tokio::spawn(async move {
            let mut client = Client::new(frontend, None)?;
            let mut done = Vec::new();
            for i in (k..count).step_by(concurrency) {
                let address = refresher_addr(i as u64);
                let s = sign_in(&mut client, &origin, address, &emails[i]).await?;
                done.push((i, address, s));
            }
            anyhow::Ok(done)
        }));
    }
    let mut browsers = vec![Value::Null; count];
    let mut first = None;
    for t in tasks {
        for (i, address, s) in t.await.context("a sign-in task failed")?? {
            if i == 0 {
                first = Some((s.cookie.clone(), s.session_id.clone()));
            }
            browsers[i] = json!({
                "email": emails[i],
                "address": address.to_string(),
                "cookie": s.cookie,
                "session_id": s.session_id,
            });
        }
    }
    eprintln!(
        "signed {count} refreshers in through the Frontend API in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    // One refresh, checked like every minted token of the other benchmarks.
    let (cookie, sid) = first.context("no refresher")?;
    let mut client = Client::new(frontend, None)?;
    let mut browser = Browser::new(&origin, refresher_addr(0));
    browser.cookie = Some(cookie);
    let res = browser.post(&mut client, &token_path(&sid), None).await?;
    if res.status != 200 {
        bail!(
            "POST {} -> {} {}",
            token_path(&sid),
            res.status,
            snippet(&res.body)
        );
    }
    let jwt =
        fixture::jwt_of(&res.body).with_context(|| format!("no jwt in {}", snippet(&res.body)))?;
    let check = fixture::verify_token(&mut client, &jwt, &sid).await?;
    eprintln!("token check: {} (kid {})", check.verdict, check.kid);
    write_json(
        &out,
        &json!({ "browsers": browsers, "token_check": check.verdict }),
    )
}

fn token_path(session_id: &str) -> String {
    format!("/v1/client/sessions/{session_id}/tokens")
}

/// CPU and scheduling of the server, this process and the machine over a measured window.
struct Readings {
    server_cpu: f64,
    own_cpu: f64,
    machine_busy: Option<f64>,
    machine_steal: Option<f64>,
    threads: std::collections::BTreeMap<String, procfs::ThreadGroup>,
    at: Instant,
}

impl Readings {
    fn take(server_pid: u32) -> Result<Self> {
        Ok(Self {
            server_cpu: procfs::cpu_seconds(&server_pid.to_string())
                .with_context(|| format!("the server (pid {server_pid}) is gone"))?,
            own_cpu: procfs::cpu_seconds("self")?,
            machine_busy: procfs::machine_busy_seconds().ok(),
            machine_steal: procfs::machine_steal_seconds().ok(),
            threads: procfs::thread_groups(server_pid).unwrap_or_default(),
            at: Instant::now(),
        })
    }

    /// The window's figures as JSON: CPU % of one core, and per kind of server thread its CPU %
    /// and the run-queue wait (runnable, no CPU) per second of window.
    fn window(&self, after: &Self) -> Value {
        let secs = after.at.duration_since(self.at).as_secs_f64().max(1e-9);
        let pct = |v: f64| 100.0 * v / secs;
        let server = after.server_cpu - self.server_cpu;
        let own = after.own_cpu - self.own_cpu;
        let threads: serde_json::Map<String, Value> =
            procfs::thread_groups_delta(&self.threads, &after.threads)
                .into_iter()
                .map(|(kind, g)| {
                    (
                        kind,
                        json!({
                            "threads": g.threads,
                            "cpu_pct": pct(g.cpu_secs),
                            "runqueue_wait_ms_per_sec": 1000.0 * g.wait_secs / secs,
                            "runqueue_wait_ms_per_slice": if g.slices > 0 { 1000.0 * g.wait_secs / g.slices as f64 } else { 0.0 },
                            "slices": g.slices,
                        }),
                    )
                })
                .collect();
        json!({
            "window_secs": secs,
            "server_cpu_pct": pct(server),
            "own_cpu_pct": pct(own),
            "machine_busy_pct": self.machine_busy.zip(after.machine_busy).map(|(a, b)| pct(b - a)),
            "steal_pct": self.machine_steal.zip(after.machine_steal).map(|(a, b)| pct(b - a)),
            "other_cpu_pct": self.machine_busy.zip(after.machine_busy).map(|(a, b)| pct(((b - a) - server - own).max(0.0))),
            "server_threads": threads,
        })
    }
}

fn latency_json(samples: &mut [u32]) -> Value {
    match stats::latency(samples) {
        Some(l) => json!({
            "p50": l.p50_ms, "p90": l.p90_ms, "p99": l.p99_ms, "max": l.max_ms, "mean": l.mean_ms,
            "samples": samples.len(),
        }),
        None => json!(null),
    }
}

#[derive(Default)]
struct RefreshTally {
    ok: u64,
    errors: Errors,
    /// Scheduled send → response read, µs (the open-loop latency: a late send counts).
    from_schedule_us: Vec<u32>,
    /// Actual send → response read, µs.
    service_us: Vec<u32>,
    /// Sends that left more than 5 ms after their scheduled time.
    late_sends: u64,
    /// Scheduled send and response read of every success, in the order of `from_schedule_us`.
    spans: Vec<(Instant, Instant)>,
}

/// `refresh`: every browser of `--sessions` refreshes its session token every `--period-ms`,
/// on its own keep-alive connection, at fixed times whatever the answers (open loop); the
/// browsers' schedules are spread evenly over the period. Latency is measured from the scheduled
/// time, so a slow answer that delays the next send counts against the next one too. Requests
/// scheduled in the measured window count.
///
/// With `--fresh-addresses` every refresh comes from a new address (`X-Forwarded-For`), as
/// browsers arriving from many places do; `--fill N` first sends N cheap writes, each from its
/// own address, so the server's per-address counters hold what such traffic leaves behind
/// (500 new addresses a second, each counted for 20 s, is 10,000). Either way the figure of
/// merit is refreshes per second of the server's CPU.
pub async fn refresh(mut flags: Flags) -> Result<()> {
    let (frontend_url, frontend) = addr_flag(&mut flags, "frontend")?;
    let api = match flags.opt_str("api")? {
        Some(url) => Some(http::loopback_addr(&url)?),
        None => None,
    };
    let server_pid: u32 = flags.get("server-pid", 0)?;
    let sessions_path = PathBuf::from(flags.str("sessions")?);
    let out = PathBuf::from(flags.str("out")?);
    let label = flags.opt_str("label")?.unwrap_or_else(|| "refresh".into());
    let round: u64 = flags.get("round", 0)?;
    let period_ms: u64 = flags.get("period-ms", 500)?;
    let warmup: f64 = flags.get("warmup", 1.0)?;
    let duration: f64 = flags.get("duration", 5.0)?;
    let fresh_addresses = flags.get("fresh-addresses", false)?;
    let first_address: u64 = flags.get("first-address", 0)?;
    let fill: u64 = flags.get("fill", 0)?;
    let origin = origin_flag(&mut flags)?;
    flags.finish()?;
    if fill > 1_000_000 {
        bail!("--fill must be at most 1000000");
    }
    if !(10..=10_000).contains(&period_ms) {
        bail!("--period-ms must be 10..=10000");
    }
    if !(0.0..=30.0).contains(&warmup) || !(0.5..=120.0).contains(&duration) {
        bail!("--warmup must be 0..=30 s and --duration 0.5..=120 s");
    }
    let v = read_json(&sessions_path)?;
    let browsers: Vec<(Browser, String)> = v
        .get("browsers")
        .and_then(Value::as_array)
        .context("the sessions file has no browsers")?
        .iter()
        .map(|b| {
            let address: Ipv4Addr = b.get("address")?.as_str()?.parse().ok()?;
            let mut browser = Browser::new(&origin, address);
            browser.cookie = Some(b.get("cookie")?.as_str()?.to_owned());
            Some((browser, b.get("session_id")?.as_str()?.to_owned()))
        })
        .collect::<Option<_>>()
        .context("a browser of the sessions file lacks its address, cookie or session")?;
    if browsers.is_empty() {
        bail!("no browsers to refresh");
    }
    let n = browsers.len();
    let next_address = Arc::new(AtomicU64::new(first_address));
    if fill > 0 {
        fill_counters(frontend, &origin, &next_address, fill).await?;
    }
    let period = Duration::from_millis(period_ms);
    // Connections are opened before the clock starts.
    let start = Instant::now() + Duration::from_millis(200);
    let measure_from = start + Duration::from_secs_f64(warmup);
    let until = measure_from + Duration::from_secs_f64(duration);
    let mut tasks = Vec::with_capacity(n);
    for (i, (mut browser, sid)) in browsers.into_iter().enumerate() {
        let path = token_path(&sid);
        let offset = period.mul_f64(i as f64 / n as f64);
        let next_address = next_address.clone();
        tasks.push(tokio::spawn(async move {
            let mut client = Client::new(frontend, None)?;
            let mut t = RefreshTally::default();
            let mut k: u32 = 0;
            loop {
                let scheduled = start + offset + period * k;
                k += 1;
                if scheduled >= until {
                    break;
                }
                tokio::time::sleep_until(scheduled).await;
                if fresh_addresses {
                    browser.address = many_addr(next_address.fetch_add(1, Ordering::Relaxed));
                }
                let sent = Instant::now();
                if sent.duration_since(scheduled) > Duration::from_millis(5)
                    && scheduled >= measure_from
                {
                    t.late_sends += 1;
                }
                let result = browser.post(&mut client, &path, None).await;
                let done = Instant::now();
                if scheduled < measure_from {
                    continue;
                }
                match result {
                    Ok(res) if res.status == 200 && fixture::jwt_of(&res.body).is_some() => {
                        t.ok += 1;
                        let us = |d: Duration| u32::try_from(d.as_micros()).unwrap_or(u32::MAX);
                        t.from_schedule_us.push(us(done.duration_since(scheduled)));
                        t.spans.push((scheduled, done));
                        t.service_us.push(us(done.duration_since(sent)));
                    }
                    Ok(res) if res.status == 200 => {
                        t.errors.bad_body += 1;
                        t.errors.note(|| {
                            format!("POST {path} -> 200 without a jwt: {}", snippet(&res.body))
                        });
                    }
                    Ok(res) => {
                        *t.errors.status.entry(res.status.as_u16()).or_default() += 1;
                        t.errors.note(|| {
                            format!("POST {path} -> {} {}", res.status, snippet(&res.body))
                        });
                    }
                    Err(e) => {
                        if format!("{e:#}").contains("no response within") {
                            t.errors.timeout += 1;
                        } else {
                            t.errors.transport += 1;
                        }
                        t.errors.note(|| format!("POST {path}: {e:#}"));
                    }
                }
            }
            anyhow::Ok(t)
        }));
    }
    // The server's own view of the same requests: its latency histogram of the route, read
    // before and after the window (it leaves out the network, the accept queue and the client).
    const ROUTE: &str = "/v1/client/sessions/{session_id}/tokens";
    let mut metrics = api.map(|a| Client::new(a, None)).transpose()?;
    let watch = steal::Watch::start();
    tokio::time::sleep_until(measure_from).await;
    let hist0 = match &mut metrics {
        Some(m) => route_histogram(m, ROUTE).await.ok(),
        None => None,
    };
    let before = Readings::take(server_pid)?;
    tokio::time::sleep_until(until).await;
    let after = Readings::take(server_pid)?;
    // Requests scheduled in the window finish within a few ms of its end, save the slowest.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let hist1 = match &mut metrics {
        Some(m) => route_histogram(m, ROUTE).await.ok(),
        None => None,
    };
    // How many per-address counters the server held as the window ended.
    let rate_limit_counters = match &mut metrics {
        Some(m) => metric(m, "usher_rate_limit_local_counters").await.ok(),
        None => None,
    };
    let server_side = hist0.zip(hist1).map(|(a, b)| {
        json!({
            "p50_ms_at_most": bucket_percentile(&a, &b, 50.0),
            "p99_ms_at_most": bucket_percentile(&a, &b, 99.0),
            "note": "bucket bounds of usher_http_request_duration_seconds over the window (plus 100 ms)",
        })
    });
    let mut all = RefreshTally::default();
    for task in tasks {
        let t = task.await.context("a refresh task failed")??;
        all.ok += t.ok;
        all.errors.merge(&t.errors);
        all.from_schedule_us.extend(t.from_schedule_us);
        all.service_us.extend(t.service_us);
        all.late_sends += t.late_sends;
        all.spans.extend(t.spans);
    }
    // The same latencies without the requests a hypervisor stall overlapped.
    let stalls = watch.map(steal::Watch::finish);
    let steal_json = stalls.as_ref().map(|spans| {
        let (from, to) = (measure_from.into_std(), until.into_std());
        let mut kept: Vec<u32> = all
            .from_schedule_us
            .iter()
            .zip(&all.spans)
            .filter(|(_, (s, d))| !steal::overlaps(spans, s.into_std(), d.into_std()))
            .map(|(us, _)| *us)
            .collect();
        let excluded = all.from_schedule_us.len() - kept.len();
        json!({
            "stalls": spans.iter().filter(|s| s.to >= from && s.from <= to).count(),
            "stalled_ms": steal::covered(spans, from, to).as_secs_f64() * 1000.0,
            "excluded": excluded,
            "latency_ms": latency_json(&mut kept),
        })
    });
    let latency = latency_json(&mut all.from_schedule_us);
    let service = latency_json(&mut all.service_us);
    // Sorted by latency_json; kept so rounds can be pooled.
    let samples = std::mem::take(&mut all.from_schedule_us);
    let scheduled_per_sec = n as f64 * 1000.0 / period_ms as f64;
    let server_cpu_secs = after.server_cpu - before.server_cpu;
    let per_cpu_sec = (server_cpu_secs > 0.0).then(|| all.ok as f64 / server_cpu_secs);
    let json = json!({
        "kind": "refresh",
        "label": label,
        "round": round,
        "frontend": frontend_url,
        "endpoint": "POST /v1/client/sessions/{sid}/tokens",
        "config": { "browsers": n, "period_ms": period_ms, "warmup_secs": warmup, "duration_secs": duration,
                    "scheduled_per_sec": scheduled_per_sec, "fresh_addresses": fresh_addresses,
                    "fill": fill },
        "addresses_used": next_address.load(Ordering::Relaxed) - first_address,
        "server_cpu_secs": server_cpu_secs,
        "refreshes_per_server_cpu_sec": per_cpu_sec,
        "server_rate_limit_counters": rate_limit_counters,
        "ok": all.ok,
        "errors": all.errors.to_json(),
        "late_sends": all.late_sends,
        "latency_ms": latency,
        "service_latency_ms": service,
        "server_side_latency": server_side,
        "without_steal": steal_json,
        "usage": before.window(&after),
        "latencies_us": samples,
    });
    write_json(&out, &json)?;
    println!(
        "{label} round {round}: {} refreshes ({:.0}/s scheduled, {} per server CPU-second), p50 {} ms, p99 {} ms, errors {}",
        all.ok,
        scheduled_per_sec,
        per_cpu_sec.map_or_else(|| "-".into(), |v| format!("{v:.0}")),
        fmt_ms(json.pointer("/latency_ms/p50")),
        fmt_ms(json.pointer("/latency_ms/p99")),
        all.errors.summary()
    );
    Ok(())
}

/// Sends `count` writes as fast as the server takes them, each from the next fresh address:
/// a token refresh of an unknown session without a cookie, which the server counts against
/// the address and then refuses without signing anything.
async fn fill_counters(
    frontend: SocketAddr,
    origin: &HeaderValue,
    next_address: &Arc<AtomicU64>,
    count: u64,
) -> Result<()> {
    let start = std::time::Instant::now();
    let end = next_address.load(Ordering::Relaxed) + count;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let next_address = next_address.clone();
        let origin = origin.clone();
        tasks.push(tokio::spawn(async move {
            let mut client = Client::new(frontend, None)?;
            let path = token_path("sess_fill");
            loop {
                let n = next_address.fetch_add(1, Ordering::Relaxed);
                if n >= end {
                    break;
                }
                let mut browser = Browser::new(&origin, many_addr(n));
                let res = browser.post(&mut client, &path, None).await?;
                if res.status.is_server_error() || res.status == 429 {
                    bail!("filling the counters: POST {path} -> {}", res.status);
                }
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await.context("a fill task failed")??;
    }
    // The tasks each overshoot by one.
    next_address.store(end, Ordering::Relaxed);
    eprintln!(
        "filled the server's rate-limit table with {count} addresses in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn fmt_ms(v: Option<&Value>) -> String {
    v.and_then(Value::as_f64)
        .map_or_else(|| "-".into(), |v| format!("{v:.2}"))
}

/// What the attacker's attempts came to.
#[derive(Default, Clone)]
struct AttackTally {
    /// Attempts started (a sign-in created or refused, then the wrong password).
    attempts: u64,
    /// HTTP requests sent.
    requests: u64,
    /// `422 form_password_incorrect`: the password was hashed and found wrong.
    hashed: u64,
    /// `429` on creating the sign-in (the per-address write limit) …
    throttled_create: u64,
    /// … or on the password (the failed-attempt limits, before any hash).
    throttled_attempt: u64,
    /// `403 user_locked`: the account is locked after too many failures (no hash either).
    locked: u64,
    other: Errors,
}

impl AttackTally {
    fn merge(&mut self, o: &Self) {
        self.attempts += o.attempts;
        self.requests += o.requests;
        self.hashed += o.hashed;
        self.throttled_create += o.throttled_create;
        self.throttled_attempt += o.throttled_attempt;
        self.locked += o.locked;
        self.other.merge(&o.other);
    }
}

fn refused(t: &mut AttackTally, status: u16, body: &str, what: &str) {
    *t.other.status.entry(status).or_default() += 1;
    t.other.note(|| format!("{what} -> {status} {body}"));
}

/// `storm`: the attacker. `--connections` keep-alive connections, each as fast as the server
/// answers, all sending from one spoofed address (`X-Forwarded-For`) until together they have
/// made `--per-address` attempts from it, then from a fresh one. An attempt creates a sign-in
/// for a random victim and sends a wrong password, with the client cookie the server gave that
/// connection for that address. Once an address has failed 30 times the server refuses it
/// before hashing (and past 100 writes in 10 s, before reading anything), so with the default
/// 200 attempts per address most attempts end in `429` while each fresh address keeps the
/// hashers busy. Counts outcomes completing in the measured window, and reads the server's hash
/// counter and hash queue (`/metrics` on `--api`) through it.
pub async fn storm(mut flags: Flags) -> Result<()> {
    let TimedRun {
        frontend,
        api,
        users_path,
        out,
        round,
        connections,
        warmup,
        duration,
        first_address,
        seed,
        origin,
    } = TimedRun::read(&mut flags)?;
    let per_address: u64 = flags.get("per-address", 200)?;
    let tail: f64 = flags.get("tail", 0.5)?;
    flags.finish()?;
    if !(1..=512).contains(&connections) || !(1..=100_000).contains(&per_address) {
        bail!("--connections must be 1..=512 and --per-address 1..=100000");
    }
    if !(0.0..=30.0).contains(&warmup)
        || !(0.5..=120.0).contains(&duration)
        || !(0.0..=10.0).contains(&tail)
    {
        bail!("--warmup must be 0..=30 s, --duration 0.5..=120 s and --tail 0..=10 s");
    }
    let victims = Arc::new(Users::from_json(&read_json(&users_path)?)?.victims);
    if victims.is_empty() {
        bail!("no victims to attack");
    }
    let start = Instant::now() + Duration::from_millis(200);
    let measure_from = start + Duration::from_secs_f64(warmup);
    let until = measure_from + Duration::from_secs_f64(duration);
    let stop = until + Duration::from_secs_f64(tail);
    // Attempt `n` of the storm (counted over all connections) comes from address
    // `first_address + n / per_address`: every connection uses the current address until it
    // has sent its share, then all move on to a fresh one.
    let next_attempt = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::with_capacity(connections);
    for c in 0..connections {
        let victims = victims.clone();
        let next_attempt = next_attempt.clone();
        let origin = origin.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = task_rng(seed, c);
            let mut client = Client::new(frontend, None)?;
            let mut t = AttackTally::default();
            // The client cookie the server gave this connection for the current address.
            let mut browser = Browser::new(&origin, attacker_addr(first_address));
            let mut wrong = 0u64;
            tokio::time::sleep_until(start).await;
            while Instant::now() < stop {
                let n = next_attempt.fetch_add(1, Ordering::Relaxed);
                let address = attacker_addr(first_address + n / per_address);
                if address != browser.address {
                    browser = Browser::new(&origin, address);
                }
                let victim = &victims[rng.random_range(0..victims.len())];
                let mut attempt = AttackTally {
                    attempts: 1,
                    requests: 1,
                    ..AttackTally::default()
                };
                match create_sign_in(&mut client, &mut browser, victim).await {
                    Ok(Step::Ok(id)) => {
                        wrong += 1;
                        attempt.requests += 1;
                        let password = format!("wrong-{seed}-{c}-{wrong}");
                        match attempt_password(&mut client, &mut browser, &id, &password).await {
                            Ok(Step::Refused(422, body))
                                if body.contains("form_password_incorrect") =>
                            {
                                attempt.hashed += 1
                            }
                            Ok(Step::Refused(429, _)) => attempt.throttled_attempt += 1,
                            Ok(Step::Refused(403, body)) if body.contains("user_locked") => {
                                attempt.locked += 1
                            }
                            Ok(Step::Refused(status, body)) => {
                                refused(&mut attempt, status, &body, "attempt")
                            }
                            Ok(Step::Ok(_) | Step::BadBody(_)) => {
                                attempt.other.bad_body += 1;
                                attempt
                                    .other
                                    .note(|| "a wrong password was not refused".into());
                            }
                            Err(e) => {
                                attempt.other.transport += 1;
                                attempt.other.note(|| format!("attempt: {e:#}"));
                            }
                        }
                    }
                    Ok(Step::Refused(429, _)) => attempt.throttled_create += 1,
                    Ok(Step::Refused(status, body)) => {
                        refused(&mut attempt, status, &body, "create sign-in")
                    }
                    Ok(Step::BadBody(what)) => {
                        attempt.other.bad_body += 1;
                        attempt.other.note(|| what);
                    }
                    Err(e) => {
                        attempt.other.transport += 1;
                        attempt.other.note(|| format!("create sign-in: {e:#}"));
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
                let done = Instant::now();
                if done >= measure_from && done < until {
                    t.merge(&attempt);
                }
            }
            anyhow::Ok(t)
        }));
    }

    // The server's hash counter at both ends of the window, and its queue every 250 ms.
    let mut metrics = Client::new(api, None)?;
    tokio::time::sleep_until(measure_from).await;
    let own0 = procfs::cpu_seconds("self")?;
    let jobs0 = metric(&mut metrics, HASH_JOBS).await?;
    let window_start = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let (mut samples, mut busy_samples, mut depth_sum) = (0u64, 0u64, 0.0);
    while Instant::now() + Duration::from_millis(250) < until {
        tick.tick().await;
        if let Ok(depth) = metric(&mut metrics, HASH_QUEUE).await {
            samples += 1;
            depth_sum += depth;
            if depth >= 1.0 {
                busy_samples += 1;
            }
        }
    }
    tokio::time::sleep_until(until).await;
    let jobs1 = metric(&mut metrics, HASH_JOBS).await?;
    let own1 = procfs::cpu_seconds("self")?;
    let window = window_start.elapsed().as_secs_f64();
    let mut all = AttackTally::default();
    for task in tasks {
        all.merge(&task.await.context("an attacker task failed")??);
    }
    let addresses_used = next_attempt.load(Ordering::Relaxed).div_ceil(per_address);
    let throttled = all.throttled_create + all.throttled_attempt;
    let json = json!({
        "kind": "storm",
        "round": round,
        "config": { "connections": connections, "per_address": per_address, "victims": victims.len(),
                    "warmup_secs": warmup, "duration_secs": duration, "first_address": first_address, "seed": seed },
        "attempts": all.attempts,
        "attempts_per_sec": all.attempts as f64 / duration,
        "requests": all.requests,
        "requests_per_sec": all.requests as f64 / duration,
        "hashed": all.hashed,
        "throttled": throttled,
        "throttled_create": all.throttled_create,
        "throttled_attempt": all.throttled_attempt,
        "locked": all.locked,
        "other": all.other.to_json(),
        "addresses_used": addresses_used,
        "server": {
            "hash_jobs": jobs1 - jobs0,
            "hashes_per_sec": (jobs1 - jobs0) / window,
            "queue_samples": samples,
            "queue_nonempty_pct": if samples > 0 { 100.0 * busy_samples as f64 / samples as f64 } else { 0.0 },
            "queue_mean_depth": if samples > 0 { depth_sum / samples as f64 } else { 0.0 },
        },
        "own_cpu_pct": 100.0 * (own1 - own0) / window,
    });
    write_json(&out, &json)?;
    println!(
        "storm round {round}: {:.0} attempts/s ({:.0} requests/s) from {addresses_used} addresses: {} hashed, {} throttled (429), {} locked, {} other; server hashed {:.1}/s",
        all.attempts as f64 / duration,
        all.requests as f64 / duration,
        all.hashed,
        throttled,
        all.locked,
        all.other.total(),
        (jobs1 - jobs0) / window
    );
    Ok(())
}

/// `sign-in`: password sign-ins through the Frontend API as fast as they complete, closed loop
/// over `--connections` keep-alive connections. Each is a new browser at a new address: create
/// the sign-in for a random user (no cookie yet), then the right password with the cookie the
/// server set; only `complete` with a session counts. Also reads the server's hash counter, so
/// hashes per sign-in can be checked.
pub async fn sign_ins(mut flags: Flags) -> Result<()> {
    let TimedRun {
        frontend,
        api,
        users_path,
        out,
        round,
        connections,
        warmup,
        duration,
        first_address,
        seed,
        origin,
    } = TimedRun::read(&mut flags)?;
    let server_pid: u32 = flags.get("server-pid", 0)?;
    flags.finish()?;
    if !(1..=512).contains(&connections) {
        bail!("--connections must be 1..=512");
    }
    if !(0.0..=30.0).contains(&warmup) || !(0.5..=120.0).contains(&duration) {
        bail!("--warmup must be 0..=30 s and --duration 0.5..=120 s");
    }
    let users = Arc::new(Users::from_json(&read_json(&users_path)?)?.sign_in_users);
    if users.is_empty() {
        bail!("no sign-in users");
    }
    let start = Instant::now() + Duration::from_millis(200);
    let measure_from = start + Duration::from_secs_f64(warmup);
    let until = measure_from + Duration::from_secs_f64(duration);
    let next_address = Arc::new(AtomicU64::new(first_address));
    let mut tasks = Vec::with_capacity(connections);
    for c in 0..connections {
        let users = users.clone();
        let next_address = next_address.clone();
        let origin = origin.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = task_rng(seed, c);
            let mut client = Client::new(frontend, None)?;
            let (mut ok, mut errors, mut lat) = (0u64, Errors::default(), Vec::<u32>::new());
            tokio::time::sleep_until(start).await;
            while Instant::now() < until {
                let email = &users[rng.random_range(0..users.len())];
                let mut browser = Browser::new(
                    &origin,
                    sign_in_addr(next_address.fetch_add(1, Ordering::Relaxed)),
                );
                let sent = Instant::now();
                let outcome: Result<Step> = async {
                    match create_sign_in(&mut client, &mut browser, email).await? {
                        Step::Ok(id) => {
                            attempt_password(&mut client, &mut browser, &id, PASSWORD).await
                        }
                        other => Ok(other),
                    }
                }
                .await;
                let done = Instant::now();
                if done < measure_from || done >= until {
                    continue;
                }
                match outcome {
                    Ok(Step::Ok(_)) if browser.cookie.is_some() => {
                        ok += 1;
                        lat.push(
                            u32::try_from(done.duration_since(sent).as_micros())
                                .unwrap_or(u32::MAX),
                        );
                    }
                    Ok(Step::Ok(_)) => {
                        errors.bad_body += 1;
                        errors.note(|| "sign-in completed without a __client cookie".into());
                    }
                    Ok(Step::Refused(status, body)) => {
                        *errors.status.entry(status).or_default() += 1;
                        errors.note(|| format!("sign-in of {email} -> {status} {body}"));
                    }
                    Ok(Step::BadBody(what)) => {
                        errors.bad_body += 1;
                        errors.note(|| what);
                    }
                    Err(e) => {
                        errors.transport += 1;
                        errors.note(|| format!("sign-in of {email}: {e:#}"));
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            anyhow::Ok((ok, errors, lat))
        }));
    }
    let mut metrics = Client::new(api, None)?;
    tokio::time::sleep_until(measure_from).await;
    let jobs0 = metric(&mut metrics, HASH_JOBS).await?;
    let before = Readings::take(server_pid)?;
    tokio::time::sleep_until(until).await;
    let after = Readings::take(server_pid)?;
    let jobs1 = metric(&mut metrics, HASH_JOBS).await?;
    let (mut ok, mut errors, mut lat) = (0u64, Errors::default(), Vec::new());
    for task in tasks {
        let (o, e, l) = task.await.context("a sign-in task failed")??;
        ok += o;
        errors.merge(&e);
        lat.extend(l);
    }
    let rate = ok as f64 / duration;
    let json = json!({
        "kind": "sign-in",
        "round": round,
        "endpoint": "POST /v1/client/sign_ins + POST /v1/client/sign_ins/{id}/attempt_first_factor",
        "config": { "connections": connections, "users": users.len(), "warmup_secs": warmup,
                    "duration_secs": duration, "seed": seed },
        "ok": ok,
        "sign_ins_per_sec": rate,
        "errors": errors.to_json(),
        "latency_ms": latency_json(&mut lat),
        "latencies_us": lat,
        "server_hash_jobs": jobs1 - jobs0,
        "hashes_per_sign_in": if ok > 0 { (jobs1 - jobs0) / ok as f64 } else { 0.0 },
        "usage": before.window(&after),
    });
    write_json(&out, &json)?;
    println!(
        "sign-in round {round}: {rate:.1} sign-ins/s over {connections} connections, {:.2} hashes per sign-in, p50 {} ms, p99 {} ms, errors {}",
        json["hashes_per_sign_in"].as_f64().unwrap_or(0.0),
        fmt_ms(json.pointer("/latency_ms/p50")),
        fmt_ms(json.pointer("/latency_ms/p99")),
        errors.summary()
    );
    Ok(())
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
