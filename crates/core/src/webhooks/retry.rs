//! When to try a failed delivery again: Svix's schedule (immediately, then after 5 s, 5 min,
//! 30 min, 2 h, 5 h, 10 h and 10 h), each wait stretched or shrunk by up to 10 % of jitter so that
//! endpoints recovering at once are not hit at once. Jitter is injected, so tests are exact.

use crate::clock::Millis;

const SECOND: Millis = 1000;
const MINUTE: Millis = 60 * SECOND;
const HOUR: Millis = 60 * MINUTE;

/// Svix's schedule: the wait before each attempt, the first being immediate.
pub const SVIX_SCHEDULE: [Millis; 8] = [
    0,
    5 * SECOND,
    5 * MINUTE,
    30 * MINUTE,
    2 * HOUR,
    5 * HOUR,
    10 * HOUR,
    10 * HOUR,
];

/// An endpoint whose every attempt has failed for this long is disabled.
pub const DISABLE_AFTER: Millis = 5 * 24 * HOUR;

/// Jitter as a fraction of the wait: at most ±10 %.
pub const JITTER_FRACTION: f64 = 0.1;

/// A source of jitter: each call returns a value in `[-1.0, 1.0]`.
pub trait Jitter: Send + Sync {
    fn sample(&self) -> f64;
}

/// Uniformly random jitter.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomJitter;

impl Jitter for RandomJitter {
    fn sample(&self) -> f64 {
        use rand::Rng;
        rand::rng().random_range(-1.0..=1.0)
    }
}

/// A fixed sample (0.0: the exact schedule), for tests.
#[derive(Debug, Clone, Copy)]
pub struct FixedJitter(pub f64);

impl Jitter for FixedJitter {
    fn sample(&self) -> f64 {
        self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule {
    /// `waits[i]` is the wait before attempt `i + 1`; `waits[0]` is the first attempt's (0).
    waits: Vec<Millis>,
}

impl Default for RetrySchedule {
    fn default() -> Self {
        Self::svix()
    }
}

impl RetrySchedule {
    pub fn svix() -> Self {
        Self {
            waits: SVIX_SCHEDULE.to_vec(),
        }
    }

    /// A custom schedule: waits in milliseconds, the first one for the first attempt. Refused
    /// when empty, longer than 50 attempts, negative, or over a week per wait.
    pub fn new(waits: Vec<Millis>) -> Result<Self, String> {
        if waits.is_empty() || waits.len() > 50 {
            return Err("a retry schedule has between 1 and 50 attempts".into());
        }
        if waits.iter().any(|w| !(0..=7 * 24 * HOUR).contains(w)) {
            return Err("each wait must be between 0 and 7 days".into());
        }
        Ok(Self { waits })
    }

    /// Parses `0,5s,5m,30m,2h,5h,10h,10h` (units `ms`, `s`, `m`, `h`; a bare number is ms).
    pub fn parse(s: &str) -> Result<Self, String> {
        let waits = s
            .split(',')
            .map(|part| parse_duration_ms(part.trim()))
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(waits)
    }

    pub fn max_attempts(&self) -> u32 {
        self.waits.len() as u32
    }

    pub fn waits(&self) -> &[Millis] {
        &self.waits
    }

    /// After `attempts_made` attempts have failed, how long to wait before the next one, with
    /// jitter; `None` when the schedule is exhausted and the delivery has failed for good.
    pub fn next_wait(&self, attempts_made: u32, jitter: &dyn Jitter) -> Option<Millis> {
        let base = *self.waits.get(attempts_made as usize)?;
        let j = jitter.sample().clamp(-1.0, 1.0) * JITTER_FRACTION;
        Some((base as f64 * (1.0 + j)).round().max(0.0) as Millis)
    }
}

pub fn parse_duration_ms(s: &str) -> Result<Millis, String> {
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "ms"),
    };
    let n: Millis = num
        .parse()
        .map_err(|_| format!("'{s}' is not a duration such as 500ms, 5s, 5m or 2h"))?;
    let scale = match unit {
        "ms" => 1,
        "s" => SECOND,
        "m" => MINUTE,
        "h" => HOUR,
        _ => return Err(format!("'{s}' has an unknown unit (use ms, s, m or h)")),
    };
    n.checked_mul(scale)
        .ok_or_else(|| format!("'{s}' is too long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svix_schedule_without_jitter() {
        let s = RetrySchedule::svix();
        let none = FixedJitter(0.0);
        let waits: Vec<_> = (0..9).map(|n| s.next_wait(n, &none)).collect();
        assert_eq!(
            waits,
            [
                Some(0),
                Some(5_000),
                Some(300_000),
                Some(1_800_000),
                Some(7_200_000),
                Some(18_000_000),
                Some(36_000_000),
                Some(36_000_000),
                None
            ]
        );
        assert_eq!(s.max_attempts(), 8);
    }

    #[test]
    fn jitter_is_bounded_to_ten_percent() {
        let s = RetrySchedule::svix();
        assert_eq!(s.next_wait(1, &FixedJitter(1.0)), Some(5_500));
        assert_eq!(s.next_wait(1, &FixedJitter(-1.0)), Some(4_500));
        assert_eq!(s.next_wait(1, &FixedJitter(7.0)), Some(5_500));
        for _ in 0..1000 {
            let w = s.next_wait(2, &RandomJitter).unwrap();
            assert!((270_000..=330_000).contains(&w));
        }
        assert_eq!(s.next_wait(0, &FixedJitter(1.0)), Some(0));
    }

    #[test]
    fn parses_custom_schedules() {
        assert_eq!(
            RetrySchedule::parse("0,5s,5m,30m,2h,5h,10h,10h").unwrap(),
            RetrySchedule::svix()
        );
        assert_eq!(
            RetrySchedule::parse("0, 100ms, 250").unwrap().waits(),
            [0, 100, 250]
        );
        for bad in ["", "5x", "-1", "1d", "0,,1", "200h"] {
            assert!(RetrySchedule::parse(bad).is_err(), "{bad}");
        }
    }
}
