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
        assert_eq!(busy_from_proc_stat("intr 1 2\n"), None);
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
