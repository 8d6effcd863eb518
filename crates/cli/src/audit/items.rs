//! The 20-item hardening checklist: each item's title, the result a side (the instance, or the
//! app's source tree) gives it, how two sides' results combine, and the profiles' limits.

use serde::Serialize;

/// Every item, by number (1-based): its title.
pub const TITLES: [&str; 20] = [
    "Publishable key in the browser, secret key on the server only",
    "No test keys in production",
    "Explicit allowed origins, no wildcard",
    "Secret key rotated on departure or leak",
    "Session inactivity and lifetime within the profile",
    "Sessions revoked on password, email and MFA change",
    "Server-side verification on every protected route",
    "Cookies SameSite Lax or Strict",
    "Svix verification on every webhook",
    "Webhook secret read from the environment",
    "Webhook handlers idempotent on svix-id",
    "Personal data deleted within 24 h of user.deleted",
    "Tenant filter on org_id and user_id",
    "Role checks from the token (has())",
    "Cross-organization isolation tested",
    "JWT template claims: only what is needed",
    "Short token lifetimes",
    "aud verified downstream",
    "Failed-sign-in spike alerts routed",
    "Quarterly settings drift review",
];

pub fn title(id: u8) -> &'static str {
    TITLES
        .get(usize::from(id).wrapping_sub(1))
        .copied()
        .unwrap_or("")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    NotApplicable,
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "not_applicable",
            Status::Unknown => "unknown",
        }
    }

    /// How much a side's result weighs when two sides judge one item: a failure anywhere fails
    /// it; a pass beats not knowing.
    fn weight(self) -> u8 {
        match self {
            Status::Fail => 3,
            Status::Pass => 2,
            Status::Unknown => 1,
            Status::NotApplicable => 0,
        }
    }
}

/// One side's result for one item.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub id: u8,
    pub status: Status,
    pub reason: String,
    /// What to do: a command or a code change (empty when nothing is to be done).
    pub fix: String,
    /// `file:line` (app side) or the objects concerned (instance side).
    pub evidence: Vec<String>,
}

impl Check {
    pub fn new(id: u8, status: Status, reason: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            id,
            status,
            reason: reason.into(),
            fix: fix.into(),
            evidence: Vec::new(),
        }
    }

    /// An item that passed: nothing to fix.
    pub fn pass(id: u8, reason: impl Into<String>) -> Self {
        Self::new(id, Status::Pass, reason, "")
    }

    pub fn with_evidence(mut self, evidence: Vec<String>) -> Self {
        self.evidence = evidence;
        self
    }
}

/// The item's result from every side that judged it, in one: the heaviest status, the reasons
/// joined, the fixes of the sides that did not pass. An item no side judged is `unknown`.
pub fn combine(id: u8, checks: &[Check]) -> Check {
    let mine: Vec<&Check> = checks.iter().filter(|c| c.id == id).collect();
    let Some(status) = mine.iter().map(|c| c.status).max_by_key(|s| s.weight()) else {
        return Check::new(
            id,
            Status::Unknown,
            "judged from the app's source: run with --app DIR",
            "usher audit --app ./path/to/app",
        );
    };
    let join = |parts: Vec<&str>| {
        parts
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("; ")
    };
    Check {
        id,
        status,
        reason: join(mine.iter().map(|c| c.reason.as_str()).collect()),
        fix: join(
            mine.iter()
                .filter(|c| c.status != Status::Pass)
                .map(|c| c.fix.as_str())
                .collect(),
        ),
        evidence: mine.iter().flat_map(|c| c.evidence.clone()).collect(),
    }
}

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

/// How sensitive the application is: the limits items 4, 5 and 17 are judged against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    Banking,
    Saas,
    Consumer,
}

/// A profile's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub session_inactivity_ms: i64,
    pub session_max_lifetime_ms: i64,
    pub secret_key_age_ms: i64,
    pub session_token_secs: i64,
    pub template_lifetime_secs: i64,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Banking => "banking",
            Profile::Saas => "saas",
            Profile::Consumer => "consumer",
        }
    }

    pub fn limits(self) -> Limits {
        match self {
            Profile::Banking => Limits {
                session_inactivity_ms: 15 * MINUTE_MS,
                session_max_lifetime_ms: 12 * HOUR_MS,
                secret_key_age_ms: 90 * DAY_MS,
                session_token_secs: 60,
                template_lifetime_secs: 60,
            },
            Profile::Saas => Limits {
                session_inactivity_ms: 30 * MINUTE_MS,
                session_max_lifetime_ms: 7 * DAY_MS,
                secret_key_age_ms: 180 * DAY_MS,
                session_token_secs: 60,
                template_lifetime_secs: 300,
            },
            Profile::Consumer => Limits {
                session_inactivity_ms: 7 * DAY_MS,
                session_max_lifetime_ms: 90 * DAY_MS,
                secret_key_age_ms: 365 * DAY_MS,
                session_token_secs: 300,
                template_lifetime_secs: 3600,
            },
        }
    }
}

/// A duration in milliseconds as people say it: `15 min`, `12 h`, `7 d`.
pub fn human_ms(ms: i64) -> String {
    if ms >= DAY_MS && ms % DAY_MS == 0 {
        format!("{} d", ms / DAY_MS)
    } else if ms >= HOUR_MS && ms % HOUR_MS == 0 {
        format!("{} h", ms / HOUR_MS)
    } else if ms >= MINUTE_MS && ms % MINUTE_MS == 0 {
        format!("{} min", ms / MINUTE_MS)
    } else {
        format!("{} s", ms / 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_anywhere_fails_and_a_pass_beats_unknown() {
        let checks = [
            Check::new(3, Status::Unknown, "a", "fa"),
            Check::new(3, Status::Pass, "b", "fb"),
            Check::new(4, Status::Pass, "c", ""),
            Check::new(4, Status::Fail, "d", "fd"),
        ];
        let three = combine(3, &checks);
        assert_eq!(
            (three.status, three.reason.as_str()),
            (Status::Pass, "a; b")
        );
        assert_eq!(three.fix, "fa");
        let four = combine(4, &checks);
        assert_eq!((four.status, four.fix.as_str()), (Status::Fail, "fd"));
        assert_eq!(combine(7, &checks).status, Status::Unknown);
    }

    #[test]
    fn profiles_tighten_from_consumer_to_banking() {
        let (b, s, c) = (
            Profile::Banking.limits(),
            Profile::Saas.limits(),
            Profile::Consumer.limits(),
        );
        assert!(b.session_inactivity_ms < s.session_inactivity_ms);
        assert!(s.session_inactivity_ms < c.session_inactivity_ms);
        assert_eq!(human_ms(b.session_inactivity_ms), "15 min");
        assert_eq!(human_ms(b.session_max_lifetime_ms), "12 h");
        assert_eq!(human_ms(s.session_max_lifetime_ms), "7 d");
        assert!(!title(1).is_empty());
        assert_eq!(title(21), "");
        assert_eq!(title(0), "");
    }
}
