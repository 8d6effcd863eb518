//! The remote JWKS: fetched from `{api_url}/v1/jwks` with the secret key (or any JWKS URL),
//! cached, refreshed in the background, and refetched when a token names an unknown `kid`.
//!
//! The rules, each one a fix for a failure seen in the wild:
//! - **Never empty the cache.** Keys are replaced whole by a successful fetch that returned at
//!   least one usable key. A failed or empty fetch keeps every key that verifies today, so an
//!   auth-server outage signs nobody out (and there is no "No JWK available" window while a
//!   refresh is in flight: readers always see a complete key set).
//! - **Single flight.** Concurrent misses for unknown `kid`s wait for one fetch and share its
//!   answer; a miss that arrives while a fetch is running is answered by that fetch.
//! - **Rate limit and backoff.** Fetches triggered by unknown `kid`s are at least
//!   `min_refetch_interval` apart (a request that arrives sooner waits for the next slot
//!   rather than failing, so a key rotation costs no failed request). After a failed fetch the
//!   interval doubles (with jitter) up to `max_backoff`, and misses fail fast meanwhile.
//! - **Remember misses.** A `kid` that a fresh fetch did not contain is remembered for
//!   `miss_ttl`; tokens naming it fail at once without any fetch, so bogus tokens cannot hammer
//!   the key endpoint.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use crate::error::{Reason, VerifyError};
use crate::http_util::{read_limited, user_agent};
use crate::keys::{JwkSet, KeySet, RsaKey};

/// Tuning of the JWKS cache. The defaults suit 60-second session tokens.
#[derive(Clone, Debug)]
pub struct JwksSettings {
    /// How often the background task refetches the JWKS (default 5 minutes).
    pub refresh_interval: Duration,
    /// Least time between two fetches triggered by unknown `kid`s (default 1 s).
    pub min_refetch_interval: Duration,
    /// Upper bound of the backoff after failed fetches (default 30 s).
    pub max_backoff: Duration,
    /// How long a `kid` missing from a fresh JWKS is remembered (default 60 s).
    pub miss_ttl: Duration,
    /// At most this many missed `kid`s are remembered (default 1024).
    pub max_missed: usize,
    /// Timeout of one JWKS request (default 5 s).
    pub timeout: Duration,
    /// Largest JWKS body accepted (default 256 KiB).
    pub max_body_bytes: usize,
}

impl Default for JwksSettings {
    fn default() -> Self {
        Self {
            refresh_interval: Duration::from_secs(300),
            min_refetch_interval: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            miss_ttl: Duration::from_secs(60),
            max_missed: 1024,
            timeout: Duration::from_secs(5),
            max_body_bytes: 256 * 1024,
        }
    }
}

/// A `kid` longer than this is never looked up remotely.
const MAX_KID_LEN: usize = 256;

#[derive(Default)]
struct FetchState {
    last_attempt: Option<Instant>,
    /// Consecutive failed fetches.
    failures: u32,
    /// No kid-triggered fetch before this instant.
    next_allowed: Option<Instant>,
    last_error: Option<VerifyError>,
}

/// Counters, for tests and metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JwksStats {
    /// HTTP fetches attempted.
    pub fetches: u64,
    /// Fetches that failed (network, status, body, or no usable key).
    pub failures: u64,
    /// Keys currently cached.
    pub keys: usize,
}

pub(crate) struct RemoteJwks {
    url: String,
    authorization: Option<String>,
    http: reqwest::Client,
    settings: JwksSettings,
    keys: RwLock<Arc<KeySet>>,
    /// Completed fetch attempts; waiters compare it to know whether a fetch ran meanwhile.
    generation: AtomicU64,
    fetch: tokio::sync::Mutex<FetchState>,
    missed: Mutex<HashMap<String, Instant>>,
    fetches: AtomicU64,
    failures: AtomicU64,
    background: AtomicBool,
}

fn kid_mismatch(kid: &str) -> VerifyError {
    let shown: String = kid.chars().take(64).collect();
    VerifyError::new(
        Reason::JwkKidMismatch,
        format!(
            "Unable to find a signing key in JWKS that matches the kid={shown:?} of the provided session token."
        ),
    )
}

impl RemoteJwks {
    pub fn new(
        url: String,
        secret_key: Option<&str>,
        http: reqwest::Client,
        settings: JwksSettings,
    ) -> Self {
        Self {
            url,
            authorization: secret_key.map(|k| format!("Bearer {k}")),
            http,
            settings,
            keys: RwLock::new(Arc::new(KeySet::default())),
            generation: AtomicU64::new(0),
            fetch: tokio::sync::Mutex::new(FetchState::default()),
            missed: Mutex::new(HashMap::new()),
            fetches: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            background: AtomicBool::new(false),
        }
    }

    pub fn stats(&self) -> JwksStats {
        JwksStats {
            fetches: self.fetches.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
            keys: self.snapshot().len(),
        }
    }

    fn snapshot(&self) -> Arc<KeySet> {
        match self.keys.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The cached key for `kid`, without any I/O.
    pub fn cached(&self, kid: &str) -> Option<Arc<RsaKey>> {
        self.snapshot().get(kid).cloned()
    }

    /// Whether `kid` should fail at once without a fetch: remembered as missing, or absurd.
    pub fn known_missing(&self, kid: &str) -> bool {
        if kid.len() > MAX_KID_LEN || kid.is_empty() {
            return true;
        }
        let Ok(missed) = self.missed.lock() else {
            return false;
        };
        missed
            .get(kid)
            .is_some_and(|at| at.elapsed() < self.settings.miss_ttl)
    }

    fn remember_miss(&self, kid: &str) {
        let Ok(mut missed) = self.missed.lock() else {
            return;
        };
        if missed.len() >= self.settings.max_missed {
            let ttl = self.settings.miss_ttl;
            missed.retain(|_, at| at.elapsed() < ttl);
            if missed.len() >= self.settings.max_missed {
                missed.clear();
            }
        }
        missed.insert(kid.to_owned(), Instant::now());
    }

    /// The key for `kid`, fetching the JWKS (single flight, rate limited) if it is not cached.
    pub async fn key_for(self: &Arc<Self>, kid: &str) -> Result<Arc<RsaKey>, VerifyError> {
        self.ensure_background();
        if let Some(k) = self.cached(kid) {
            return Ok(k);
        }
        if self.known_missing(kid) {
            return Err(kid_mismatch(kid));
        }
        let seen = self.generation.load(Ordering::Acquire);
        let mut st = self.fetch.lock().await;
        if let Some(k) = self.cached(kid) {
            return Ok(k);
        }
        if self.generation.load(Ordering::Acquire) != seen {
            // A fetch completed while this request waited: its answer is this request's too.
            return Err(match &st.last_error {
                Some(e) => e.clone(),
                None => {
                    self.remember_miss(kid);
                    kid_mismatch(kid)
                }
            });
        }
        if let Some(at) = st.next_allowed {
            let now = Instant::now();
            if now < at {
                if st.failures > 0 {
                    // Backing off after failures: answer at once with the last error.
                    return Err(st.last_error.clone().unwrap_or_else(|| {
                        VerifyError::new(Reason::RemoteJwkFailedToLoad, "JWKS unavailable")
                    }));
                }
                // Shortly after a successful fetch: wait for the next slot (holding the lock,
                // so every other miss joins this one fetch).
                tokio::time::sleep(at - now).await;
            }
        }
        self.fetch_locked(&mut st).await;
        if let Some(k) = self.cached(kid) {
            return Ok(k);
        }
        Err(match &st.last_error {
            Some(e) => e.clone(),
            None => {
                self.remember_miss(kid);
                kid_mismatch(kid)
            }
        })
    }

    /// Fetches now (waiting for a fetch in flight, ignoring the rate limit). Returns the number of
    /// keys cached afterwards, or the fetch's error (the previous keys are kept).
    pub async fn refresh(self: &Arc<Self>) -> Result<usize, VerifyError> {
        self.ensure_background();
        let mut st = self.fetch.lock().await;
        self.fetch_locked(&mut st).await;
        match &st.last_error {
            Some(e) => Err(e.clone()),
            None => Ok(self.snapshot().len()),
        }
    }

    async fn fetch_locked(&self, st: &mut FetchState) {
        let started = Instant::now();
        st.last_attempt = Some(started);
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let result = match self.fetch_once().await {
            Ok(set) if !set.is_empty() => Ok(set),
            Ok(_) => Err(VerifyError::new(
                Reason::RemoteJwkFailedToLoad,
                "The JWKS contains no usable RSA signing key.",
            )),
            Err(e) => Err(e),
        };
        match result {
            Ok(set) => {
                if let Ok(mut missed) = self.missed.lock() {
                    missed.retain(|kid, _| set.get(kid).is_none());
                }
                match self.keys.write() {
                    Ok(mut g) => *g = Arc::new(set),
                    Err(poisoned) => *poisoned.into_inner() = Arc::new(set),
                }
                st.failures = 0;
                st.last_error = None;
                st.next_allowed = Some(started + self.settings.min_refetch_interval);
            }
            Err(e) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
                st.failures = st.failures.saturating_add(1);
                st.last_error = Some(e);
                st.next_allowed = Some(Instant::now() + self.backoff(st.failures));
            }
        }
        self.generation.fetch_add(1, Ordering::Release);
    }

    /// `min_refetch_interval × 2^(failures−1)`, capped, plus up to 25 % jitter.
    fn backoff(&self, failures: u32) -> Duration {
        let base = self
            .settings
            .min_refetch_interval
            .max(Duration::from_millis(50));
        let exp = failures.saturating_sub(1).min(16);
        let d = base
            .saturating_mul(1u32 << exp)
            .min(self.settings.max_backoff);
        let mut b = [0u8; 2];
        let jitter = if aws_lc_rs::rand::fill(&mut b).is_ok() {
            u64::from(u16::from_le_bytes(b))
        } else {
            0
        };
        let quarter = u64::try_from(d.as_millis() / 4).unwrap_or(0);
        d + Duration::from_millis(jitter.checked_rem(quarter.max(1)).unwrap_or(0))
    }

    async fn fetch_once(&self) -> Result<KeySet, VerifyError> {
        let mut req = self
            .http
            .get(&self.url)
            .timeout(self.settings.timeout)
            .header(http::header::ACCEPT, "application/json")
            .header(http::header::USER_AGENT, user_agent());
        if let Some(a) = &self.authorization {
            req = req.header(http::header::AUTHORIZATION, a);
        }
        let failed = |m: String| VerifyError::new(Reason::RemoteJwkFailedToLoad, m);
        let resp = req
            .send()
            .await
            .map_err(|e| failed(format!("Error loading the JWKS: {}", e.without_url())))?;
        let status = resp.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(VerifyError::new(
                Reason::SecretKeyInvalid,
                format!("The JWKS endpoint refused the secret key (HTTP {status})."),
            ));
        }
        if !status.is_success() {
            return Err(failed(format!("Error loading the JWKS: HTTP {status}")));
        }
        let body = read_limited(resp, self.settings.max_body_bytes)
            .await
            .map_err(|e| failed(format!("Error loading the JWKS: {e}")))?;
        let doc: JwkSet = serde_json::from_slice(&body)
            .map_err(|_| failed("The JWKS is not valid JSON of the form {\"keys\":[…]}.".into()))?;
        Ok(KeySet::from_jwks(&doc).0)
    }

    /// Starts the background refresh on the current Tokio runtime, once. Without a runtime the
    /// cache still works: keys are fetched on unknown `kid`s.
    fn ensure_background(self: &Arc<Self>) {
        if self.background.load(Ordering::Relaxed) {
            return;
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self.background.swap(true, Ordering::AcqRel) {
            return;
        }
        let weak: Weak<Self> = Arc::downgrade(self);
        let interval = self.settings.refresh_interval;
        handle.spawn(async move {
            let mut wait = interval;
            loop {
                tokio::time::sleep(wait).await;
                let Some(this) = weak.upgrade() else { break };
                let mut st = this.fetch.lock().await;
                let since = st.last_attempt.map_or(interval, |t| t.elapsed());
                let retrying =
                    st.failures > 0 && st.next_allowed.is_none_or(|at| Instant::now() >= at);
                if since + Duration::from_millis(10) >= interval || retrying {
                    this.fetch_locked(&mut st).await;
                }
                wait = if st.failures > 0 {
                    st.next_allowed
                        .map_or(interval, |at| at.saturating_duration_since(Instant::now()))
                        .min(interval)
                        .max(Duration::from_millis(50))
                } else {
                    let since = st.last_attempt.map_or(Duration::ZERO, |t| t.elapsed());
                    interval
                        .saturating_sub(since)
                        .max(Duration::from_millis(50))
                };
            }
        });
    }
}
