//! Security signals: a spike detector for failed sign-ins. A minute whose failures exceed the
//! recent normal rate by a configured factor (and an absolute floor, so a quiet instance's
//! first few typos are not a "spike") raises one event, then stays quiet for a cool-down.

use crate::clock::Millis;

const MINUTE_MS: Millis = 60_000;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpikePolicy {
    /// How many times the normal per-minute rate counts as a spike.
    pub factor: f64,
    /// Failures in one minute below this never count as a spike.
    pub min_failures: u64,
    /// After raising, stay quiet this long.
    pub cooldown_ms: Millis,
}

impl Default for SpikePolicy {
    fn default() -> Self {
        Self::failures(50)
    }
}

impl SpikePolicy {
    /// A minute with at least `n` failures and `n` times its recent normal rate is a spike
    /// (`usher serve --sign-in-spike-failures`; 50 by default).
    pub fn failures(n: u64) -> Self {
        let n = n.max(1);
        Self {
            factor: n as f64,
            min_failures: n,
            cooldown_ms: 10 * MINUTE_MS,
        }
    }
}

/// A spike worth raising.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spike {
    pub failures_this_minute: u64,
    pub normal_per_minute: f64,
    pub at: Millis,
}

#[derive(Debug, Clone)]
pub struct SpikeDetector {
    policy: SpikePolicy,
    minute: i64,
    count: u64,
    /// Exponentially weighted average of past minutes' failures (half-life ≈ 10 minutes).
    normal: f64,
    quiet_until: Millis,
}

impl SpikeDetector {
    pub fn new(policy: SpikePolicy) -> Self {
        Self {
            policy,
            minute: i64::MIN,
            count: 0,
            normal: 0.0,
            quiet_until: 0,
        }
    }

    /// Counts one failure at `now`; returns a spike the first time a minute crosses the line.
    pub fn observe(&mut self, now: Millis) -> Option<Spike> {
        let minute = now.div_euclid(MINUTE_MS);
        if minute != self.minute {
            if self.minute != i64::MIN {
                // Minutes without any failure pull the average down too.
                let gap = (minute - self.minute).clamp(1, 1_000) as i32;
                let alpha: f64 = 0.067;
                let mut normal = self.normal * (1.0 - alpha) + self.count as f64 * alpha;
                normal *= (1.0 - alpha).powi(gap - 1);
                self.normal = normal;
            }
            self.minute = minute;
            self.count = 0;
        }
        self.count += 1;
        let threshold =
            (self.normal.max(1.0) * self.policy.factor).max(self.policy.min_failures as f64);
        if self.count as f64 >= threshold && now >= self.quiet_until {
            self.quiet_until = now + self.policy.cooldown_ms;
            return Some(Spike {
                failures_this_minute: self.count,
                normal_per_minute: self.normal,
                at: now,
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storm_raises_once_and_steady_noise_never() {
        let mut d = SpikeDetector::new(SpikePolicy::default());
        // An hour of 2 failures a minute: normal, never a spike.
        for m in 0..60 {
            for _ in 0..2 {
                assert_eq!(d.observe(m * MINUTE_MS), None);
            }
        }
        // A storm of 200 in one minute: 100× normal, raised exactly once.
        let raised: Vec<_> = (0..200).filter_map(|_| d.observe(61 * MINUTE_MS)).collect();
        assert_eq!(raised.len(), 1);
        assert!(raised[0].failures_this_minute >= 50);
        // Still storming the next minute: within the cool-down, quiet.
        assert!((0..200).all(|_| d.observe(62 * MINUTE_MS).is_none()));
    }

    #[test]
    fn a_few_typos_on_a_quiet_instance_are_not_a_spike() {
        let mut d = SpikeDetector::new(SpikePolicy::default());
        assert!((0..49).all(|_| d.observe(0).is_none()));
    }
}
