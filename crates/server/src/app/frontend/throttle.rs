//! Failed sign-in attempts: counted per (account, address) and per address, refused past their
//! limits before any password is checked, exported as metrics, and watched for spikes.

use usher_core::activity::ActivityKind;
use usher_core::events::DomainEvent;
use usher_core::ratelimit::{Counters as _, Window};
use usher_core::{CoreError, CoreResult};

use crate::app::Change;
use crate::app::context::RequestContext;
use crate::state::AppState;

fn keys(state: &AppState, ip: Option<&str>, user_id: &str) -> Vec<(Window, String)> {
    let l = state.frontend.limits;
    let now = state.now();
    let ins = &state.instance.id;
    let ip = ip.unwrap_or("unknown");
    vec![
        (
            l.failures_per_account_ip,
            l.failures_per_account_ip
                .key(&format!("fail:{ins}:acct:{user_id}:ip:{ip}"), now),
        ),
        (
            l.failures_per_ip,
            l.failures_per_ip.key(&format!("fail:{ins}:ip:{ip}"), now),
        ),
    ]
}

/// Refuses the attempt when this account or address already failed too often.
pub async fn check(state: &AppState, ctx: &RequestContext, user_id: &str) -> CoreResult<()> {
    let now = state.now();
    for (window, key) in keys(state, ctx.client_ip.as_deref(), user_id) {
        let Ok(count) = state.counters.get(&key).await else {
            continue;
        };
        // The next failure would be over the limit: refuse before checking anything.
        if count >= window.limit {
            state.metrics.throttled.inc();
            return Err(CoreError::TooManyRequests {
                retry_after_secs: window.decide(count + 1, now).retry_after_secs,
            });
        }
    }
    Ok(())
}

/// Counts a failed attempt, and raises a security event when failures spike.
pub async fn record_failure(state: &AppState, ctx: &RequestContext, user_id: &str) {
    state.metrics.sign_in_failures.inc();
    state
        .activity
        .add(ActivityKind::SignInFailure, state.now(), 1);
    let mut worst = 0;
    for (window, key) in keys(state, ctx.client_ip.as_deref(), user_id) {
        if let Ok(n) = state.counters.incr(&key, window.window_ms * 2).await {
            worst = worst.max(n);
        }
    }
    state.metrics.observe_failure_run(worst);
    let spike = match state.spikes.lock() {
        Ok(mut d) => d.observe(state.now()),
        Err(_) => None,
    };
    if let Some(spike) = spike {
        tracing::warn!(
            failures_last_minute = spike.failures_this_minute,
            normal_per_minute = spike.normal_per_minute,
            "failed sign-ins are spiking"
        );
        let system = RequestContext::system("security");
        let mut change = Change::new(state, &system);
        change.event(DomainEvent::SignInFailureSpike(spike));
        if let Err(e) = change.commit("security.sign_in_failure_spike", None).await {
            tracing::error!(error = %usher_core::error::report(&e), "could not record the sign-in failure spike");
        }
    }
}
