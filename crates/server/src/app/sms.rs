//! Text messages: composed by a use case, recorded and handed to the instance's SMS sender in
//! the use case's [`Change`] (the `sms.created` webhook carries it to the application), limited
//! per number, and read back by the Backend API.

use usher_core::ratelimit::Counters as _;
use usher_core::sms::{CODES_PER_NUMBER, SmsMessage};
use usher_core::store::Write;
use usher_core::users::query::Page;
use usher_core::{CoreError, CoreResult};

use super::Change;
use crate::state::AppState;

/// Counts a code sent to `to`: refused with `too_many_requests` past [`CODES_PER_NUMBER`].
/// Counted before the change commits, so a refused request sends nothing; a counter store that
/// cannot be reached lets the code through (the per-address limits still hold).
pub async fn count_code(state: &AppState, to: &str) -> CoreResult<()> {
    let now = state.now();
    let w = CODES_PER_NUMBER;
    let key = w.key(&format!("sms:{}:{to}", state.instance.id), now);
    if let Ok(n) = state.counters.incr(&key, w.window_ms * 2).await {
        let d = w.decide(n, now);
        if !d.allowed {
            state.metrics.throttled.inc();
            return Err(CoreError::TooManyRequests {
                retry_after_secs: d.retry_after_secs,
            });
        }
    }
    Ok(())
}

/// Adds `msg` to the change: the record and whatever the sender delivers it with.
pub fn queue(change: &mut Change<'_>, mut msg: SmsMessage) {
    let events = change.state.sms.dispatch(&mut msg);
    change.write(Write::InsertSms(msg));
    for e in events {
        change.event(e);
    }
}

/// Text messages, newest first, to one number if given, and the total.
pub async fn list(
    state: &AppState,
    to_phone_number: Option<&str>,
    page: &Page,
) -> CoreResult<(Vec<SmsMessage>, i64)> {
    Ok(state
        .store
        .list_sms_messages(&state.instance.id, to_phone_number, page.limit, page.offset)
        .await?)
}
