//! The closed-loop load: C connections, each sending its next mint request as soon as the last
//! one is answered, against sessions picked by a seeded RNG.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use hyper::Method;
use hyper::body::Bytes;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::time::{Instant, MissedTickBehavior};

use crate::fixture::{jwt_of, tokens_path};
use crate::http::Client;
use crate::procfs;
use crate::stats::Errors;

/// A request unanswered this long is counted as a timeout and its connection replaced.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const RSS_SAMPLE_EVERY: Duration = Duration::from_millis(100);

pub struct Config {
    pub addr: SocketAddr,
    pub secret_key: String,
    pub connections: usize,
    pub warmup: Duration,
    pub duration: Duration,
    pub seed: u64,
    pub server_pid: u32,
}

#[derive(Default)]
pub struct Phase {
    pub ok: u64,
    pub errors: Errors,
}

#[derive(Default)]
struct Worker {
    warmup: Phase,
    measured: Phase,
    /// Latencies of the measured successes, µs.
    latencies_us: Vec<u32>,
    connects: u64,
}

pub struct Outcome {
    pub warmup: Phase,
    pub measured: Phase,
    pub latencies_us: Vec<u32>,
    /// Length of the measured window: responses completing inside it are counted.
    pub measured_secs: f64,
    /// Wall time between the two CPU readings that bracket the measured window.
    pub cpu_window_secs: f64,
    /// Connections opened beyond the first one per worker.
    pub reconnects: u64,
    pub rss_peak_kb: u64,
    pub rss_samples: u64,
    /// CPU seconds the server / this process used during the measured window.
    pub server_cpu_secs: f64,
    pub loadgen_cpu_secs: f64,
}

/// Each connection gets its own stream derived from the one seed, so a run is reproducible
/// whatever order the connections are scheduled in.
fn worker_rng(seed: u64, worker: usize) -> StdRng {
    StdRng::seed_from_u64(seed ^ (worker as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

async fn worker(
    index: usize,
    mut client: Client,
    paths: Arc<Vec<String>>,
    seed: u64,
    measure_from: Instant,
    until: Instant,
) -> Worker {
    let mut rng = worker_rng(seed, index);
    let mut w = Worker::default();
    while Instant::now() < until {
        let path = &paths[rng.random_range(0..paths.len())];
        let sent = Instant::now();
        let result = tokio::time::timeout(
            REQUEST_TIMEOUT,
            client.send(Method::POST, path, Bytes::new()),
        )
        .await;
        let done = Instant::now();
        if done > until {
            break;
        }
        let measured = done >= measure_from;
        let phase = if measured {
            &mut w.measured
        } else {
            &mut w.warmup
        };
        match result {
            Ok(Ok(res)) if res.status == 200 => {
                if jwt_of(&res.body).is_some() {
                    phase.ok += 1;
                    if measured {
                        let us = done.duration_since(sent).as_micros();
                        w.latencies_us.push(u32::try_from(us).unwrap_or(u32::MAX));
                    }
                } else {
                    phase.errors.bad_body += 1;
                    phase.errors.note(|| {
                        format!(
                            "POST {path} -> 200 without a jwt: {}",
                            String::from_utf8_lossy(&res.body)
                        )
                    });
                }
            }
            Ok(Ok(res)) => {
                *phase.errors.status.entry(res.status.as_u16()).or_default() += 1;
                phase.errors.note(|| {
                    format!(
                        "POST {path} -> {} {}",
                        res.status,
                        String::from_utf8_lossy(&res.body)
                    )
                });
            }
            Ok(Err(e)) => {
                phase.errors.transport += 1;
                phase.errors.note(|| format!("POST {path}: {e:#}"));
                // Do not spin on a dead server; the next send reconnects.
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(_) => {
                phase.errors.timeout += 1;
                phase
                    .errors
                    .note(|| format!("POST {path}: no response within {REQUEST_TIMEOUT:?}"));
                client.drop_connection();
            }
        }
    }
    w.connects = client.connects;
    w
}

pub async fn run(cfg: &Config, session_ids: &[String]) -> Result<Outcome> {
    let paths: Arc<Vec<String>> = Arc::new(session_ids.iter().map(|s| tokens_path(s)).collect());
    let start = Instant::now();
    let measure_from = start + cfg.warmup;
    let until = measure_from + cfg.duration;

    let mut workers = Vec::with_capacity(cfg.connections);
    for i in 0..cfg.connections {
        let client = Client::new(cfg.addr, Some(&cfg.secret_key))?;
        workers.push(tokio::spawn(worker(
            i,
            client,
            paths.clone(),
            cfg.seed,
            measure_from,
            until,
        )));
    }

    let pid = cfg.server_pid;
    let sampler = tokio::spawn(async move {
        let mut peak = 0u64;
        let mut samples = 0u64;
        let mut tick = tokio::time::interval(RSS_SAMPLE_EVERY);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        while Instant::now() < until {
            tick.tick().await;
            if let Ok(m) = procfs::memory(pid) {
                peak = peak.max(m.rss_kb);
                samples += 1;
            }
        }
        (peak, samples)
    });

    let server = pid.to_string();
    let server_cpu = |server: &str| {
        procfs::cpu_seconds(server)
            .with_context(|| format!("the server (pid {pid}) exited during the load"))
    };
    tokio::time::sleep_until(measure_from).await;
    let (server_cpu0, self_cpu0) = (server_cpu(&server)?, procfs::cpu_seconds("self")?);
    let window_start = Instant::now();
    tokio::time::sleep_until(until).await;
    let (server_cpu1, self_cpu1) = (server_cpu(&server)?, procfs::cpu_seconds("self")?);
    let cpu_window_secs = window_start.elapsed().as_secs_f64();

    let mut out = Outcome {
        warmup: Phase::default(),
        measured: Phase::default(),
        latencies_us: Vec::new(),
        measured_secs: cfg.duration.as_secs_f64(),
        cpu_window_secs,
        reconnects: 0,
        rss_peak_kb: 0,
        rss_samples: 0,
        server_cpu_secs: server_cpu1 - server_cpu0,
        loadgen_cpu_secs: self_cpu1 - self_cpu0,
    };
    for handle in workers {
        let w = handle.await.context("a load worker failed")?;
        out.warmup.ok += w.warmup.ok;
        out.warmup.errors.merge(&w.warmup.errors);
        out.measured.ok += w.measured.ok;
        out.measured.errors.merge(&w.measured.errors);
        out.latencies_us.extend(w.latencies_us);
        out.reconnects += w.connects.saturating_sub(1);
    }
    let (peak, samples) = sampler.await.context("the RSS sampler failed")?;
    out.rss_peak_kb = peak;
    out.rss_samples = samples;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_fixes_every_connections_picks() {
        let picks = |seed, worker| -> Vec<usize> {
            let mut rng = worker_rng(seed, worker);
            (0..20).map(|_| rng.random_range(0..100)).collect()
        };
        assert_eq!(picks(42, 3), picks(42, 3));
        assert_ne!(picks(42, 3), picks(42, 4));
        assert_ne!(picks(42, 3), picks(43, 3));
    }
}
