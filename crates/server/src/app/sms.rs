//! Text messages: composed by a use case, recorded and handed to the instance's SMS sender in
//! the use case's [`Change`] (the `sms.created` webhook carries it to the application, and the
//! SMS worker to the provider when one is set), capped per number, country calling code and
//! client address against SMS pumping, and read back by the Backend API.

use usher_core::events::DomainEvent;
use usher_core::ratelimit::{Counters as _, Window};
use usher_core::sms::{CODES_PER_NUMBER, SmsMessage};
use usher_core::sms_caps::{CapReached, calling_code};
use usher_core::store::Write;
use usher_core::users::query::Page;
use usher_core::{CoreError, CoreResult};

use super::Change;
use crate::app::context::RequestContext;
use crate::state::AppState;

/// A cap to count against: its window, its counter's subject, and what its event reports (the
/// per-number cap raises none).
type Check<'a> = (Window, String, Option<(&'a str, String)>);

/// Counts a code about to be texted to `to` against every cap: five an hour to the number
/// ([`CODES_PER_NUMBER`]), the hourly cap of its country calling code and of the client
/// address ([`usher_core::sms_caps`]). Past any of them: `too_many_requests` (429 with
/// `Retry-After`), nothing recorded or sent, the `sms_capped` metric counted, and for the
/// country and address caps one `usher.security.sms_cap_reached` event per window. Counted
/// before the change commits; a counter store that cannot be reached lets the code through
/// (the per-address request limits still hold).
pub async fn count_code(state: &AppState, ctx: &RequestContext, to: &str) -> CoreResult<()> {
    let now = state.now();
    let ins = &state.instance.id;
    let caps = &state.sms_caps;
    let country = calling_code(to).map(str::to_owned);
    let mut checks: Vec<Check<'_>> = vec![(CODES_PER_NUMBER, format!("sms:{ins}:{to}"), None)];
    if let Some(code) = &country {
        checks.push((
            caps.country_window(code),
            format!("sms-country:{ins}:{code}"),
            Some(("country", format!("+{code}"))),
        ));
    }
    if let Some(ip) = ctx.client_ip.as_deref() {
        checks.push((
            caps.address_window(),
            format!("sms-address:{ins}:{ip}"),
            Some(("client_address", ip.to_owned())),
        ));
    }
    for (w, subject, reported) in checks {
        let key = w.key(&subject, now);
        let Ok(n) = state.counters.incr(&key, w.window_ms * 2).await else {
            continue;
        };
        let d = w.decide(n, now);
        if d.allowed {
            continue;
        }
        state.metrics.throttled.inc();
        state.metrics.sms_capped.inc();
        // The first refusal of the window reports it.
        if n == w.limit + 1
            && let Some((cap, subject)) = reported
        {
            report(state, cap, subject, w, now).await;
        }
        return Err(CoreError::TooManyRequests {
            retry_after_secs: d.retry_after_secs,
        });
    }
    Ok(())
}

/// Raises `usher.security.sms_cap_reached` in a write of its own.
async fn report(state: &AppState, cap: &str, subject: String, w: Window, now: i64) {
    tracing::warn!(cap, subject = %subject, limit = w.limit, "an SMS cap was reached");
    let window = w.window_ms.max(1);
    let reached = CapReached {
        cap: cap.to_owned(),
        subject,
        limit: w.limit,
        window_ends_at: (now.div_euclid(window) + 1) * window,
        at: now,
    };
    let system = RequestContext::system("security");
    let mut change = Change::new(state, &system);
    change.event(DomainEvent::SmsCapReached(reached));
    if let Err(e) = change.commit("security.sms_cap_reached", None).await {
        tracing::error!(error = %usher_core::error::report(&e), "could not record the SMS cap");
    }
}

/// Adds `msg` to the change: the record and whatever the sender delivers it with. The instance's
/// stored template for it, if any, gives its text; one whose delivery is off leaves only the
/// `sms.created` webhook to carry it.
pub fn queue(change: &mut Change<'_>, mut msg: SmsMessage) {
    let templates = change.state.message_templates();
    let delivered = usher_core::message_templates::apply_to_sms(&templates, &mut msg);
    let events = if delivered {
        change.state.sms.dispatch(&mut msg)
    } else {
        usher_core::sms_sender::SmsSender::dispatch(&usher_core::sms_sender::WebhookSms, &mut msg)
    };
    if msg.delivered_by_clerk {
        change.texts += 1;
    }
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
