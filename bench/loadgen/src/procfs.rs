//! What the benchmark reads about the server process from `/proc/PID`.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};

fn status(pid: u32) -> Result<String> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("read /proc/{pid}/status"))
}

fn field<'a>(status: &'a str, name: &str) -> Option<&'a str> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .map(str::trim)
}

/// A `kB` field of `/proc/PID/status` (`VmRSS`, `VmHWM`), in kB.
fn kb_field(status: &str, name: &str) -> Option<u64> {
    field(status, name)?.strip_suffix("kB")?.trim().parse().ok()
}

#[derive(Debug, Clone, Default)]
pub struct Memory {
    pub rss_kb: u64,
    pub hwm_kb: u64,
}

pub fn memory(pid: u32) -> Result<Memory> {
    let s = status(pid)?;
    Ok(Memory {
        rss_kb: kb_field(&s, "VmRSS").context("no VmRSS")?,
        hwm_kb: kb_field(&s, "VmHWM").context("no VmHWM")?,
    })
}

#[derive(Debug, Clone, Default)]
pub struct ProcInfo {
    pub threads: u64,
    pub cpus_allowed: String,
}

pub fn info(pid: u32) -> Result<ProcInfo> {
    let s = status(pid)?;
    Ok(ProcInfo {
        threads: field(&s, "Threads")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        cpus_allowed: field(&s, "Cpus_allowed_list").unwrap_or("?").to_owned(),
    })
}

/// Alive and not a zombie.
pub fn alive(pid: u32) -> bool {
    match status(pid) {
        Ok(s) => field(&s, "State").is_some_and(|st| !st.starts_with('Z') && !st.starts_with('X')),
        Err(_) => false,
    }
}

/// User + system CPU time of the whole process (all threads), in seconds. Linux reports it in
/// USER_HZ ticks, which is 100 on every architecture Usher targets.
pub fn cpu_seconds(pid: &str) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("read /proc/{pid}/stat"))?;
    cpu_seconds_from_stat(&stat).with_context(|| format!("parse /proc/{pid}/stat"))
}

fn cpu_seconds_from_stat(stat: &str) -> Option<f64> {
    let fields = stat_fields(stat)?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}

/// The fields of `/proc/PID/stat` after the command name (which may contain spaces), starting at
/// field 3, `state`.
fn stat_fields(stat: &str) -> Option<Vec<&str>> {
    Some(stat[stat.rfind(')')? + 1..].split_whitespace().collect())
}

fn parent_from_stat(stat: &str) -> Option<u32> {
    stat_fields(stat)?.get(1)?.parse().ok()
}

/// CPU seconds of `root` and of every process descending from it (a database server and its
/// backends), by pid. Processes that vanish while `/proc` is read are skipped.
pub fn tree_cpu_seconds(root: u32) -> Result<BTreeMap<u32, f64>> {
    let mut stats = Vec::new();
    for entry in std::fs::read_dir("/proc").context("read /proc")? {
        let Ok(entry) = entry else { continue };
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) {
            stats.push((pid, stat));
        }
    }
    let parents: BTreeMap<u32, u32> = stats
        .iter()
        .filter_map(|(pid, stat)| Some((*pid, parent_from_stat(stat)?)))
        .collect();
    let in_tree = |mut pid: u32| {
        // Parent links are acyclic; the depth bound only guards against a torn read.
        for _ in 0..64 {
            if pid == root {
                return true;
            }
            match parents.get(&pid) {
                Some(&parent) if parent != 0 && parent != pid => pid = parent,
                _ => return false,
            }
        }
        false
    };
    let tree: BTreeMap<u32, f64> = stats
        .iter()
        .filter(|(pid, _)| in_tree(*pid))
        .filter_map(|(pid, stat)| Some((*pid, cpu_seconds_from_stat(stat)?)))
        .collect();
    if !tree.contains_key(&root) {
        bail!("no process {root}");
    }
    Ok(tree)
}

/// What the threads of one kind in a process (`usher-hasher-0`, `usher-hasher-1`, … are one
/// kind) have had: CPU time, time spent runnable but waiting for a CPU (the run-queue delay from
/// `/proc/PID/task/TID/schedstat`), and how many times they were scheduled in.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ThreadGroup {
    pub threads: u64,
    pub cpu_secs: f64,
    pub wait_secs: f64,
    pub slices: u64,
}

/// A thread's kind: its name without trailing digits and separators
/// (`tokio-runtime-worker`, `usher-hasher`, `sqlx-sqlite-worker`).
fn thread_kind(comm: &str) -> String {
    comm.trim_end()
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .trim_end_matches(['-', '_', ' ', '.', ':'])
        .to_owned()
}

fn schedstat_fields(s: &str) -> Option<(f64, f64, u64)> {
    let mut f = s.split_whitespace();
    let run_ns: u64 = f.next()?.parse().ok()?;
    let wait_ns: u64 = f.next()?.parse().ok()?;
    let slices: u64 = f.next()?.parse().ok()?;
    Some((run_ns as f64 / 1e9, wait_ns as f64 / 1e9, slices))
}

/// Every thread of `pid`, by kind. CPU time comes from `schedstat` (nanoseconds) when the kernel
/// has it, else from `stat` (ticks); threads that vanish while being read are skipped.
pub fn thread_groups(pid: u32) -> Result<BTreeMap<String, ThreadGroup>> {
    let mut groups: BTreeMap<String, ThreadGroup> = BTreeMap::new();
    let dir = format!("/proc/{pid}/task");
    for entry in std::fs::read_dir(&dir).with_context(|| format!("read {dir}"))? {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        let Ok(comm) = std::fs::read_to_string(path.join("comm")) else {
            continue;
        };
        let sched = std::fs::read_to_string(path.join("schedstat"))
            .ok()
            .and_then(|s| schedstat_fields(&s));
        let (cpu, wait, slices) = match sched {
            Some(v) => v,
            None => match std::fs::read_to_string(path.join("stat"))
                .ok()
                .and_then(|s| cpu_seconds_from_stat(&s))
            {
                Some(cpu) => (cpu, 0.0, 0),
                None => continue,
            },
        };
        let g = groups.entry(thread_kind(&comm)).or_default();
        g.threads += 1;
        g.cpu_secs += cpu;
        g.wait_secs += wait;
        g.slices += slices;
    }
    Ok(groups)
}

/// What each kind of thread had between two readings (threads that ended in between are lost;
/// the server's threads live as long as it does).
pub fn thread_groups_delta(
    before: &BTreeMap<String, ThreadGroup>,
    after: &BTreeMap<String, ThreadGroup>,
) -> BTreeMap<String, ThreadGroup> {
    after
        .iter()
        .map(|(kind, a)| {
            let b = before.get(kind).copied().unwrap_or_default();
            (
                kind.clone(),
                ThreadGroup {
                    threads: a.threads,
                    cpu_secs: (a.cpu_secs - b.cpu_secs).max(0.0),
                    wait_secs: (a.wait_secs - b.wait_secs).max(0.0),
                    slices: a.slices.saturating_sub(b.slices),
                },
            )
        })
        .collect()
}

/// CPU seconds the whole machine spent busy (user, nice, system, irq, softirq: every core
/// together) since boot, from `/proc/stat`; what other processes took is this minus ours.
pub fn machine_busy_seconds() -> Result<f64> {
    let stat = std::fs::read_to_string("/proc/stat").context("read /proc/stat")?;
    busy_from_proc_stat(&stat).context("parse /proc/stat")
}

fn busy_from_proc_stat(stat: &str) -> Option<f64> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().ok())
        .collect::<Option<_>>()?;
    // user nice system idle iowait irq softirq steal …
    let busy = [0, 1, 2, 5, 6]
        .iter()
        .map(|&i| ticks.get(i).copied())
        .sum::<Option<u64>>()?;
    Some(busy as f64 / 100.0)
}

/// CPU seconds the hypervisor gave to something else while this machine's CPUs wanted to run
/// (`steal` in `/proc/stat`, every core together): on a virtual machine, time in which nothing
/// here ran at all.
pub fn machine_steal_seconds() -> Result<f64> {
    let stat = std::fs::read_to_string("/proc/stat").context("read /proc/stat")?;
    steal_from_proc_stat(&stat).context("parse /proc/stat")
}

fn steal_from_proc_stat(stat: &str) -> Option<f64> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let steal: u64 = line.split_whitespace().nth(8)?.parse().ok()?;
    Some(steal as f64 / 100.0)
}

/// The CPU model, for the record.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_status_fields() {
        let s = "Name:\tusher\nState:\tS (sleeping)\nVmHWM:\t   20480 kB\nVmRSS:\t   18000 kB\nThreads:\t3\nCpus_allowed_list:\t0\n";
        assert_eq!(kb_field(s, "VmRSS"), Some(18000));
        assert_eq!(kb_field(s, "VmHWM"), Some(20480));
        assert_eq!(field(s, "Threads"), Some("3"));
        assert_eq!(field(s, "Cpus_allowed_list"), Some("0"));
        assert_eq!(kb_field(s, "VmSwap"), None);
    }

    #[test]
    fn reads_cpu_ticks_past_a_command_name_with_spaces() {
        let stat = "42 (a b) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 100 1000 200";
        assert_eq!(cpu_seconds_from_stat(stat), Some(3.0));
        assert_eq!(parent_from_stat(stat), Some(1));
    }

    #[test]
    fn machine_busy_time_leaves_out_idle_iowait_and_steal() {
        let stat = "cpu  100 20 30 5000 40 5 6 70 0 0\ncpu0 50 10 15 2500 20 2 3 35 0 0\n";
        assert_eq!(busy_from_proc_stat(stat), Some(1.61));
        assert_eq!(steal_from_proc_stat(stat), Some(0.7));
        assert_eq!(busy_from_proc_stat("intr 1 2\n"), None);
    }

    #[test]
    fn threads_are_grouped_by_kind() -> Result<()> {
        assert_eq!(thread_kind("usher-hasher-1\n"), "usher-hasher");
        assert_eq!(thread_kind("tokio-runtime-w"), "tokio-runtime-w");
        assert_eq!(thread_kind("sqlx-sqlite-worker-12"), "sqlx-sqlite-worker");
        assert_eq!(
            schedstat_fields("2000000000 500000000 7\n"),
            Some((2.0, 0.5, 7))
        );
        let before = BTreeMap::from([(
            "a".to_owned(),
            ThreadGroup {
                threads: 2,
                cpu_secs: 1.0,
                wait_secs: 0.5,
                slices: 10,
            },
        )]);
        let after = BTreeMap::from([
            (
                "a".to_owned(),
                ThreadGroup {
                    threads: 2,
                    cpu_secs: 1.5,
                    wait_secs: 0.75,
                    slices: 14,
                },
            ),
            (
                "b".to_owned(),
                ThreadGroup {
                    threads: 1,
                    cpu_secs: 0.25,
                    wait_secs: 0.0,
                    slices: 1,
                },
            ),
        ]);
        let d = thread_groups_delta(&before, &after);
        assert_eq!(
            d["a"],
            ThreadGroup {
                threads: 2,
                cpu_secs: 0.5,
                wait_secs: 0.25,
                slices: 4
            }
        );
        assert_eq!(d["b"].cpu_secs, 0.25);
        let own = thread_groups(std::process::id())?;
        assert!(own.values().map(|g| g.threads).sum::<u64>() >= 1);
        Ok(())
    }

    #[test]
    fn own_process_is_readable() -> Result<()> {
        let pid = std::process::id();
        assert!(alive(pid));
        assert!(memory(pid)?.rss_kb > 0);
        assert!(cpu_seconds("self")? >= 0.0);
        assert!(tree_cpu_seconds(pid)?.contains_key(&pid));
        Ok(())
    }
}
