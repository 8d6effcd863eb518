//! Counters in Redis: `INCR` plus `PEXPIRE … NX`, in one atomic round trip. The connection is
//! made on first use and remade after failures (at most every few seconds), so a node starts and
//! serves while Redis is down, and shares counts again once it is back.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use tokio::sync::Mutex;
use usher_core::clock::Millis;
use usher_core::ratelimit::{Counters, CountersUnavailable};

/// A slow Redis must not slow every request: past this, the node counts for itself.
const TIMEOUT: Duration = Duration::from_millis(100);
const RECONNECT_EVERY: Duration = Duration::from_secs(2);

pub struct RedisCounters {
    client: redis::Client,
    /// `host:port` from the URL (never its credentials), for the diagnostics.
    target: String,
    conn: Mutex<(Option<ConnectionManager>, Option<Instant>)>,
}

impl RedisCounters {
    pub fn new(url: &str) -> anyhow::Result<Self> {
        let target = url::Url::parse(url)
            .ok()
            .map(|u| {
                format!(
                    "{}:{}",
                    u.host_str().unwrap_or("localhost"),
                    u.port().unwrap_or(6379)
                )
            })
            .unwrap_or_else(|| "redis".to_owned());
        Ok(Self {
            client: redis::Client::open(url)?,
            target,
            conn: Mutex::new((None, None)),
        })
    }

    /// Where Redis is (`host:port`).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// A fresh connection and `PING` (the diagnostics' reachability check, apart from the
    /// counters' own connection): the time it took, or why it failed.
    pub async fn ping(&self, timeout: Duration) -> Result<Duration, String> {
        let start = Instant::now();
        let attempt = async {
            let mut conn = self
                .client
                .get_multiplexed_async_connection()
                .await
                .map_err(|e| e.to_string())?;
            redis::cmd("PING")
                .query_async::<String>(&mut conn)
                .await
                .map_err(|e| e.to_string())
        };
        match tokio::time::timeout(timeout, attempt).await {
            Ok(Ok(_)) => Ok(start.elapsed()),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(format!("no answer within {} ms", timeout.as_millis())),
        }
    }

    async fn connection(&self) -> Result<ConnectionManager, CountersUnavailable> {
        let mut guard = self.conn.lock().await;
        if let Some(conn) = &guard.0 {
            return Ok(conn.clone());
        }
        if guard.1.is_some_and(|last| last.elapsed() < RECONNECT_EVERY) {
            return Err(CountersUnavailable(
                "Redis is unreachable; retrying shortly".into(),
            ));
        }
        guard.1 = Some(Instant::now());
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(1);
        match tokio::time::timeout(
            Duration::from_secs(2),
            ConnectionManager::new_with_config(self.client.clone(), config),
        )
        .await
        {
            Ok(Ok(conn)) => {
                guard.0 = Some(conn.clone());
                Ok(conn)
            }
            Ok(Err(e)) => Err(CountersUnavailable(e.to_string())),
            Err(_) => Err(CountersUnavailable("connecting to Redis timed out".into())),
        }
    }
}

#[async_trait]
impl Counters for RedisCounters {
    async fn incr(&self, key: &str, ttl_ms: Millis) -> Result<u64, CountersUnavailable> {
        let mut conn = self.connection().await?;
        let mut pipe = redis::pipe();
        pipe.atomic()
            .incr(key, 1u64)
            .cmd("PEXPIRE")
            .arg(key)
            .arg(ttl_ms)
            .arg("NX")
            .ignore();
        match tokio::time::timeout(TIMEOUT, pipe.query_async::<(u64,)>(&mut conn)).await {
            Ok(Ok((n,))) => Ok(n),
            Ok(Err(e)) => Err(CountersUnavailable(e.to_string())),
            Err(_) => Err(CountersUnavailable("Redis did not answer in time".into())),
        }
    }

    async fn get(&self, key: &str) -> Result<u64, CountersUnavailable> {
        let mut conn = self.connection().await?;
        let mut cmd = redis::cmd("GET");
        cmd.arg(key);
        match tokio::time::timeout(TIMEOUT, cmd.query_async::<Option<u64>>(&mut conn)).await {
            Ok(Ok(n)) => Ok(n.unwrap_or(0)),
            Ok(Err(e)) => Err(CountersUnavailable(e.to_string())),
            Err(_) => Err(CountersUnavailable("Redis did not answer in time".into())),
        }
    }
}
