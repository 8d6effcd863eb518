//! `fd-report`: the summary of `bench/front-door/run` from the runs' JSON files: refresh latency
//! quiet vs under the storm (per round, the ratio of the p99s, and the median ratio over the
//! rounds), what the attacker got, and password sign-ins per second vs the raw Argon2id rate of
//! the same number of threads (per round, and the median ratio).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::args::Flags;
use crate::frontdoor::{read_json, write_json};
use crate::procfs;
use crate::report::unix_time;
use crate::stats;

/// Goals printed beside the figures; reported, never asserted.
pub const GOAL_P99_RATIO_MAX: f64 = 2.0;
pub const GOAL_SIGN_IN_PCT_MIN: f64 = 85.0;
/// Refreshes per server CPU-second from many addresses, as a share of the few-addresses figure.
pub const GOAL_MANY_ADDRESSES_RATIO_MIN: f64 = 0.95;

fn f(v: &Value, ptr: &str) -> Option<f64> {
    v.pointer(ptr).and_then(Value::as_f64)
}

fn fz(v: &Value, ptr: &str) -> f64 {
    f(v, ptr).unwrap_or(0.0)
}

/// A whole-number figure (a count, a run's configuration), 0 when absent.
fn uz(v: &Value, ptr: &str) -> u64 {
    v.pointer(ptr).and_then(Value::as_u64).unwrap_or(0)
}

/// The median of the values (the mean of the two middle ones for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// The mean over the runs of the figure at `ptr` (a run without it counts as 0).
fn mean_at(runs: &[Value], ptr: &str) -> f64 {
    mean(&runs.iter().map(|r| fz(r, ptr)).collect::<Vec<_>>())
}

/// Per-round figures as the report prints them: `places` decimals, comma-separated.
fn per_round(values: &[f64], places: usize) -> String {
    values
        .iter()
        .map(|v| format!("{v:.places$}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn pooled(runs: &[Value]) -> Option<stats::Latency> {
    let mut all: Vec<u32> = runs
        .iter()
        .filter_map(|r| r.get("latencies_us").and_then(Value::as_array))
        .flatten()
        .filter_map(|v| v.as_u64().and_then(|v| u32::try_from(v).ok()))
        .collect();
    stats::latency(&mut all)
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

/// The server's async runtime threads: `usher serve` names them `usher-worker`; a runtime with
/// tokio's default names has `tokio-runtime-w(orker)`.
const ASYNC_WORKERS: &str = "async";

fn thread_figure(run: &Value, kind: &str, field: &str) -> f64 {
    if kind == ASYNC_WORKERS {
        return ["usher-worker", "tokio-runtime-w"]
            .iter()
            .map(|k| thread_figure(run, k, field))
            .sum();
    }
    fz(run, &format!("/usage/server_threads/{kind}/{field}"))
}

/// The p99 of a refresh run without the requests a hypervisor stall overlapped.
fn steady_p99(run: &Value) -> String {
    f(run, "/without_steal/latency_ms/p99").map_or_else(|| "-".into(), |v| format!("{v:.2}"))
}

/// The server-side p99 bound of a refresh run (`-` without the server's histogram).
fn bound(run: &Value) -> String {
    f(run, "/server_side_latency/p99_ms_at_most").map_or_else(|| "-".into(), |v| format!("{v}"))
}

fn load_all(paths: &[String]) -> Result<Vec<Value>> {
    paths.iter().map(|p| read_json(Path::new(p))).collect()
}

/// One reference out of the raw rates measured just before and just after a sign-in round: their
/// mean, so that the machine's speed drifting during the round (a shared host's neighbours come
/// and go) moves the reference as it moves the sign-ins.
fn bracket(before: Value, after: &Value) -> Value {
    let mean_of = |ptr: &str| (fz(&before, ptr) + fz(after, ptr)) / 2.0;
    let mut merged = before.clone();
    merged["hashes_per_sec"] = json!(mean_of("/hashes_per_sec"));
    merged["hashes_per_cpu_sec"] = json!(mean_of("/hashes_per_cpu_sec"));
    merged["before"] = before;
    merged["after"] = after.clone();
    merged
}

pub fn run(mut flags: Flags) -> Result<()> {
    let quiet = load_all(&flags.all("quiet"))?;
    let storm = load_all(&flags.all("storm"))?;
    let attack = load_all(&flags.all("attack"))?;
    let hash = load_all(&flags.all("hash-rate"))?;
    let hash_after = load_all(&flags.all("hash-rate-after"))?;
    let sign_in = load_all(&flags.all("sign-in"))?;
    let few = load_all(&flags.all("few"))?;
    let many = load_all(&flags.all("many"))?;
    let out = PathBuf::from(flags.str("out")?);
    let json_out = flags.opt_str("json")?.map(PathBuf::from);
    let commit = flags.opt_str("commit")?.unwrap_or_else(|| "unknown".into());
    let note = flags.opt_str("note")?.unwrap_or_default();
    let command = flags.opt_str("command")?.unwrap_or_default();
    let hashers: u64 = flags.get("hashers", 0)?;
    flags.finish()?;
    let addresses_only = quiet.is_empty()
        && storm.is_empty()
        && attack.is_empty()
        && hash.is_empty()
        && sign_in.is_empty()
        && !few.is_empty();
    if addresses_only {
        let (body, json) = addresses(&few, &many)?;
        let text =
            format!("Usher front door: many addresses\ncommit {commit}; {note}\n{command}\n{body}");
        std::fs::create_dir_all(out.parent().unwrap_or(Path::new(".")))?;
        std::fs::write(&out, &text).with_context(|| format!("write {}", out.display()))?;
        if let Some(j) = &json_out {
            write_json(
                j,
                &json!({ "commit": commit, "note": note, "command": command, "addresses": json }),
            )?;
        }
        print!("{text}");
        println!("written to {}", out.display());
        return Ok(());
    }
    if quiet.is_empty() || quiet.len() != storm.len() || storm.len() != attack.len() {
        bail!(
            "give as many --quiet, --storm and --attack runs (one each per round; got {}, {}, {})",
            quiet.len(),
            storm.len(),
            attack.len()
        );
    }
    if hash.is_empty() || hash.len() != sign_in.len() {
        bail!(
            "give one --hash-rate per --sign-in run (got {} and {})",
            hash.len(),
            sign_in.len()
        );
    }
    if !hash_after.is_empty() && hash_after.len() != hash.len() {
        bail!(
            "give one --hash-rate-after per --hash-rate run, or none (got {} and {})",
            hash_after.len(),
            hash.len()
        );
    }
    let hash = if hash_after.is_empty() {
        hash
    } else {
        hash.into_iter()
            .zip(&hash_after)
            .map(|(before, after)| bracket(before, after))
            .collect()
    };
    let (mut text, mut json) = summarise(
        &quiet, &storm, &attack, &hash, &sign_in, &commit, &note, &command, hashers,
    )?;
    if !few.is_empty() || !many.is_empty() {
        let (t, j) = addresses(&few, &many)?;
        text.push_str(&t);
        if let Some(o) = json.as_object_mut() {
            o.insert("addresses".into(), j);
        }
    }
    std::fs::create_dir_all(out.parent().unwrap_or(Path::new(".")))?;
    std::fs::write(&out, &text).with_context(|| format!("write {}", out.display()))?;
    if let Some(j) = &json_out {
        write_json(j, &json)?;
    }
    print!("{text}");
    println!("written to {}", out.display());
    Ok(())
}

/// Refreshes per second of the server's CPU with few addresses (each browser its own) and with
/// many (a fresh address per refresh, over a table filled with 10,000 and more), the median
/// of each over the rounds, and their ratio.
pub fn addresses(few: &[Value], many: &[Value]) -> Result<(String, Value)> {
    if few.is_empty() || few.len() != many.len() {
        bail!(
            "give as many --few as --many runs (got {} and {})",
            few.len(),
            many.len()
        );
    }
    let per_cpu = |runs: &[Value]| -> Vec<f64> {
        runs.iter()
            .filter_map(|r| f(r, "/refreshes_per_server_cpu_sec"))
            .collect()
    };
    let (few_v, many_v) = (per_cpu(few), per_cpu(many));
    let few_m = median(&few_v);
    let many_m = median(&many_v);
    let ratio = few_m.zip(many_m).map(|(a, b)| b / a);
    let errors: u64 = few.iter().chain(many).map(|r| uz(r, "/errors/total")).sum();
    let addresses: u64 = many
        .iter()
        .filter_map(|r| r.pointer("/addresses_used").and_then(Value::as_u64))
        .sum();
    let fill = many
        .first()
        .and_then(|r| r.pointer("/config/fill").and_then(Value::as_u64))
        .unwrap_or(0);
    let table = |runs: &[Value]| -> String {
        runs.iter()
            .map(|r| {
                f(r, "/server_rate_limit_counters")
                    .map_or_else(|| "-".into(), |v| format!("{v:.0}"))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut t = String::new();
    t.push_str("\nRefreshes per server CPU-second, few addresses vs many\n");
    t.push_str(&format!(
        "  few addresses (one per browser):                    {} (rounds: {})\n",
        few_m.map_or_else(|| "-".into(), |v| format!("{v:.0}")),
        per_round(&few_v, 0)
    ));
    t.push_str(&format!(
        "  many addresses (a fresh one per refresh, {addresses} in all, table filled with {fill}): {} (rounds: {})\n",
        many_m.map_or_else(|| "-".into(), |v| format!("{v:.0}")),
        per_round(&many_v, 0)
    ));
    t.push_str(&format!(
        "  the server's rate-limit counters at the end of each run: few {}; many {}\n",
        table(few),
        table(many)
    ));
    t.push_str(&format!(
        "  refreshes per CPU-second many / few addresses: {} (goal ≥ {GOAL_MANY_ADDRESSES_RATIO_MIN:.2}); errors {errors}\n",
        ratio.map_or_else(|| "-".into(), |v| format!("{v:.3}")),
    ));
    let j = json!({
        "few_per_cpu_sec": few_v, "many_per_cpu_sec": many_v,
        "few_median": few_m, "many_median": many_m, "ratio": ratio,
        "goal_ratio_min": GOAL_MANY_ADDRESSES_RATIO_MIN,
        "addresses": addresses, "fill": fill, "errors": errors,
    });
    Ok((t, j))
}

#[allow(clippy::too_many_arguments)]
pub fn summarise(
    quiet: &[Value],
    storm: &[Value],
    attack: &[Value],
    hash: &[Value],
    sign_in: &[Value],
    commit: &str,
    note: &str,
    command: &str,
    hashers: u64,
) -> Result<(String, Value)> {
    // ---- 1. refresh latency, quiet vs storm
    let mut rounds = Vec::new();
    let mut ratios = Vec::new();
    // The same without the requests that overlapped a hypervisor stall (where watched).
    let mut steady_ratios = Vec::new();
    for ((q, s), a) in quiet.iter().zip(storm).zip(attack) {
        let steady = f(q, "/without_steal/latency_ms/p99")
            .zip(f(s, "/without_steal/latency_ms/p99"))
            .map(|(q, s)| s / q);
        if let Some(r) = steady {
            steady_ratios.push(r);
        }
        let (qp99, sp99) = (
            f(q, "/latency_ms/p99").context("a quiet run has no p99")?,
            f(s, "/latency_ms/p99").context("a storm run has no p99")?,
        );
        let ratio = sp99 / qp99;
        ratios.push(ratio);
        rounds.push(json!({
            "quiet": { "p50_ms": f(q, "/latency_ms/p50"), "p99_ms": qp99, "ok": q["ok"], "errors": q.pointer("/errors/total") },
            "storm": { "p50_ms": f(s, "/latency_ms/p50"), "p99_ms": sp99, "ok": s["ok"], "errors": s.pointer("/errors/total") },
            "p99_ratio": ratio,
            "p99_ratio_without_stalls": steady,
            "attacker": {
                "attempts_per_sec": a["attempts_per_sec"], "requests_per_sec": a["requests_per_sec"],
                "hashed": a["hashed"], "throttled": a["throttled"], "locked": a["locked"],
                "other": a.pointer("/other/total"),
                "server_hashes_per_sec": a.pointer("/server/hashes_per_sec"),
                "hash_queue_nonempty_pct": a.pointer("/server/queue_nonempty_pct"),
            },
        }));
    }
    let median_ratio = median(&ratios).unwrap_or(f64::NAN);
    let median_steady = median(&steady_ratios);
    let stalled = |runs: &[Value]| -> (f64, u64) {
        (
            runs.iter()
                .map(|r| fz(r, "/without_steal/stalled_ms"))
                .sum(),
            runs.iter()
                .filter_map(|r| r.pointer("/without_steal/excluded").and_then(Value::as_u64))
                .sum(),
        )
    };
    let (quiet_stalled_ms, quiet_excluded) = stalled(quiet);
    let (storm_stalled_ms, storm_excluded) = stalled(storm);
    let pq = pooled(quiet);
    let ps = pooled(storm);
    let sum = |runs: &[Value], key: &str| -> u64 {
        runs.iter()
            .filter_map(|r| r.get(key).and_then(Value::as_u64))
            .sum()
    };
    let (hashed, throttled, locked) = (
        sum(attack, "hashed"),
        sum(attack, "throttled"),
        sum(attack, "locked"),
    );
    let attack_other: u64 = attack.iter().map(|a| uz(a, "/other/total")).sum();
    let attempts = sum(attack, "attempts");
    let attempts_per_sec = mean_at(attack, "/attempts_per_sec");
    let requests_per_sec = mean_at(attack, "/requests_per_sec");
    let server_hps = mean_at(attack, "/server/hashes_per_sec");
    let queue_busy = mean_at(attack, "/server/queue_nonempty_pct");
    let attacker_cpu = mean_at(attack, "/own_cpu_pct");
    let refresh_errors: u64 = quiet
        .iter()
        .chain(storm)
        .map(|r| uz(r, "/errors/total"))
        .sum();

    // ---- 2. sign-ins vs the raw hash rate
    let mut sign_rounds = Vec::new();
    let mut pcts = Vec::new();
    let mut cpu_pcts = Vec::new();
    for (h, s) in hash.iter().zip(sign_in) {
        let raw = f(h, "/hashes_per_sec").context("a hash-rate run has no rate")?;
        let rate = f(s, "/sign_ins_per_sec").context("a sign-in run has no rate")?;
        let pct = 100.0 * rate / raw;
        pcts.push(pct);
        // Per CPU-second: what the server got out of the CPU it had, beside what the reference
        // threads got out of theirs; other processes taking CPU changes neither much.
        let server_cpu = fz(s, "/usage/server_cpu_pct") / 100.0;
        let per_cpu = (server_cpu > 0.0 && fz(h, "/hashes_per_cpu_sec") > 0.0)
            .then(|| 100.0 * (rate / server_cpu) / fz(h, "/hashes_per_cpu_sec"));
        if let Some(p) = per_cpu {
            cpu_pcts.push(p);
        }
        sign_rounds.push(json!({
            "hashes_per_sec": raw, "threads": h["threads"], "sign_ins_per_sec": rate, "ratio_pct": pct,
            "per_cpu_sec_ratio_pct": per_cpu,
            "hashes_per_sign_in": s["hashes_per_sign_in"], "errors": s.pointer("/errors/total"),
            "p50_ms": f(s, "/latency_ms/p50"), "p99_ms": f(s, "/latency_ms/p99"),
        }));
    }
    let median_pct = median(&pcts).unwrap_or(f64::NAN);
    let median_cpu_pct = median(&cpu_pcts);
    let raw_rates: Vec<f64> = hash.iter().map(|h| fz(h, "/hashes_per_sec")).collect();
    let sign_rates: Vec<f64> = sign_in.iter().map(|s| fz(s, "/sign_ins_per_sec")).collect();
    let hashes_per_sign_in = mean_at(sign_in, "/hashes_per_sign_in");
    let sign_errors: u64 = sign_in.iter().map(|s| uz(s, "/errors/total")).sum();
    let ref_threads = hash
        .first()
        .and_then(|h| h["threads"].as_u64())
        .unwrap_or(0);
    let ps_lat = pooled(sign_in);

    // ---- text
    let cpu_model = procfs::cpu_model();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let q0 = &quiet[0];
    let a0 = &attack[0];
    let mut t = String::new();
    let _ = writeln!(t, "Front door under attack (bench/front-door/run)");
    let _ = writeln!(
        t,
        "  commit {commit}; {cpu_model}, {cores} cores; unix time {}",
        unix_time()
    );
    if !command.is_empty() {
        let _ = writeln!(t, "  command: {command}");
    }
    if !note.is_empty() {
        let _ = writeln!(t, "  {note}");
    }
    let _ = writeln!(
        t,
        "  refresh: {} browsers, each POST /v1/client/sessions/{{sid}}/tokens every {} ms (open loop, {:.0}/s); {} rounds of {} s warm-up + {} s measured, quiet then storm",
        uz(q0, "/config/browsers"),
        uz(q0, "/config/period_ms"),
        fz(q0, "/config/scheduled_per_sec"),
        quiet.len(),
        fz(q0, "/config/warmup_secs"),
        fz(q0, "/config/duration_secs"),
    );
    let _ = writeln!(
        t,
        "  storm: {} connections at full speed, {} attempts per spoofed address (X-Forwarded-For), {} victim accounts; server hasher pool: {} threads",
        uz(a0, "/config/connections"),
        uz(a0, "/config/per_address"),
        uz(a0, "/config/victims"),
        hashers,
    );
    let s0 = &sign_in[0];
    let _ = writeln!(
        t,
        "  sign-in: {} connections, closed loop, a new browser and address per sign-in over {} users; reference: {} thread(s) of digests::verify (argon2id m=19456 KiB t=2 p=1)",
        uz(s0, "/config/connections"),
        uz(s0, "/config/users"),
        ref_threads,
    );
    let _ = writeln!(t);
    let _ = writeln!(t, "| figure | measured | goal |");
    let _ = writeln!(t, "|---|---|---|");
    let ms = |l: Option<stats::Latency>, p: fn(&stats::Latency) -> f64| {
        l.map_or_else(|| "-".into(), |l| format!("{:.2}", p(&l)))
    };
    let _ = writeln!(
        t,
        "| refresh p50 / p99, quiet (pooled) | {} / {} ms | |",
        ms(pq, |l| l.p50_ms),
        ms(pq, |l| l.p99_ms)
    );
    let _ = writeln!(
        t,
        "| refresh p50 / p99, under the storm (pooled) | {} / {} ms | |",
        ms(ps, |l| l.p50_ms),
        ms(ps, |l| l.p99_ms)
    );
    let _ = writeln!(
        t,
        "| **refresh p99 storm / quiet, median of rounds** | **{median_ratio:.2}×** (rounds: {}) | < {GOAL_P99_RATIO_MAX:.0}× {} |",
        per_round(&ratios, 2),
        met(median_ratio < GOAL_P99_RATIO_MAX)
    );
    if let Some(m) = median_steady {
        let _ = writeln!(
            t,
            "| the same without the requests a hypervisor stall overlapped | {m:.2}× (rounds: {}; stalls took {:.0} / {:.0} ms of the quiet / storm windows, {quiet_excluded} / {storm_excluded} requests left out) | |",
            per_round(&steady_ratios, 2),
            quiet_stalled_ms,
            storm_stalled_ms,
        );
    }
    let _ = writeln!(
        t,
        "| attacker rate | {attempts_per_sec:.0} attempts/s ({requests_per_sec:.0} requests/s) | |"
    );
    let pct_of = |n: u64| {
        if attempts > 0 {
            100.0 * n as f64 / attempts as f64
        } else {
            0.0
        }
    };
    let _ = writeln!(
        t,
        "| attacker attempts: hashed / throttled (429) / locked / other | {hashed} ({:.1} %) / {throttled} ({:.1} %) / {locked} / {attack_other} | |",
        pct_of(hashed),
        pct_of(throttled)
    );
    let _ = writeln!(
        t,
        "| server hashing during the storm | {server_hps:.1} hashes/s, queue non-empty in {queue_busy:.0} % of samples | saturated |"
    );
    let _ = writeln!(
        t,
        "| raw Argon2id rate, {ref_threads} thread(s) (per round) | {} hashes/s | reference |",
        per_round(&raw_rates, 1)
    );
    let _ = writeln!(
        t,
        "| password sign-ins through the Frontend API (per round) | {} sign-ins/s | |",
        per_round(&sign_rates, 1)
    );
    let _ = writeln!(
        t,
        "| **sign-ins / raw hash rate, median of rounds** | **{median_pct:.1} %** (rounds: {}) | ≥ {GOAL_SIGN_IN_PCT_MIN:.0} % {} |",
        per_round(&pcts, 1),
        met(median_pct >= GOAL_SIGN_IN_PCT_MIN)
    );
    let _ = writeln!(
        t,
        "| sign-ins per server CPU-second / hashes per reference CPU-second, median | {} | |",
        median_cpu_pct.map_or_else(|| "-".into(), |p| format!("{p:.1} %"))
    );
    let _ = writeln!(
        t,
        "| sign-in latency p50 / p99 (pooled); server hashes per sign-in | {} / {} ms; {hashes_per_sign_in:.2} | |",
        ms(ps_lat, |l| l.p50_ms),
        ms(ps_lat, |l| l.p99_ms)
    );
    let _ = writeln!(
        t,
        "| errors: refreshes / sign-ins | {refresh_errors} / {sign_errors} | 0 |"
    );
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "Per round (CPU as % of one core over the measured window; run-queue wait: time the server's async workers were runnable but had no CPU, ms per second):"
    );
    for (i, ((q, s), a)) in quiet.iter().zip(storm).zip(attack).enumerate() {
        let _ = writeln!(
            t,
            "  {}: quiet p50/p99 {:.2}/{:.2} ms, storm {:.2}/{:.2} ms, ratio {:.2}× (p99 inside the server ≤ {} / {} ms; without stalled requests {} / {} ms); attacker {:.0} attempts/s ({} hashed, {} throttled, {} locked, {} other), server {:.1} hashes/s",
            i + 1,
            fz(q, "/latency_ms/p50"),
            fz(q, "/latency_ms/p99"),
            fz(s, "/latency_ms/p50"),
            fz(s, "/latency_ms/p99"),
            ratios[i],
            bound(q),
            bound(s),
            steady_p99(q),
            steady_p99(s),
            fz(a, "/attempts_per_sec"),
            a["hashed"].as_u64().unwrap_or(0),
            a["throttled"].as_u64().unwrap_or(0),
            a["locked"].as_u64().unwrap_or(0),
            uz(a, "/other/total"),
            fz(a, "/server/hashes_per_sec"),
        );
        for (label, r) in [("quiet", q), ("storm", s)] {
            let _ = writeln!(
                t,
                "     {label}: server {:.0} % (async workers {:.0} %, run-queue wait {:.1} ms/s; hashers {:.0} %; sqlite {:.0} %), refresher {:.0} %, other processes {:.0} %{}, stolen by the hypervisor {:.1} %",
                fz(r, "/usage/server_cpu_pct"),
                thread_figure(r, ASYNC_WORKERS, "cpu_pct"),
                thread_figure(r, ASYNC_WORKERS, "runqueue_wait_ms_per_sec"),
                thread_figure(r, "usher-hasher", "cpu_pct"),
                thread_figure(r, "sqlx-sqlite-wor", "cpu_pct"),
                fz(r, "/usage/own_cpu_pct"),
                fz(r, "/usage/other_cpu_pct"),
                if label == "storm" {
                    format!(" (the attacker {:.0} % of it)", fz(a, "/own_cpu_pct"))
                } else {
                    String::new()
                },
                fz(r, "/usage/steal_pct"),
            );
        }
    }
    for (i, (h, s)) in hash.iter().zip(sign_in).enumerate() {
        let _ = writeln!(
            t,
            "  sign-in {}: raw {:.1} hashes/s ({:.1} per CPU-second), {:.1} sign-ins/s = {:.1} %; server {:.0} % (hashers {:.0} %, async workers {:.0} %, sqlite {:.0} %), load generator {:.0} %, other processes {:.0} %, stolen {:.1} %",
            i + 1,
            fz(h, "/hashes_per_sec"),
            fz(h, "/hashes_per_cpu_sec"),
            fz(s, "/sign_ins_per_sec"),
            pcts[i],
            fz(s, "/usage/server_cpu_pct"),
            thread_figure(s, "usher-hasher", "cpu_pct"),
            thread_figure(s, ASYNC_WORKERS, "cpu_pct"),
            thread_figure(s, "sqlx-sqlite-wor", "cpu_pct"),
            fz(s, "/usage/own_cpu_pct"),
            fz(s, "/usage/other_cpu_pct"),
            fz(s, "/usage/steal_pct"),
        );
    }
    let json = json!({
        "benchmark": "front-door",
        "commit": commit, "cpu_model": cpu_model, "cores": cores, "unix_time": unix_time(),
        "command": command, "note": note, "hasher_threads": hashers,
        "refresh": {
            "median_p99_ratio": median_ratio, "p99_ratios": ratios,
            "median_p99_ratio_without_stalls": median_steady, "p99_ratios_without_stalls": steady_ratios,
            "stalled_ms": { "quiet": quiet_stalled_ms, "storm": storm_stalled_ms },
            "excluded_for_stalls": { "quiet": quiet_excluded, "storm": storm_excluded },
            "goal_p99_ratio_max": GOAL_P99_RATIO_MAX, "met": median_ratio < GOAL_P99_RATIO_MAX,
            "quiet_pooled_ms": pq.map(|l| json!({"p50": l.p50_ms, "p99": l.p99_ms, "max": l.max_ms})),
            "storm_pooled_ms": ps.map(|l| json!({"p50": l.p50_ms, "p99": l.p99_ms, "max": l.max_ms})),
            "errors": refresh_errors,
            "rounds": rounds,
        },
        "attacker": {
            "attempts": attempts, "attempts_per_sec": attempts_per_sec, "requests_per_sec": requests_per_sec,
            "hashed": hashed, "throttled": throttled, "locked": locked, "other": attack_other,
            "server_hashes_per_sec": server_hps, "hash_queue_nonempty_pct": queue_busy,
            "cpu_pct": attacker_cpu,
        },
        "sign_in": {
            "median_ratio_pct": median_pct, "ratios_pct": pcts,
            "median_per_cpu_sec_ratio_pct": median_cpu_pct,
            "goal_ratio_pct_min": GOAL_SIGN_IN_PCT_MIN, "met": median_pct >= GOAL_SIGN_IN_PCT_MIN,
            "hashes_per_sign_in": hashes_per_sign_in, "errors": sign_errors,
            "rounds": sign_rounds,
        },
        "runs": { "quiet": strip(quiet), "storm": strip(storm), "attack": attack, "hash_rate": hash, "sign_in": strip(sign_in) },
    });
    Ok((t, json))
}

/// The runs without their raw latencies (the summary has the percentiles).
fn strip(runs: &[Value]) -> Vec<Value> {
    runs.iter()
        .map(|r| {
            let mut r = r.clone();
            if let Some(o) = r.as_object_mut() {
                o.remove("latencies_us");
            }
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn compares_refreshes_per_cpu_second() -> Result<()> {
        let run = |per_cpu: f64| {
            json!({"refreshes_per_server_cpu_sec": per_cpu, "errors": {"total": 0},
                                        "addresses_used": 100, "config": {"fill": 12000}})
        };
        let (text, json) = addresses(
            &[run(1000.0), run(900.0), run(1100.0)],
            &[run(960.0), run(990.0), run(400.0)],
        )?;
        assert_eq!(json["few_median"], 1000.0);
        assert_eq!(json["many_median"], 960.0);
        assert!((json["ratio"].as_f64().unwrap_or(0.0) - 0.96).abs() < 1e-9);
        assert!(text.contains("many / few addresses: 0.960"), "{text}");
        assert!(addresses(&[run(1.0)], &[]).is_err());
        Ok(())
    }

    #[test]
    fn summarises_rounds() -> Result<()> {
        let refresh = |p50: f64, p99: f64| {
            json!({ "ok": 10, "errors": {"total": 0}, "latency_ms": {"p50": p50, "p99": p99},
                    "config": {"browsers": 100, "period_ms": 500, "scheduled_per_sec": 200.0,
                               "warmup_secs": 1.0, "duration_secs": 5.0},
                    "latencies_us": [1000, 2000] })
        };
        let attack = json!({ "attempts": 100, "attempts_per_sec": 20.0, "requests_per_sec": 30.0,
                             "hashed": 20, "throttled": 80, "locked": 0, "other": {"total": 0},
                             "server": {"hashes_per_sec": 40.0, "queue_nonempty_pct": 100.0},
                             "config": {"connections": 16, "per_address": 200, "victims": 1000} });
        let hash = json!({ "hashes_per_sec": 50.0, "threads": 2 });
        let sign_in = json!({ "sign_ins_per_sec": 45.0, "hashes_per_sign_in": 1.0, "errors": {"total": 0},
                              "config": {"connections": 16, "users": 200} });
        let (text, json) = summarise(
            &[refresh(1.0, 2.0), refresh(1.0, 2.0), refresh(1.0, 4.0)],
            &[refresh(1.0, 3.0), refresh(1.0, 5.0), refresh(1.0, 4.0)],
            &[attack.clone(), attack.clone(), attack],
            &[hash.clone(), hash],
            &[sign_in.clone(), sign_in],
            "abc",
            "",
            "",
            2,
        )?;
        // Round ratios 1.5, 2.5, 1.0: the median is 1.5.
        assert_eq!(json["refresh"]["median_p99_ratio"].as_f64(), Some(1.5));
        assert_eq!(json["sign_in"]["median_ratio_pct"].as_f64(), Some(90.0));
        assert!(text.contains("**1.50×**"));
        assert!(text.contains("**90.0 %**"));
        assert!(text.contains("60 (20.0 %) / 240 (80.0 %)"));
        Ok(())
    }
}
