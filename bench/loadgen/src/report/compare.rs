//! `compare`: load runs (one JSON document each) side by side, pooled per backend and scenario.

use super::*;

/// One `usher-bench load` run: a scenario against one deployment (one or more nodes).
pub struct LoadRun {
    /// The deployment, e.g. `PostgreSQL, 2 nodes`.
    pub label: String,
    pub database: String,
    pub scenario: &'static str,
    pub endpoint: String,
    pub apis: Vec<String>,
    pub connections: usize,
    pub seed: u64,
    pub warmup_secs: f64,
    pub users: usize,
    pub sessions: usize,
    pub organizations: usize,
    pub memberships: usize,
    /// Mint only: one token per node, checked against that node's JWKS.
    pub token_checks: Vec<TokenCheck>,
    pub outcome: Outcome,
}

impl LoadRun {
    fn throughput(&self) -> f64 {
        self.outcome.measured.ok as f64 / self.outcome.measured_secs
    }

    fn latency(&self) -> Option<stats::Latency> {
        let mut samples = self.outcome.latencies_us.clone();
        stats::latency(&mut samples)
    }

    pub fn to_json(&self) -> Value {
        let o = &self.outcome;
        let window = o.cpu_window_secs;
        json!({
            "label": self.label,
            "database": self.database,
            "scenario": self.scenario,
            "endpoint": self.endpoint,
            "nodes": self.apis.len(),
            "apis": self.apis,
            "config": {
                "connections": self.connections,
                "http": "HTTP/1.1 keep-alive, closed loop; connection i talks to node i mod nodes",
                "seed": self.seed,
                "warmup_secs": self.warmup_secs,
                "duration_secs": o.measured_secs,
                "users": self.users,
                "sessions": self.sessions,
                "organizations": self.organizations,
                "memberships": self.memberships,
            },
            "token_checks": self.token_checks.iter().map(|c| json!({
                "kid": c.kid, "issuer": c.issuer, "bytes": c.token_bytes, "verdict": c.verdict,
            })).collect::<Vec<_>>(),
            "results": {
                "requests_per_sec": self.throughput(),
                "ok": o.measured.ok,
                "per_node_ok": o.per_target_ok,
                "errors": o.measured.errors.to_json(),
                "warmup_ok": o.warmup.ok,
                "warmup_errors": o.warmup.errors.to_json(),
                "reconnects": o.reconnects,
                "latency_ms": self.latency().map(|l| json!({
                    "p50": l.p50_ms, "p90": l.p90_ms, "p99": l.p99_ms, "max": l.max_ms, "mean": l.mean_ms,
                })),
                "cpu_pct": {
                    "servers": cpu_pct(o.server_cpu_secs, window),
                    "per_server": o.per_server_cpu_secs.iter().map(|s| cpu_pct(*s, window)).collect::<Vec<_>>(),
                    "database": o.db_cpu_secs.map(|s| cpu_pct(s, window)),
                    "loadgen": cpu_pct(o.loadgen_cpu_secs, window),
                    "other_processes": o.other_cpu_secs().map(|s| cpu_pct(s, window)),
                },
                "servers_rss_peak_kb": o.rss_peak_kb,
            },
            // For `compare`, which pools the rounds' samples (and leaves them out of its record).
            "latencies_us": o.latencies_us,
        })
    }

    /// One line for the log of `bench/backends/run`.
    pub fn line(&self) -> String {
        let lat = self.latency().map_or_else(
            || "-".to_owned(),
            |l| format!("p50 {:.2} ms, p99 {:.2} ms", l.p50_ms, l.p99_ms),
        );
        format!(
            "{} / {}: {:.0} requests/s, {lat}, errors {}",
            self.label,
            self.scenario,
            self.throughput(),
            self.outcome.measured.errors.summary()
        )
    }
}

/// `12345.6` → `12,346`.
pub(super) fn thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn f64_at(v: &Value, path: &[&str]) -> Option<f64> {
    path.iter().try_fold(v, |v, k| v.get(k))?.as_f64()
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_str)
        .unwrap_or("?")
}

/// The rounds of one deployment under one scenario, pooled: requests/s over the total measured
/// time, latency percentiles over every sample, CPU shares averaged over the rounds.
struct Pooled {
    requests_per_sec: f64,
    rounds_requests_per_sec: Vec<f64>,
    latency: Option<stats::Latency>,
    errors: u64,
    per_node_ok: Vec<u64>,
    cpu_pct: serde_json::Map<String, Value>,
}

impl Pooled {
    fn of(runs: &[&Value]) -> Self {
        let mut ok = 0u64;
        let mut secs = 0.0;
        let mut samples: Vec<u32> = Vec::new();
        let mut errors = 0u64;
        let mut per_node_ok: Vec<u64> = Vec::new();
        // Sums and counts per key; lists (per server) element by element.
        let mut cpu: BTreeMap<String, (f64, usize)> = BTreeMap::new();
        let mut cpu_lists: BTreeMap<String, Vec<(f64, usize)>> = BTreeMap::new();
        let mut rounds = Vec::new();
        for run in runs {
            let r = &run["results"];
            ok += r["ok"].as_u64().unwrap_or(0);
            secs += f64_at(run, &["config", "duration_secs"]).unwrap_or(0.0);
            rounds.push(f64_at(r, &["requests_per_sec"]).unwrap_or(0.0));
            errors += r["errors"]["total"].as_u64().unwrap_or(0);
            if let Some(lat) = run["latencies_us"].as_array() {
                samples.extend(lat.iter().filter_map(|v| u32::try_from(v.as_u64()?).ok()));
            }
            for (i, n) in r["per_node_ok"]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
            {
                if per_node_ok.len() <= i {
                    per_node_ok.resize(i + 1, 0);
                }
                per_node_ok[i] += n.as_u64().unwrap_or(0);
            }
            for (k, v) in r["cpu_pct"].as_object().into_iter().flatten() {
                if let Some(v) = v.as_f64() {
                    let e = cpu.entry(k.clone()).or_default();
                    e.0 += v;
                    e.1 += 1;
                } else if let Some(list) = v.as_array() {
                    let sums = cpu_lists.entry(k.clone()).or_default();
                    for (i, v) in list.iter().enumerate() {
                        if sums.len() <= i {
                            sums.resize(i + 1, (0.0, 0));
                        }
                        if let Some(v) = v.as_f64() {
                            sums[i].0 += v;
                            sums[i].1 += 1;
                        }
                    }
                }
            }
        }
        Self {
            requests_per_sec: if secs > 0.0 { ok as f64 / secs } else { 0.0 },
            rounds_requests_per_sec: rounds,
            latency: stats::latency(&mut samples),
            errors,
            per_node_ok,
            cpu_pct: cpu
                .into_iter()
                .map(|(k, (sum, n))| (k, json!(sum / n as f64)))
                .chain(cpu_lists.into_iter().map(|(k, sums)| {
                    let means: Vec<Option<f64>> = sums
                        .iter()
                        .map(|(sum, n)| (*n > 0).then(|| sum / *n as f64))
                        .collect();
                    (k, json!(means))
                }))
                .collect(),
        }
    }

    fn cpu(&self, key: &str) -> String {
        self.cpu_pct
            .get(key)
            .and_then(Value::as_f64)
            .map_or_else(|| "-".to_owned(), |v| format!("{v:.0}"))
    }

    fn to_json(&self, ratio: Option<f64>) -> Value {
        json!({
            "requests_per_sec": self.requests_per_sec,
            "ratio_to_first": ratio,
            "rounds_requests_per_sec": self.rounds_requests_per_sec,
            "latency_ms": self.latency.map(|l| json!({
                "p50": l.p50_ms, "p90": l.p90_ms, "p99": l.p99_ms, "max": l.max_ms, "mean": l.mean_ms,
            })),
            "errors": self.errors,
            "per_node_ok": self.per_node_ok,
            "cpu_pct": self.cpu_pct,
        })
    }
}

/// The runs of `usher-bench load` side by side: deployments as columns (in the order first seen,
/// the first being the baseline of the ratios), scenarios as row groups, the rounds of each
/// deployment and scenario pooled. Fails unless every run had the same load (connections, seed,
/// warm-up, duration).
pub fn compare(runs: &[Value], commit: &str, note: &str) -> anyhow::Result<(String, Value)> {
    let Some(first) = runs.first() else {
        anyhow::bail!("nothing to compare");
    };
    let load_keys = ["connections", "seed", "warmup_secs", "duration_secs"];
    let load_of = |run: &Value| -> Vec<Value> {
        load_keys
            .iter()
            .map(|k| run["config"][*k].clone())
            .collect()
    };
    for run in runs {
        if load_of(run) != load_of(first) {
            anyhow::bail!(
                "runs {:?}/{:?} and {:?}/{:?} had different loads: {:?} vs {:?}",
                str_at(first, &["label"]),
                str_at(first, &["scenario"]),
                str_at(run, &["label"]),
                str_at(run, &["scenario"]),
                load_of(first),
                load_of(run)
            );
        }
    }
    let mut labels: Vec<&str> = Vec::new();
    let mut scenarios: Vec<&str> = Vec::new();
    for run in runs {
        let (l, s) = (str_at(run, &["label"]), str_at(run, &["scenario"]));
        if !labels.contains(&l) {
            labels.push(l);
        }
        if !scenarios.contains(&s) {
            scenarios.push(s);
        }
    }
    let pooled = |label: &str, scenario: &str| {
        let group: Vec<&Value> = runs
            .iter()
            .filter(|r| str_at(r, &["label"]) == label && str_at(r, &["scenario"]) == scenario)
            .collect();
        (!group.is_empty()).then(|| Pooled::of(&group))
    };
    let rounds = labels
        .iter()
        .flat_map(|l| scenarios.iter().map(move |s| (*l, *s)))
        .map(|(l, s)| {
            runs.iter()
                .filter(|r| str_at(r, &["label"]) == l && str_at(r, &["scenario"]) == s)
                .count()
        })
        .max()
        .unwrap_or(0);

    let width = labels.iter().map(|l| l.len()).max().unwrap_or(0).max(20);
    let mut t = String::new();
    let cfg = &first["config"];
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "Usher by deployment: {} connections (HTTP/1.1 keep-alive, closed loop), seed {}",
        cfg["connections"], cfg["seed"]
    );
    let _ = writeln!(
        t,
        "  rounds     {rounds} per deployment and scenario, each {} s warm-up + {} s measured, deployments interleaved",
        cfg["warmup_secs"], cfg["duration_secs"]
    );
    let organizations = match (cfg["organizations"].as_u64(), cfg["memberships"].as_u64()) {
        (Some(o), Some(m)) => format!(", {o} organizations with {m} memberships"),
        _ => String::new(),
    };
    let _ = writeln!(
        t,
        "  fixture    {} users, {} sessions{organizations}; commit {}",
        cfg["users"], cfg["sessions"], commit
    );
    let _ = writeln!(t, "  machine    {}, {} cores", procfs::cpu_model(), cores());
    if !note.is_empty() {
        let _ = writeln!(t, "  placement  {note}");
    }
    let row = |t: &mut String, name: &str, cells: &[String]| {
        let mut line = format!("  {name:<30}");
        for c in cells {
            let _ = write!(line, " {c:>width$}");
        }
        let _ = writeln!(t, "{}", line.trim_end());
    };
    let _ = writeln!(t);
    row(
        &mut t,
        "",
        &labels.iter().map(|l| (*l).to_owned()).collect::<Vec<_>>(),
    );
    let mut summary = serde_json::Map::new();
    for scenario in &scenarios {
        let cols: Vec<Option<Pooled>> = labels.iter().map(|l| pooled(l, scenario)).collect();
        let base = cols
            .first()
            .and_then(Option::as_ref)
            .map(|p| p.requests_per_sec)
            .filter(|b| *b > 0.0);
        let ratio = |p: &Pooled| base.map(|b| p.requests_per_sec / b);
        let cell = |f: &dyn Fn(&Pooled) -> String| -> Vec<String> {
            cols.iter()
                .map(|c| c.as_ref().map_or_else(|| "-".to_owned(), f))
                .collect()
        };
        let endpoint = runs
            .iter()
            .find(|r| str_at(r, &["scenario"]) == *scenario)
            .map_or("?", |r| str_at(r, &["endpoint"]));
        let _ = writeln!(t, "  {}", "-".repeat(30 + (width + 1) * labels.len()));
        let _ = writeln!(t, "  {scenario}: {endpoint}");
        row(
            &mut t,
            "  requests/s",
            &cell(&|p| thousands(p.requests_per_sec)),
        );
        row(
            &mut t,
            &format!("  ratio to {}", labels.first().copied().unwrap_or("?")),
            &cell(&|p| ratio(p).map_or_else(|| "-".into(), |x| format!("{x:.2}×"))),
        );
        row(
            &mut t,
            "  rounds: lowest – highest",
            &cell(&|p| {
                let lo = p
                    .rounds_requests_per_sec
                    .iter()
                    .copied()
                    .fold(f64::INFINITY, f64::min);
                let hi = p
                    .rounds_requests_per_sec
                    .iter()
                    .copied()
                    .fold(0.0, f64::max);
                format!("{} – {}", thousands(lo), thousands(hi))
            }),
        );
        row(
            &mut t,
            "  latency p50 / p99",
            &cell(&|p| {
                p.latency.map_or_else(
                    || "-".into(),
                    |l| format!("{:.2} / {:.2} ms", l.p50_ms, l.p99_ms),
                )
            }),
        );
        row(&mut t, "  errors", &cell(&|p| p.errors.to_string()));
        row(
            &mut t,
            "  requests per node",
            &cell(&|p| {
                let total: u64 = p.per_node_ok.iter().sum();
                if p.per_node_ok.len() < 2 || total == 0 {
                    "all".into()
                } else {
                    p.per_node_ok
                        .iter()
                        .map(|n| format!("{:.0}", 100.0 * *n as f64 / total as f64))
                        .collect::<Vec<_>>()
                        .join(" / ")
                        + " %"
                }
            }),
        );
        row(
            &mut t,
            "  CPU %: Usher/PG/load/other",
            &cell(&|p| {
                format!(
                    "{} / {} / {} / {}",
                    p.cpu("servers"),
                    p.cpu("database"),
                    p.cpu("loadgen"),
                    p.cpu("other_processes")
                )
            }),
        );
        let per_label: serde_json::Map<String, Value> = labels
            .iter()
            .zip(&cols)
            .filter_map(|(l, c)| {
                let p = c.as_ref()?;
                Some(((*l).to_owned(), p.to_json(ratio(p))))
            })
            .collect();
        summary.insert(
            (*scenario).to_owned(),
            json!({ "endpoint": endpoint, "deployments": per_label }),
        );
    }
    let _ = writeln!(
        t,
        "\n  requests/s: all rounds' successes over all rounds' measured time; ratios relative to {}.\n  \
         Latency: every sample of every round. CPU: % of one core, mean over the rounds, taken by\n  \
         the Usher node(s), PostgreSQL, the load generator and every other process on the machine.",
        labels.first().copied().unwrap_or("?")
    );
    // The raw samples are pooled above; the record keeps every round's summary.
    let runs_without_samples: Vec<Value> = runs
        .iter()
        .map(|r| {
            let mut r = r.clone();
            if let Some(o) = r.as_object_mut() {
                o.remove("latencies_us");
            }
            r
        })
        .collect();
    let json = json!({
        "benchmark": "backends",
        "unix_time": unix_time(),
        "commit": commit,
        "cpu_model": procfs::cpu_model(),
        "cores": cores(),
        "placement": note,
        "config": {
            "connections": cfg["connections"],
            "seed": cfg["seed"],
            "rounds": rounds,
            "warmup_secs_per_round": cfg["warmup_secs"],
            "duration_secs_per_round": cfg["duration_secs"],
            "users": cfg["users"],
            "sessions": cfg["sessions"],
            "organizations": cfg["organizations"],
            "memberships": cfg["memberships"],
            "http": "HTTP/1.1 keep-alive, closed loop; connection i talks to node i mod nodes",
        },
        "baseline": labels.first(),
        "deployments": labels,
        "summary": summary,
        "runs": runs_without_samples,
    });
    Ok((t, json))
}
