//! A fixed pool of OS threads that hash and verify passwords. Each worker keeps its own Argon2
//! memory between jobs (a fresh 19 MiB buffer per hash costs more in page faults than the hash),
//! and the bounded queue means a burst of sign-ins waits here instead of starving the async
//! runtime that serves everything else.
//!
//! By default the pool has a thread per core but one ([`default_workers`]), and its threads run
//! at a lower scheduling priority than the rest of the process (nice 10, on Linux, where that is
//! a per-thread setting): while hashes are queued (a password-guessing storm keeps them queued)
//! a runtime or database thread that wakes up gets a core at once instead of waiting out a
//! hasher's time slice, and the hashers still get every cycle nothing else wants.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use argon2::Block;
use tokio::sync::{Mutex, mpsc, oneshot};

use super::digests;
use crate::error::{CoreError, CoreResult};
use crate::users::model::PasswordDigest;

enum Job {
    Hash {
        password: String,
        reply: oneshot::Sender<CoreResult<PasswordDigest>>,
    },
    Verify {
        password: String,
        digest: PasswordDigest,
        reply: oneshot::Sender<CoreResult<bool>>,
    },
}

struct Queued {
    job: Job,
    enqueued: Instant,
}

/// Counters the metrics endpoint reads.
#[derive(Debug, Default)]
pub struct PoolStats {
    pub jobs_done: AtomicU64,
    pub queue_wait_micros_total: AtomicU64,
    pub queue_wait_micros_max: AtomicU64,
    pub queued: AtomicU64,
}

#[derive(Clone)]
pub struct HasherPool {
    tx: mpsc::Sender<Queued>,
    stats: Arc<PoolStats>,
    workers: usize,
}

/// A worker idle this long gives its Argon2 memory back.
const RELEASE_MEMORY_AFTER: Duration = Duration::from_secs(10);

/// Waits longer than this are logged: the pool is too small for the sign-in rate.
const SLOW_QUEUE_WAIT: Duration = Duration::from_millis(250);

/// The hashing threads' nice value: weight 110 against the default 1024 when they compete for a
/// core with the rest of the process.
const HASHER_NICE: i32 = 10;

/// Lowers the calling thread's scheduling priority to [`HASHER_NICE`]. Linux keeps the nice
/// value per thread; elsewhere `setpriority` would lower the whole process, so it is left alone.
#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: gettid and setpriority take and return plain integers and touch no memory.
    let tid = unsafe { libc::gettid() };
    let rc = unsafe { libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, HASHER_NICE) };
    if rc != 0 {
        tracing::debug!(
            error = %std::io::Error::last_os_error(),
            "cannot lower the password hashing thread's priority"
        );
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

/// The default number of hashing threads on a machine with `cores` cores: all but one, so that
/// however many hashes are queued (a password-guessing storm keeps them queued) one core is left
/// for the requests of users already signed in: on two cores, token refreshes kept their quiet
/// p99 under a storm with one hasher and took 8–14× longer with two (`bench/front-door/run`).
pub fn default_workers(cores: usize) -> usize {
    cores.saturating_sub(1).max(1)
}

impl HasherPool {
    /// `workers` threads and room for `queue` waiting jobs.
    pub fn start(workers: usize, queue: usize) -> CoreResult<Self> {
        let workers = workers.max(1);
        let (tx, rx) = mpsc::channel::<Queued>(queue.max(1));
        let rx = Arc::new(Mutex::new(rx));
        let stats = Arc::new(PoolStats::default());
        for i in 0..workers {
            let rx = rx.clone();
            let stats = stats.clone();
            std::thread::Builder::new()
                .name(format!("usher-hasher-{i}"))
                .spawn(move || worker(rx, stats))
                .map_err(|e| CoreError::Crypto(format!("cannot start hasher thread: {e}")))?;
        }
        Ok(Self { tx, stats, workers })
    }

    pub fn workers(&self) -> usize {
        self.workers
    }

    pub fn stats(&self) -> &PoolStats {
        &self.stats
    }

    pub async fn hash(&self, password: String) -> CoreResult<PasswordDigest> {
        let (reply, rx) = oneshot::channel();
        self.submit(Job::Hash { password, reply }).await?;
        rx.await.map_err(|_| CoreError::Overloaded)?
    }

    pub async fn verify(&self, password: String, digest: PasswordDigest) -> CoreResult<bool> {
        let (reply, rx) = oneshot::channel();
        self.submit(Job::Verify {
            password,
            digest,
            reply,
        })
        .await?;
        rx.await.map_err(|_| CoreError::Overloaded)?
    }

    async fn submit(&self, job: Job) -> CoreResult<()> {
        self.stats.queued.fetch_add(1, Ordering::Relaxed);
        let sent = self
            .tx
            .send(Queued {
                job,
                enqueued: Instant::now(),
            })
            .await;
        if sent.is_err() {
            self.stats.queued.fetch_sub(1, Ordering::Relaxed);
            return Err(CoreError::Overloaded);
        }
        Ok(())
    }
}

fn worker(rx: Arc<Mutex<mpsc::Receiver<Queued>>>, stats: Arc<PoolStats>) {
    lower_priority();
    let block_count = digests::default_params()
        .map(|p| p.block_count())
        .unwrap_or(0);
    // The worker only needs a timer, to notice when it has been idle.
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    else {
        tracing::error!("cannot start a password hashing worker");
        return;
    };
    // Allocated on first use and kept while jobs keep coming; released after a quiet spell so an
    // idle server does not hold 19 MiB per worker.
    let mut memory: Vec<Block> = Vec::new();
    loop {
        let next = rt.block_on(async {
            let receive = async { rx.lock().await.recv().await };
            if memory.is_empty() {
                return Ok(receive.await);
            }
            // Waiting for the lock counts as idle too: another worker may be first in line.
            tokio::time::timeout(RELEASE_MEMORY_AFTER, receive).await
        });
        let next = match next {
            Ok(next) => next,
            Err(_idle) => {
                memory = Vec::new();
                continue;
            }
        };
        let Some(Queued { job, enqueued }) = next else {
            return;
        };
        if memory.len() < block_count {
            memory = vec![Block::default(); block_count];
        }
        stats.queued.fetch_sub(1, Ordering::Relaxed);
        let waited = enqueued.elapsed();
        let micros = waited.as_micros() as u64;
        stats
            .queue_wait_micros_total
            .fetch_add(micros, Ordering::Relaxed);
        stats
            .queue_wait_micros_max
            .fetch_max(micros, Ordering::Relaxed);
        if waited > SLOW_QUEUE_WAIT {
            tracing::warn!(
                wait_ms = waited.as_millis() as u64,
                "password hashing queue is backing up"
            );
        }
        // Counted before replying, so a caller that has its answer also sees it in the stats.
        match job {
            Job::Hash { password, reply } => {
                let result = digests::hash_argon2id(password.as_bytes(), &mut memory);
                stats.jobs_done.fetch_add(1, Ordering::Relaxed);
                let _ = reply.send(result);
            }
            Job::Verify {
                password,
                digest,
                reply,
            } => {
                let result = digests::verify(password.as_bytes(), &digest, &mut memory);
                // An imported digest with bigger parameters may have grown the buffer; give it back.
                if memory.len() > block_count {
                    memory.truncate(block_count);
                    memory.shrink_to_fit();
                }
                stats.jobs_done.fetch_add(1, Ordering::Relaxed);
                let _ = reply.send(result);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_and_verifies_concurrently() {
        let pool = HasherPool::start(2, 8).unwrap();
        let mut handles = Vec::new();
        for i in 0..4 {
            let pool = pool.clone();
            handles.push(tokio::spawn(async move {
                let pw = format!("password-{i}");
                let d = pool.hash(pw.clone()).await.unwrap();
                (
                    pool.verify(pw, d.clone()).await.unwrap(),
                    pool.verify("other".into(), d).await.unwrap(),
                )
            }));
        }
        for h in handles {
            assert_eq!(h.await.unwrap(), (true, false));
        }
        assert_eq!(pool.stats().jobs_done.load(Ordering::Relaxed), 12);
    }

    #[test]
    fn the_default_pool_leaves_a_core_for_requests() {
        assert_eq!(default_workers(1), 1);
        assert_eq!(default_workers(2), 1);
        assert_eq!(default_workers(8), 7);
        assert_eq!(default_workers(0), 1);
    }

    /// The nice value of every thread of this process named `usher-hasher-*`.
    #[cfg(target_os = "linux")]
    fn hasher_nice_values() -> Vec<i64> {
        let mut values = Vec::new();
        for task in std::fs::read_dir("/proc/self/task").unwrap() {
            let path = task.unwrap().path();
            let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
            if !comm.starts_with("usher-hasher-") {
                continue;
            }
            let stat = std::fs::read_to_string(path.join("stat")).unwrap_or_default();
            // Field 19 is the nice value; fields are counted after the parenthesised name.
            let after = &stat[stat.rfind(')').unwrap() + 1..];
            values.push(after.split_whitespace().nth(16).unwrap().parse().unwrap());
        }
        values
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_yield_to_the_rest_of_the_process() {
        let pool = HasherPool::start(2, 8).unwrap();
        // Each worker lowers its priority before taking its first job.
        let mut handles = Vec::new();
        for _ in 0..4 {
            let pool = pool.clone();
            handles.push(tokio::spawn(async move {
                pool.hash("pw".into()).await.unwrap()
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        // Other tests' pools may have just spawned theirs: wait until every hashing thread of the
        // process has started (a liveness bound, not a timing figure).
        let mut nice = hasher_nice_values();
        for _ in 0..500 {
            if nice.iter().all(|&n| n == i64::from(HASHER_NICE)) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
            nice = hasher_nice_values();
        }
        assert!(nice.len() >= 2, "{nice:?}");
        assert!(
            nice.iter().all(|&n| n == i64::from(HASHER_NICE)),
            "{nice:?}"
        );
        drop(pool);
    }
}
