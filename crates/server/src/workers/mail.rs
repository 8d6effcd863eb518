//! The mail worker.
//!
//! An email is queued in the transaction of the change that caused it (with its
//! `email.created` event), so nothing committed is lost. The worker reads the queue oldest
//! first, claims each due message (a conditional UPDATE with an expiring lease: workers on
//! several nodes never send one twice, and a crashed worker's message is sent again), sends it
//! with no transaction open, and records the outcome in its own short write.
//!
//! With SMTP configured a message ends `sent`, or `failed` after a permanent refusal (5xx, a
//! malformed address) or once its retries are spent; a failure that may pass (refused
//! connection, timeout, 4xx) is retried after `MailConfig::retry_delays`. Without SMTP every
//! message is written to the log instead and ends `logged`: in development with its subject
//! and body, so the code is in the `usher serve` output; in production without them, since
//! logs are no place for codes.

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncTransport, Message};
use tokio::sync::watch;
use tokio::task::JoinSet;
use usher_core::instance::Environment;
use usher_core::mail::{self, EmailMessage, EmailStatus};

use crate::outbound::mail::MailRuntime;
use crate::state::AppState;

/// Queued messages read at a time.
const BATCH: i64 = 64;
/// Messages sent at once.
const CONCURRENCY: usize = 4;

/// Runs until `stop`: sends what is due whenever a commit rings or the poll interval passes.
pub async fn run(state: AppState, stop: watch::Receiver<bool>) {
    let rt = state.mail.clone();
    match &rt.0.smtp {
        Some(smtp) => tracing::info!(
            smtp = %smtp.target.describe(),
            from = %rt.0.from,
            "email is sent over SMTP"
        ),
        None if state.instance.environment == Environment::Production => tracing::warn!(
            "no SMTP server is configured (USHER_SMTP_URL): emails such as verification codes \
             are not sent, only recorded (GET /v1/emails) and announced by the email.created \
             webhook, whose receiver may deliver them"
        ),
        None => tracing::info!(
            "no SMTP server is configured (USHER_SMTP_URL): emails are written to this log \
             instead of being sent"
        ),
    }
    super::drain_when_woken(
        stop,
        &rt.0.wake,
        rt.0.cfg.poll_interval,
        "could not process the email queue",
        || drain(&state),
    )
    .await;
}

/// The test hook (and one pass of the worker): attempts every queued email that is due now and
/// returns how many attempts were made. Retries are not due until the clock reaches them.
pub async fn drain(state: &AppState) -> anyhow::Result<usize> {
    let mut attempts = 0;
    // Each pass attempts what is due in the oldest batch; a message that failed is not due
    // again until its retry delay has passed, so passes end once nothing due is left.
    loop {
        let batch = state.store.queued_emails(&state.instance.id, BATCH).await?;
        let mut running: JoinSet<anyhow::Result<bool>> = JoinSet::new();
        let mut made = 0;
        for msg in batch {
            if !mail::due(&msg, &state.mail.0.retry_delays_ms, state.now()) {
                continue;
            }
            if running.len() >= CONCURRENCY
                && let Some(done) = running.join_next().await
            {
                made += usize::from(done??);
            }
            let state = state.clone();
            running.spawn(async move { attempt(&state, msg).await });
        }
        while let Some(done) = running.join_next().await {
            made += usize::from(done??);
        }
        if made == 0 {
            return Ok(attempts);
        }
        attempts += made;
    }
}

/// Claims `msg`, sends (or logs) it, and records the outcome. False: another worker has it.
async fn attempt(state: &AppState, msg: EmailMessage) -> anyhow::Result<bool> {
    let rt = &state.mail;
    let ins = &state.instance.id;
    let now = state.now();
    if !state
        .store
        .claim_email(ins, &msg.id, now, now + rt.lease_ms())
        .await?
    {
        return Ok(false);
    }
    let Some(smtp) = &rt.0.smtp else {
        log_instead(state, &msg);
        state
            .store
            .record_email_outcome(ins, &msg.id, EmailStatus::Logged, None, state.now())
            .await?;
        return Ok(true);
    };
    // No transaction is open from here until the outcome is recorded.
    let (ok, permanent, error) = match build(rt, &msg) {
        Err(e) => (false, true, Some(e)),
        Ok(message) => match smtp.transport.send(message).await {
            Ok(_) => (true, false, None),
            Err(e) => (false, e.is_permanent(), Some(e.to_string())),
        },
    };
    let status = mail::after_attempt(msg.attempts, ok, permanent, &rt.0.retry_delays_ms);
    match (&error, status) {
        (None, _) => {
            tracing::info!(email = %msg.id, to = %msg.to_email_address, slug = %msg.slug, "email sent")
        }
        (Some(e), EmailStatus::Queued) => tracing::warn!(
            email = %msg.id,
            to = %msg.to_email_address,
            attempt = msg.attempts + 1,
            error = %e,
            "email not sent; it will be retried"
        ),
        (Some(e), _) => tracing::warn!(
            email = %msg.id,
            to = %msg.to_email_address,
            attempts = msg.attempts + 1,
            error = %e,
            "email failed"
        ),
    }
    state
        .store
        .record_email_outcome(ins, &msg.id, status, error.as_deref(), state.now())
        .await?;
    Ok(true)
}

fn log_instead(state: &AppState, msg: &EmailMessage) {
    if state.instance.environment == Environment::Production {
        tracing::info!(
            email = %msg.id,
            to = %msg.to_email_address,
            slug = %msg.slug,
            "email not sent (no SMTP server is configured)"
        );
    } else {
        tracing::info!(
            email = %msg.id,
            to = %msg.to_email_address,
            subject = %msg.subject,
            body = %msg.body_plain.trim_end(),
            "email not sent (no SMTP server is configured); logged instead"
        );
    }
}

/// The MIME message: plain text and HTML alternatives. An error here is permanent.
fn build(rt: &MailRuntime, msg: &EmailMessage) -> Result<Message, String> {
    let to: Mailbox = msg
        .to_email_address
        .parse()
        .map_err(|e| format!("invalid recipient {:?}: {e}", msg.to_email_address))?;
    Message::builder()
        .from(rt.0.from.clone())
        .to(to)
        .subject(msg.subject.clone())
        .message_id(Some(format!("<{}@{}>", msg.id, rt.0.from_domain)))
        .multipart(MultiPart::alternative_plain_html(
            msg.body_plain.clone(),
            msg.body_html.clone(),
        ))
        .map_err(|e| format!("cannot build the message: {e}"))
}
