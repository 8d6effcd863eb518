//! The SMS worker: hands the texts the server delivers to its Twilio-compatible provider.
//!
//! A text is queued in the transaction of the change that caused it (with its `sms.created`
//! event), so a slow or failing provider never holds a request up and nothing committed is lost.
//! The worker reads the queue oldest first, claims each due text (a conditional UPDATE with an
//! expiring lease, so workers on several nodes never send one twice), POSTs it with no
//! transaction open, and records the outcome: `sent` with the provider's sid; queued again after
//! `SmsConfig::retry_delays` on a 5xx, a 429 or no answer; `failed` on another 4xx or once the
//! retries are spent.

use tokio::sync::watch;
use usher_core::sms::{self, SmsMessage, SmsOutcome};

use crate::outbound::sms::Attempt;
use crate::state::AppState;

/// Queued texts read at a time.
const BATCH: i64 = 64;

/// Runs until `stop`: sends what is due whenever a commit rings or the poll interval passes.
pub async fn run(state: AppState, stop: watch::Receiver<bool>) {
    let rt = state.sms_runtime.clone();
    if let Some(p) = &rt.0.cfg.provider {
        tracing::info!(url = %p.messages_url(), "texts are sent through the SMS provider");
    }
    super::drain_when_woken(
        stop,
        &rt.0.wake,
        rt.0.cfg.poll_interval,
        "could not process the SMS queue",
        || drain(&state),
    )
    .await;
}

/// The test hook (and one pass of the worker): attempts every queued text that is due now and
/// returns how many attempts were made. Retries are not due until the clock reaches them.
pub async fn drain(state: &AppState) -> anyhow::Result<usize> {
    if state.sms_runtime.0.cfg.provider.is_none() {
        return Ok(0);
    }
    let delays = state.sms_runtime.retry_delays_ms();
    let mut attempts = 0;
    loop {
        let batch = state.store.queued_sms(&state.instance.id, BATCH).await?;
        let mut made = 0;
        for msg in batch {
            if sms::due(&msg, &delays, state.now()) && attempt(state, &msg, &delays).await? {
                made += 1;
            }
        }
        if made == 0 {
            return Ok(attempts);
        }
        attempts += made;
    }
}

/// Claims `msg`, sends it, and records the outcome. False: another worker has it.
async fn attempt(state: &AppState, msg: &SmsMessage, delays: &[i64]) -> anyhow::Result<bool> {
    let rt = &state.sms_runtime;
    let Some(provider) = &rt.0.cfg.provider else {
        return Ok(false);
    };
    let ins = &state.instance.id;
    let now = state.now();
    if !state
        .store
        .claim_sms(ins, &msg.id, now, now + rt.lease_ms())
        .await?
    {
        return Ok(false);
    }
    // No transaction is open from here until the outcome is recorded.
    let (status, error, sid) = match rt.send(provider, msg).await {
        Attempt::Sent { sid } => ("sent", None, Some(sid)),
        Attempt::Retry(e) => (
            sms::after_attempt(msg.attempts, false, false, delays),
            Some(e),
            None,
        ),
        Attempt::Permanent(e) => ("failed", Some(e), None),
    };
    match (&error, status) {
        (None, _) => tracing::info!(sms = %msg.id, "text sent"),
        (Some(e), "queued") => tracing::warn!(
            sms = %msg.id,
            attempt = msg.attempts + 1,
            error = %e,
            "text not sent; it will be retried"
        ),
        (Some(e), _) => tracing::warn!(
            sms = %msg.id,
            attempts = msg.attempts + 1,
            error = %e,
            "text failed"
        ),
    }
    let outcome = SmsOutcome {
        id: msg.id.clone(),
        status,
        error,
        provider_sid: sid,
        at: state.now(),
    };
    state.store.record_sms_outcome(ins, &outcome).await?;
    Ok(true)
}
