//! Delivery state: one row per (endpoint, event), queued in the transaction that commits the
//! event, and one record per attempt. The worker leases an endpoint, sends its pending deliveries
//! in commit order, and lets [`decide`] say what an attempt's result means.

use super::endpoint::WebhookEndpoint;
use super::retry::{DISABLE_AFTER, Jitter, RetrySchedule};
use crate::clock::Millis;
use crate::events::OutboxEvent;
use crate::ids::{EventId, WebhookEndpointId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// Not yet delivered: waiting for its turn, or for its next attempt.
    Pending,
    Succeeded,
    /// Every attempt of the schedule failed. An operator can retry or replay it.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Succeeded => "succeeded",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => DeliveryStatus::Pending,
            "succeeded" => DeliveryStatus::Succeeded,
            "failed" => DeliveryStatus::Failed,
            _ => return None,
        })
    }
}

/// Which deliveries a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryFilter {
    Status(DeliveryStatus),
    /// Pending with at least one failed attempt since it was (last) queued: what an outage
    /// leaves stuck, and what an operator looks at first.
    Failing,
}

impl DeliveryFilter {
    pub const EXPECTED: &'static str = "must be pending, failing, succeeded or failed";

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "failing" => Some(DeliveryFilter::Failing),
            other => DeliveryStatus::parse(other).map(DeliveryFilter::Status),
        }
    }
}

/// One HTTP attempt, as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub attempted_at: Millis,
    pub succeeded: bool,
    /// The response status, if a response came.
    pub response_status: Option<u16>,
    pub latency_ms: i64,
    /// The start of the response body (at most [`EXCERPT_BYTES`]), lossily decoded.
    pub response_excerpt: String,
    /// Why no 2xx came: timeout, connection refused, destination refused, …
    pub error: Option<String>,
}

/// The recorded part of a response body.
pub const EXCERPT_BYTES: usize = 1024;

/// A delivery with its attempts, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub endpoint_id: String,
    pub event_id: String,
    pub event_seq: i64,
    pub event_type: String,
    pub status: DeliveryStatus,
    /// Attempts since it was last queued (a retry or replay queues it again).
    pub attempts: u32,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub last_attempt_at: Option<Millis>,
    pub last_response_status: Option<u16>,
    pub last_error: Option<String>,
    pub attempt_history: Vec<Attempt>,
}

/// A delivery the worker is about to make: the event, and how many attempts it has had.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingDelivery {
    pub attempts: u32,
    /// When it was (last) queued: the event's commit, or the retry or replay that queued it again.
    pub queued_at: Millis,
    pub event: OutboxEvent,
}

/// An endpoint leased to one worker, with the state of its queue.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedEndpoint {
    pub endpoint: WebhookEndpoint,
    pub failing_since: Option<Millis>,
    pub lease_until: Millis,
}

/// Everything one attempt changes, written in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptRecord {
    pub attempt: Attempt,
    pub event_seq: i64,
    pub decision: Decision,
    /// The lease is extended to this time.
    pub lease_until: Millis,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryQuery {
    pub endpoint_id: WebhookEndpointId,
    pub status: Option<DeliveryFilter>,
    pub event_id: Option<EventId>,
    pub limit: i64,
    pub offset: i64,
}

/// Per-endpoint figures for `/metrics` and the runbook.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EndpointStats {
    pub endpoint_id: String,
    /// Deliveries not yet succeeded or failed for good.
    pub queue_depth: i64,
    /// When the oldest of them was queued.
    pub oldest_pending_at: Option<Millis>,
    pub attempts_succeeded: i64,
    pub attempts_failed: i64,
}

/// What an attempt's result means for the delivery and its endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub status: DeliveryStatus,
    pub attempts: u32,
    /// The endpoint waits until then before its next attempt (its queue is ordered: while the
    /// oldest pending delivery waits, the ones behind it wait too).
    pub retry_at: Option<Millis>,
    /// When the endpoint's current run of failures began.
    pub failing_since: Option<Millis>,
    /// The endpoint has failed for [`DISABLE_AFTER`]: disable it.
    pub disable: bool,
}

/// Success clears the endpoint's failure run; a failure waits for the schedule's next slot, or
/// fails the delivery for good when the schedule is exhausted (the queue then moves on).
pub fn decide(
    schedule: &RetrySchedule,
    jitter: &dyn Jitter,
    attempts_before: u32,
    succeeded: bool,
    now: Millis,
    failing_since: Option<Millis>,
) -> Decision {
    let attempts = attempts_before.saturating_add(1);
    if succeeded {
        return Decision {
            status: DeliveryStatus::Succeeded,
            attempts,
            retry_at: None,
            failing_since: None,
            disable: false,
        };
    }
    let since = failing_since.unwrap_or(now);
    let (status, retry_at) = match schedule.next_wait(attempts, jitter) {
        Some(wait) => (DeliveryStatus::Pending, Some(now + wait)),
        None => (DeliveryStatus::Failed, None),
    };
    Decision {
        status,
        attempts,
        retry_at,
        failing_since: Some(since),
        disable: now - since >= DISABLE_AFTER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::retry::FixedJitter;

    #[test]
    fn failures_follow_the_schedule_then_fail_for_good() {
        let s = RetrySchedule::svix();
        let j = FixedJitter(0.0);
        let d = decide(&s, &j, 0, false, 1_000, None);
        assert_eq!(
            d,
            Decision {
                status: DeliveryStatus::Pending,
                attempts: 1,
                retry_at: Some(6_000),
                failing_since: Some(1_000),
                disable: false
            }
        );
        let d = decide(&s, &j, 1, false, 6_000, Some(1_000));
        assert_eq!(d.retry_at, Some(306_000));
        assert_eq!(d.failing_since, Some(1_000));
        let last = decide(&s, &j, 7, false, 10, Some(5));
        assert_eq!(
            (last.status, last.retry_at, last.attempts),
            (DeliveryStatus::Failed, None, 8)
        );
        let ok = decide(&s, &j, 3, true, 50, Some(5));
        assert_eq!(
            (ok.status, ok.failing_since, ok.retry_at),
            (DeliveryStatus::Succeeded, None, None)
        );
    }

    #[test]
    fn five_days_of_failures_disable_the_endpoint() {
        let s = RetrySchedule::svix();
        let j = FixedJitter(0.0);
        assert!(!decide(&s, &j, 2, false, DISABLE_AFTER - 1, Some(0)).disable);
        assert!(decide(&s, &j, 2, false, DISABLE_AFTER, Some(0)).disable);
        assert!(!decide(&s, &j, 2, true, DISABLE_AFTER * 2, Some(0)).disable);
    }
}
