//! Hourly activity counters: how many sign-ins, failed sign-ins, sign-ups and token refreshes
//! each hour saw. Counted in memory by each node and added to the stored hour in batches, so
//! the counts outlive the process (the incident report and charts read them).

use crate::clock::Millis;

pub const HOUR_MS: Millis = 3_600_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActivityKind {
    /// A sign-in that completed (a session started).
    SignIn,
    /// A wrong password or code in a sign-in.
    SignInFailure,
    /// A sign-up that completed (a user created).
    SignUp,
    /// A session token minted for an existing session.
    TokenRefresh,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 4] = [
        ActivityKind::SignIn,
        ActivityKind::SignInFailure,
        ActivityKind::SignUp,
        ActivityKind::TokenRefresh,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::SignIn => "sign_in",
            ActivityKind::SignInFailure => "sign_in_failure",
            ActivityKind::SignUp => "sign_up",
            ActivityKind::TokenRefresh => "token_refresh",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The start of the hour `at` falls in.
pub fn hour_of(at: Millis) -> Millis {
    at.div_euclid(HOUR_MS) * HOUR_MS
}

/// One stored counter: `count` of `kind` in the hour starting at `hour`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActivityCount {
    pub hour: Millis,
    pub kind: ActivityKind,
    pub count: i64,
}

/// The total of `kind` over `counts`.
pub fn total(counts: &[ActivityCount], kind: ActivityKind) -> i64 {
    counts
        .iter()
        .filter(|c| c.kind == kind)
        .map(|c| c.count)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_start_on_the_hour() {
        assert_eq!(hour_of(HOUR_MS * 5 + 1), HOUR_MS * 5);
        assert_eq!(hour_of(HOUR_MS * 5), HOUR_MS * 5);
        assert_eq!(hour_of(-1), -HOUR_MS);
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in ActivityKind::ALL {
            assert_eq!(ActivityKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ActivityKind::parse("sign_out"), None);
    }
}
