//! Background jobs started with the server.

pub mod activity;
pub mod api_key_usage;
pub mod branding;
pub mod degraded;
pub mod instance_refresh;
pub mod key_refresh;
pub mod lifecycle;
pub mod mail;
pub mod message_templates;
pub mod secret_keys;
pub mod session_claims;
pub mod settings;
pub mod sms;
pub mod webhooks;

/// Runs `flush` every `every` until shutdown, and once more then; a failed flush is logged with
/// `failed` and tried again at the next tick (what it could not write stays in memory).
pub(crate) async fn flush_every<F, Fut>(
    every: std::time::Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
    failed: &'static str,
    flush: F,
) where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<usize>>,
{
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let stop = tokio::select! {
            _ = tick.tick() => false,
            _ = shutdown.changed() => true,
        };
        if stop || *shutdown.borrow() {
            let _ = flush().await;
            return;
        }
        if let Err(e) = flush().await {
            tracing::warn!(error = %e, "{failed}");
        }
    }
}

/// Runs `drain` until `stop`: again whenever `wake` rings (a commit queued something) or `poll`
/// passes. A failed pass is logged with `failed`; what it left stays queued for the next one.
pub(crate) async fn drain_when_woken<F, Fut>(
    mut stop: tokio::sync::watch::Receiver<bool>,
    wake: &tokio::sync::Notify,
    poll: std::time::Duration,
    failed: &'static str,
    drain: F,
) where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<usize>>,
{
    loop {
        if let Err(e) = drain().await {
            tracing::warn!(error = %format!("{e:#}"), "{failed}");
        }
        tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}
