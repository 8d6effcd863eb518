//! The reference of `bench/front-door/run`: how many Argon2id hashes per second this machine
//! computes with the server's own password code (`usher_core::passwords::digests`) and
//! parameters (m = 19 MiB, t = 2, p = 1), on as many threads as the server's hasher pool. Each
//! thread keeps one Argon2 buffer for all its hashes, as the pool's workers do, and verifies a
//! digest made with the server's parameters: exactly the work of one password sign-in.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use usher_core::passwords::digests;
use usher_core::users::model::PasswordDigest;

pub const CODE: &str =
    "usher_core::passwords::digests::verify of a digest made by digests::hash_argon2id";

/// A digest of `password` with the server's parameters, made the way the server makes them.
pub fn digest_of(password: &str) -> Result<PasswordDigest> {
    let blocks = digests::default_params()
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .block_count();
    let mut memory = vec![Default::default(); blocks];
    digests::hash_argon2id(password.as_bytes(), &mut memory).map_err(|e| anyhow::anyhow!("{e}"))
}

/// CPU seconds the calling thread has run (0 where the kernel does not say).
fn thread_cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0.0, |ns| ns as f64 / 1e9)
}

pub struct HashRate {
    pub threads: usize,
    pub hashes: u64,
    pub seconds: f64,
    /// CPU seconds the threads used for the hashes counted (from each thread's own
    /// `/proc/thread-self/schedstat`), so hashes per CPU-second can be set beside the server's.
    pub cpu_secs: f64,
}

impl HashRate {
    pub fn per_sec(&self) -> f64 {
        self.hashes as f64 / self.seconds
    }

    pub fn to_json(&self) -> Value {
        json!({
            "hashes_per_sec": self.per_sec(),
            "hashes": self.hashes,
            "seconds": self.seconds,
            "threads": self.threads,
            "cpu_secs": self.cpu_secs,
            "hashes_per_cpu_sec": if self.cpu_secs > 0.0 { self.hashes as f64 / self.cpu_secs } else { 0.0 },
            "params": format!(
                "argon2id m={} KiB t={} p={}",
                digests::M_COST_KIB,
                digests::T_COST,
                digests::P_COST
            ),
            "code": CODE,
        })
    }
}

/// `threads` threads verify the same digest for `duration`, each with its own buffer; a hash
/// counts when it finishes inside the window. The window is timed from when all threads have
/// warmed up (one hash each) and start together.
pub fn measure(threads: usize, duration: Duration) -> Result<HashRate> {
    let password = "front-door-reference";
    let digest = Arc::new(digest_of(password)?);
    let barrier = Arc::new(Barrier::new(threads + 1));
    let mut handles = Vec::with_capacity(threads);
    for i in 0..threads {
        let digest = digest.clone();
        let barrier = barrier.clone();
        handles.push(
            std::thread::Builder::new()
                .name(format!("hash-rate-{i}"))
                .spawn(move || -> Result<(u64, f64)> {
                    let mut memory = Vec::new();
                    let ok = digests::verify(password.as_bytes(), &digest, &mut memory)
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    barrier.wait();
                    if !ok {
                        bail!("the reference digest does not verify");
                    }
                    let start = Instant::now();
                    let cpu_start = thread_cpu_secs();
                    let mut cpu_end = cpu_start;
                    let mut hashes = 0u64;
                    loop {
                        std::hint::black_box(
                            digests::verify(password.as_bytes(), &digest, &mut memory)
                                .map_err(|e| anyhow::anyhow!("{e}"))?,
                        );
                        if start.elapsed() > duration {
                            break;
                        }
                        hashes += 1;
                        cpu_end = thread_cpu_secs();
                    }
                    Ok((hashes, cpu_end - cpu_start))
                })
                .context("start a hashing thread")?,
        );
    }
    barrier.wait();
    let (mut hashes, mut cpu_secs) = (0, 0.0);
    for h in handles {
        let (n, cpu) = h
            .join()
            .map_err(|_| anyhow::anyhow!("a hashing thread panicked"))??;
        hashes += n;
        cpu_secs += cpu;
    }
    // Each thread counts the hashes it finished within `duration` of the common start.
    Ok(HashRate {
        threads,
        hashes,
        seconds: duration.as_secs_f64(),
        cpu_secs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_measurement_counts_hashes() -> Result<()> {
        let r = measure(1, Duration::from_millis(300))?;
        assert_eq!(r.threads, 1);
        assert!(r.per_sec() >= 0.0);
        assert_eq!(r.to_json()["threads"], 1);
        Ok(())
    }
}
