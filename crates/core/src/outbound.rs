//! The retry schedule the outbound queues share (emails, text messages): when a queued message
//! is due again, and what an attempt leaves it as. No I/O; each queue's module applies it to its
//! own record.

/// What an attempt leaves a message as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterAttempt {
    Sent,
    /// Queued again: retried after its delay.
    Queued,
    Failed,
}

/// Whether a queued message attempted `attempts` times, last at `updated_at`, may be attempted
/// at `now`: at once the first time, then after the delay that follows its last failed attempt
/// (`retry_delays_ms[attempts - 1]`, the last delay past the end).
pub fn due(attempts: i64, updated_at: i64, retry_delays_ms: &[i64], now: i64) -> bool {
    let Ok(n) = usize::try_from(attempts) else {
        return true;
    };
    if n == 0 {
        return true;
    }
    let wait = retry_delays_ms
        .get(n - 1)
        .or(retry_delays_ms.last())
        .copied()
        .unwrap_or(0);
    now >= updated_at.saturating_add(wait)
}

/// The state after an attempt: sent; or, on a failure, queued again while retries remain and
/// the failure may pass (`permanent == false`), else failed.
pub fn after_attempt(
    attempts_before: i64,
    ok: bool,
    permanent: bool,
    retry_delays_ms: &[i64],
) -> AfterAttempt {
    if ok {
        return AfterAttempt::Sent;
    }
    let retries_left = i64::try_from(retry_delays_ms.len()).unwrap_or(0) - attempts_before;
    if permanent || retries_left <= 0 {
        AfterAttempt::Failed
    } else {
        AfterAttempt::Queued
    }
}
