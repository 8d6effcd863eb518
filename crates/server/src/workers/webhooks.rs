//! The webhook delivery worker.
//!
//! Every event is queued for the endpoints that accept it in the transaction that commits it
//! (see the store), so nothing committed can be lost. The worker leases one endpoint at a time
//! (several at once, up to `concurrency`), sends that endpoint's pending deliveries one by one in
//! commit order, signed the Svix way, and records each attempt in its own short transaction,
//! which also extends the lease. No transaction is open during a request. After a failure the
//! endpoint waits for the retry schedule's next slot (the deliveries behind it wait too, so each
//! endpoint receives events in commit order); a delivery that exhausts the schedule is marked
//! failed and the queue moves on; an endpoint failing for five days is disabled.
//!
//! A crash (even `kill -9`) loses nothing: a delivery is pending until its success is recorded,
//! so what was in flight is sent again when the lease expires or the node restarts (it frees its
//! earlier leases at start). Receivers deduplicate on `svix-id`.

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::sync::watch;
use tokio::task::JoinSet;
use usher_core::ids::{new_id, prefix};
use usher_core::webhooks::signing::signature_header;
use usher_core::webhooks::{
    Attempt, AttemptRecord, ClaimedEndpoint, DeliveryStatus, PendingDelivery, WebhookEndpoint,
    decide,
};

use crate::outbound::webhook_http::{self, Sent};
use crate::state::AppState;
use crate::wire::events::envelope;

/// Deliveries read from the queue at a time.
const BATCH: i64 = 64;
/// Deliveries one lease may make before the endpoint goes back to the pool, so that one busy
/// endpoint does not keep a worker slot from the others.
const BUDGET: usize = 1000;

/// Runs until `stop`: claims endpoints with due deliveries, up to `concurrency` at once.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let rt = state.webhooks.clone();
    match state
        .store
        .release_webhook_leases(&state.instance.id, &rt.0.node, &rt.0.worker)
        .await
    {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            released = n,
            node = %rt.0.node,
            "resuming webhook deliveries leased before a restart"
        ),
        Err(e) => {
            tracing::warn!(error = %usher_core::error::report(&e), "could not release earlier webhook leases")
        }
    }
    let concurrency = rt.0.cfg.concurrency.max(1);
    let mut running: JoinSet<()> = JoinSet::new();
    loop {
        while running.len() < concurrency {
            match claim(&state).await {
                Ok(Some(claimed)) => {
                    let state = state.clone();
                    running.spawn(async move {
                        if let Err(e) = deliver_endpoint(&state, claimed).await {
                            tracing::warn!(error = %format!("{e:#}"), "webhook delivery stopped");
                        }
                    });
                }
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "could not claim webhook work");
                    break;
                }
            }
        }
        tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            Some(_) = running.join_next(), if !running.is_empty() => {}
            _ = rt.0.wake.notified() => {}
            _ = tokio::time::sleep(rt.0.cfg.poll_interval) => {}
        }
    }
    // In-flight requests are abandoned: their deliveries are still pending and go out again.
    running.abort_all();
}

/// The test hook: delivers everything due now, synchronously, and returns how many attempts
/// were made. Deliveries waiting for a retry are not due until the clock reaches them.
pub async fn drain(state: &AppState) -> anyhow::Result<usize> {
    let mut attempts = 0;
    while let Some(claimed) = claim(state).await? {
        attempts += deliver_endpoint(state, claimed).await?;
    }
    Ok(attempts)
}

async fn claim(state: &AppState) -> anyhow::Result<Option<ClaimedEndpoint>> {
    let rt = &state.webhooks;
    let now = state.now();
    Ok(state
        .store
        .claim_webhook_endpoint(
            &state.instance.id,
            &rt.0.worker,
            &rt.0.node,
            now,
            now + rt.lease_ms(),
        )
        .await?)
}

/// Sends an endpoint's pending deliveries in order until its queue is empty, a failure makes it
/// wait, its budget is spent or its lease is lost; then gives the lease back.
async fn deliver_endpoint(state: &AppState, claimed: ClaimedEndpoint) -> anyhow::Result<usize> {
    let endpoint = claimed.endpoint.clone();
    let outcome = deliver_queue(state, claimed).await;
    let released = state
        .store
        .release_webhook_endpoint(&state.instance.id, &endpoint.id, state.webhooks.worker_id())
        .await;
    let attempts = outcome?;
    released?;
    Ok(attempts)
}

enum Next {
    Continue,
    Stop,
}

async fn deliver_queue(state: &AppState, claimed: ClaimedEndpoint) -> anyhow::Result<usize> {
    let ep = claimed.endpoint;
    let mut failing_since = claimed.failing_since;
    let mut attempts = 0usize;
    let mut last_send: Option<Instant> = None;
    loop {
        let batch = state
            .store
            .pending_webhook_deliveries(&state.instance.id, &ep.id, BATCH)
            .await?;
        if batch.is_empty() {
            return Ok(attempts);
        }
        for pending in batch {
            if let Some(rate) = ep.rate_limit {
                pace(&mut last_send, rate).await;
            }
            let next = attempt(state, &ep, &pending, &mut failing_since).await?;
            attempts += 1;
            if matches!(next, Next::Stop) {
                return Ok(attempts);
            }
            if attempts >= BUDGET {
                state.webhooks.wake();
                return Ok(attempts);
            }
        }
    }
}

/// Waits so that the endpoint gets at most `rate` deliveries per second.
async fn pace(last: &mut Option<Instant>, rate: u32) {
    let gap = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
    if let Some(prev) = *last {
        tokio::time::sleep_until((prev + gap).into()).await;
    }
    *last = Some(Instant::now());
}

/// The headers Svix sends: `svix-id`, `svix-timestamp`, `svix-signature` (one `v1,` signature
/// per secret still signing, space separated).
pub fn svix_headers(
    endpoint: &WebhookEndpoint,
    msg_id: &str,
    now_ms: i64,
    body: &[u8],
) -> anyhow::Result<HeaderMap> {
    let ts = now_ms.div_euclid(1000);
    let sig = signature_header(endpoint.signing_secrets(now_ms), msg_id, ts, body);
    let mut h = HeaderMap::new();
    h.insert(
        HeaderName::from_static("svix-id"),
        HeaderValue::from_str(msg_id)?,
    );
    h.insert(
        HeaderName::from_static("svix-timestamp"),
        HeaderValue::from_str(&ts.to_string())?,
    );
    h.insert(
        HeaderName::from_static("svix-signature"),
        HeaderValue::from_str(&sig)?,
    );
    Ok(h)
}

async fn attempt(
    state: &AppState,
    ep: &WebhookEndpoint,
    pending: &PendingDelivery,
    failing_since: &mut Option<i64>,
) -> anyhow::Result<Next> {
    let rt = &state.webhooks;
    let event = &pending.event;
    let body = serde_json::to_vec(&envelope(event))?;
    let started_at = state.now();
    let headers = svix_headers(ep, &event.id, started_at, &body)?;
    let sent: Sent = webhook_http::post(&rt.0.client, &rt.0.policy, &ep.url, headers, body).await;
    let now = state.now();
    let decision = decide(
        &rt.0.cfg.retry_schedule,
        rt.0.jitter.as_ref(),
        pending.attempts,
        sent.ok,
        now,
        *failing_since,
    );
    let record = AttemptRecord {
        attempt: Attempt {
            id: new_id(prefix::WEBHOOK_ATTEMPT),
            endpoint_id: ep.id.to_string(),
            event_id: event.id.to_string(),
            attempted_at: started_at,
            succeeded: sent.ok,
            response_status: sent.status,
            latency_ms: sent.latency_ms,
            response_excerpt: sent.excerpt,
            error: sent.error.clone(),
        },
        event_seq: event.seq,
        decision: decision.clone(),
        lease_until: now + rt.lease_ms(),
    };
    let held = state
        .store
        .record_webhook_attempt(&state.instance.id, &ep.id, rt.worker_id(), &record)
        .await?;
    // From commit (or from the retry or replay that queued it again) to delivery.
    state.metrics.webhooks.attempt(
        &ep.id,
        sent.ok,
        (now - pending.queued_at).max(0) as f64 / 1000.0,
    );
    *failing_since = decision.failing_since;
    if !sent.ok {
        tracing::debug!(
            endpoint = %ep.id,
            message = %event.id,
            attempt = decision.attempts,
            error = sent.error.as_deref().unwrap_or(""),
            "webhook attempt failed"
        );
    }
    if decision.disable {
        let reason = format!(
            "every delivery failed for 5 days (last error: {})",
            sent.error.as_deref().unwrap_or("unknown")
        );
        tracing::warn!(endpoint = %ep.id, %reason, "disabling webhook endpoint");
        crate::app::webhooks::disable(state, &ep.id, reason).await?;
        return Ok(Next::Stop);
    }
    if !held {
        tracing::info!(endpoint = %ep.id, "webhook lease lost to another worker");
        return Ok(Next::Stop);
    }
    Ok(match decision.status {
        DeliveryStatus::Pending => Next::Stop,
        DeliveryStatus::Succeeded | DeliveryStatus::Failed => Next::Continue,
    })
}
