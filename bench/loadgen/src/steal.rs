//! When the hypervisor took this virtual machine's CPUs away. On a shared host a vCPU is now and
//! then descheduled for tens of milliseconds; every request in flight then looks that much slower,
//! whatever the server does, and a few such stalls decide a p99 over a few seconds. A thread reads
//! the per-CPU `steal` counters of `/proc/stat` every few milliseconds and keeps the spans in
//! which one grew, so latencies can also be given without the requests that overlapped one.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const EVERY: Duration = Duration::from_millis(5);
/// `/proc/stat` counts in USER_HZ ticks (1/100 s on every Linux Usher targets).
const TICK: Duration = Duration::from_millis(10);

/// Per-CPU steal ticks (`cpuN` lines), in CPU order.
fn per_cpu_steal(stat: &str) -> Vec<u64> {
    stat.lines()
        .filter(|l| l.starts_with("cpu") && !l.starts_with("cpu "))
        .map(|l| {
            l.split_whitespace()
                .nth(8)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        })
        .collect()
}

fn read() -> Option<Vec<u64>> {
    std::fs::read_to_string("/proc/stat")
        .ok()
        .map(|s| per_cpu_steal(&s))
}

/// A span of time in which some CPU was stolen: the stall ended by `to` and lasted up to the
/// stolen time (the kernel books steal when the vCPU runs again), so it started no earlier than
/// `to - stolen - one tick`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: Instant,
    pub to: Instant,
}

pub struct Watch {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<Vec<Span>>>,
}

impl Watch {
    /// Starts watching; `None` where `/proc/stat` has no per-CPU steal.
    pub fn start() -> Option<Self> {
        read().filter(|v| !v.is_empty())?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::Builder::new()
            .name("steal-watch".into())
            .spawn(move || {
                let mut spans = Vec::new();
                let mut last = read().unwrap_or_default();
                let mut last_at = Instant::now();
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EVERY);
                    let Some(now) = read() else { continue };
                    let at = Instant::now();
                    let stolen = now
                        .iter()
                        .zip(&last)
                        .map(|(n, l)| n.saturating_sub(*l))
                        .max()
                        .unwrap_or(0);
                    if stolen > 0 {
                        let back = TICK * (u32::try_from(stolen).unwrap_or(u32::MAX) + 1);
                        let from = at.checked_sub(back).unwrap_or(last_at).min(last_at);
                        spans.push(Span { from, to: at });
                    }
                    last = now;
                    last_at = at;
                }
                spans
            })
            .ok()?;
        Some(Self {
            stop,
            handle: Some(handle),
        })
    }

    /// Stops watching and returns the spans seen.
    pub fn finish(mut self) -> Vec<Span> {
        self.stop.store(true, Ordering::Relaxed);
        self.handle
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default()
    }
}

/// Whether `[from, to]` overlaps any span (spans in the order they were seen, i.e. of `to`).
pub fn overlaps(spans: &[Span], from: Instant, to: Instant) -> bool {
    let i = spans.partition_point(|s| s.to < from);
    spans[i..].iter().any(|s| s.from <= to && s.to >= from)
}

/// How much of `[from, to]` the spans cover (overlapping spans counted once).
pub fn covered(spans: &[Span], from: Instant, to: Instant) -> Duration {
    let mut sorted = spans.to_vec();
    sorted.sort_by_key(|s| s.from);
    let mut total = Duration::ZERO;
    let mut reach = from;
    for s in &sorted {
        let a = s.from.max(reach);
        let b = s.to.min(to);
        if b > a {
            total += b - a;
            reach = b;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_per_cpu_steal() {
        let stat = "cpu  1 2 3 4 5 6 7 80 0 0\ncpu0 1 2 3 4 5 6 7 30 0 0\ncpu1 1 2 3 4 5 6 7 50 0 0\nintr 1\n";
        assert_eq!(per_cpu_steal(stat), vec![30, 50]);
    }

    #[test]
    fn overlap_and_coverage() {
        let t = Instant::now();
        let ms = |n: u64| t + Duration::from_millis(n);
        let spans = vec![
            Span {
                from: ms(10),
                to: ms(20),
            },
            Span {
                from: ms(15),
                to: ms(30),
            },
            Span {
                from: ms(100),
                to: ms(110),
            },
        ];
        assert!(overlaps(&spans, ms(0), ms(12)));
        assert!(overlaps(&spans, ms(25), ms(40)));
        assert!(!overlaps(&spans, ms(31), ms(99)));
        assert!(overlaps(&spans, ms(105), ms(106)));
        assert!(!overlaps(&spans, ms(111), ms(200)));
        assert_eq!(covered(&spans, ms(0), ms(200)), Duration::from_millis(30));
        assert_eq!(covered(&spans, ms(18), ms(105)), Duration::from_millis(17));
    }

    #[test]
    fn watches_this_machine() {
        if let Some(w) = Watch::start() {
            std::thread::sleep(Duration::from_millis(30));
            let spans = w.finish();
            assert!(spans.windows(2).all(|p| p[0].to <= p[1].to));
        }
    }
}
