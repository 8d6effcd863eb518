//! What `GET /v1/usher/diagnostics` measures: this server's recent route latencies, database
//! round trips and health, the hashing pool, the webhook queue, SMTP and Redis reachability,
//! the clock against the database's, and the keys. `core::diagnostics::judge` judges it.

use std::time::{Duration, Instant};

use usher_core::CoreResult;
use usher_core::diagnostics::{
    ClockSkew, DatabaseCheck, KeysCheck, Measurements, Reachability, RoundTrips, SecretKeyExpiry,
    SigningKeyAge, WebhookQueue,
};

use crate::state::AppState;

/// `SELECT 1` round trips per diagnosis.
pub const PINGS: usize = 5;
/// How long SMTP and Redis get to accept a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

pub async fn measure(state: &AppState) -> CoreResult<Measurements> {
    let ins = &state.instance.id;
    let mut pings = Vec::with_capacity(PINGS);
    for _ in 0..PINGS {
        let start = Instant::now();
        state.store.ping().await?;
        pings.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let before = state.now();
    let report = state.store.database_report().await?;
    let after = state.now();
    // The database read its clock somewhere in the round trip: its middle is the fairest guess.
    let server_ms = before + (after - before) / 2;
    let clock = ClockSkew {
        server_ms,
        database_ms: report.now,
        skew_ms: server_ms - report.now,
    };
    let now = state.now();
    let stats = state.store.webhook_stats(ins, now - 24 * 3_600_000).await?;
    let webhooks = WebhookQueue {
        endpoints: stats.len() as u64,
        queue_depth: stats.iter().map(|s| s.queue_depth).sum(),
        oldest_undelivered_age_secs: stats
            .iter()
            .filter_map(|s| s.oldest_pending_at)
            .min()
            .map_or(0.0, |t| (now - t).max(0) as f64 / 1000.0),
    };
    let smtp = match state.mail.smtp_target() {
        None => Reachability::not_configured(),
        Some(t) => tcp_reachability(&t.host, t.port).await,
    };
    let redis = match state.counters.redis() {
        None => Reachability::not_configured(),
        Some(r) => {
            let result = r.ping(CONNECT_TIMEOUT).await;
            reachability(r.target().to_owned(), result)
        }
    };
    let signing_key = state
        .store
        .signing_keys(ins)
        .await?
        .into_iter()
        .find(|k| k.active)
        .map(|k| SigningKeyAge {
            kid: k.kid,
            created_at: k.created_at,
        });
    let secret_keys = state
        .secret_keys()
        .iter()
        .filter(|k| k.expires_at.is_none_or(|at| at > now))
        .map(|k| SecretKeyExpiry {
            name: k.name.clone(),
            expires_at: k.expires_at,
        })
        .collect();
    Ok(Measurements {
        measured_at: now,
        routes: state.metrics.recent.snapshot(),
        database: DatabaseCheck {
            round_trip_ms: RoundTrips::from_samples(&pings),
            health: report.health,
        },
        hasher: state.metrics.hasher_figures(),
        webhooks,
        smtp,
        redis,
        clock,
        keys: KeysCheck {
            signing_key,
            secret_keys,
        },
    })
}

fn reachability(target: String, result: Result<Duration, String>) -> Reachability {
    match result {
        Ok(took) => Reachability {
            configured: true,
            target: Some(target),
            reachable: Some(true),
            connect_ms: Some(took.as_secs_f64() * 1000.0),
            error: None,
        },
        Err(e) => Reachability {
            configured: true,
            target: Some(target),
            reachable: Some(false),
            connect_ms: None,
            error: Some(e),
        },
    }
}

/// A TCP connection to `host:port` within [`CONNECT_TIMEOUT`] (closed at once).
async fn tcp_reachability(host: &str, port: u16) -> Reachability {
    let target = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let start = Instant::now();
    let result = match tokio::time::timeout(
        CONNECT_TIMEOUT,
        tokio::net::TcpStream::connect((host, port)),
    )
    .await
    {
        Ok(Ok(_stream)) => Ok(start.elapsed()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "no answer within {} ms",
            CONNECT_TIMEOUT.as_millis()
        )),
    };
    reachability(target, result)
}
