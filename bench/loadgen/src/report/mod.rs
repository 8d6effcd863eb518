//! The summaries: for `mint`, a table for people and `bench/results/mint.json` for comparing
//! runs; for `load`, one JSON document per run, which `compare` sets side by side (the table of
//! `bench/backends/run` and `bench/results/backends.json`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::fixture::TokenCheck;
use crate::load::Outcome;
use crate::procfs;
use crate::reference::SignRate;
use crate::stats;

/// Goals printed beside the figures; the benchmark reports them, it does not assert them.
pub const GOAL_RATIO_PCT: f64 = 70.0;
pub const GOAL_P99_MS: f64 = 10.0;
pub const GOAL_IDLE_RSS_MIB: f64 = 25.0;
/// Minting for a session with an active organization, against minting without one.
pub const GOAL_ORGANIZATION_PCT: f64 = 90.0;

mod compare;
pub use compare::{LoadRun, compare};

pub struct Report {
    pub commit: String,
    pub worker_threads: String,
    pub cpu_model: String,
    /// Measured before the server started, and (optionally) again after the load.
    pub reference: SignRate,
    pub reference_after: Option<SignRate>,
    pub reference_cpus: String,
    pub server_pid: u32,
    pub server_cpus: String,
    pub server_threads: u64,
    pub loadgen_cpus: String,
    pub connections: usize,
    pub sessions: usize,
    pub seed: u64,
    pub warmup_secs: f64,
    pub user_id: String,
    pub check: TokenCheck,
    pub rss_started_kb: u64,
    pub rss_idle_kb: u64,
    pub vm_hwm_kb: u64,
    pub outcome: Outcome,
    pub organization: OrganizationComparison,
    pub template: TemplateComparison,
    pub session_claims: SessionClaimsComparison,
}

/// Session tokens with custom session claims, measured after the template comparison, and
/// without them again after that.
pub struct SessionClaimsComparison {
    pub check: TokenCheck,
    pub with_claims: Outcome,
    pub without_again: Outcome,
}

/// Minting from a JWT template, measured after the organization comparison, and plain session
/// tokens again after that.
pub struct TemplateComparison {
    pub check: TokenCheck,
    pub template: Outcome,
    pub plain_again: Outcome,
}

/// Minting with an active organization, measured after the main load, and minting without one
/// again after that.
pub struct OrganizationComparison {
    /// Custom permissions the member's role grants.
    pub permissions: usize,
    pub check: TokenCheck,
    pub with_organization: Outcome,
    pub without_again: Outcome,
}

fn tokens_per_sec(o: &Outcome) -> f64 {
    o.measured.ok as f64 / o.measured_secs
}

/// The mean token rate of two runs (the plain runs either side of a compared one).
fn mean_rate(a: &Outcome, b: &Outcome) -> f64 {
    (tokens_per_sec(a) + tokens_per_sec(b)) / 2.0
}

fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// CPU time as a percentage of one core over a wall-clock window.
pub fn cpu_pct(secs: f64, window: f64) -> f64 {
    if window > 0.0 {
        100.0 * secs / window
    } else {
        0.0
    }
}

pub fn unix_time() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "MISSED",
        None => "n/a",
    }
}

impl Report {
    fn throughput(&self) -> f64 {
        tokens_per_sec(&self.outcome)
    }

    /// Without an organization: the mean of the main run and the run after the one with it.
    fn without_organization(&self) -> f64 {
        mean_rate(&self.outcome, &self.organization.without_again)
    }

    fn organization_pct(&self) -> f64 {
        100.0 * tokens_per_sec(&self.organization.with_organization) / self.without_organization()
    }

    /// Session tokens around the template run: the organization comparison's last plain run and
    /// the one after the template's.
    fn around_template(&self) -> f64 {
        mean_rate(&self.organization.without_again, &self.template.plain_again)
    }

    fn template_pct(&self) -> f64 {
        100.0 * tokens_per_sec(&self.template.template) / self.around_template()
    }

    /// Session tokens without custom claims around the run with them.
    fn around_session_claims(&self) -> f64 {
        mean_rate(
            &self.template.plain_again,
            &self.session_claims.without_again,
        )
    }

    fn session_claims_pct(&self) -> f64 {
        100.0 * tokens_per_sec(&self.session_claims.with_claims) / self.around_session_claims()
    }

    fn ratio_pct(&self) -> f64 {
        100.0 * self.throughput() / self.sign_rate()
    }

    /// The reference: the higher of the measurements (interference only lowers a rate).
    fn sign_rate(&self) -> f64 {
        let before = self.reference.per_sec();
        self.reference_after
            .as_ref()
            .map_or(before, |a| a.per_sec().max(before))
    }

    /// Tokens per second of server CPU time: what the server would do on a core of its own.
    fn tokens_per_cpu_sec(&self) -> Option<f64> {
        let o = &self.outcome;
        let cpu_fraction = o.server_cpu_secs / o.cpu_window_secs;
        (cpu_fraction > 0.0).then(|| self.throughput() / cpu_fraction)
    }

    fn latency(&self) -> Option<stats::Latency> {
        let mut samples = self.outcome.latencies_us.clone();
        stats::latency(&mut samples)
    }

    pub fn to_json(&self) -> Value {
        let o = &self.outcome;
        let lat = self.latency();
        let p99 = lat.map(|l| l.p99_ms);
        json!({
            "benchmark": "session-token-mint",
            "unix_time": unix_time(),
            "commit": self.commit,
            "cpu_model": self.cpu_model,
            "config": {
                "endpoint": "POST /v1/sessions/{sid}/tokens",
                "connections": self.connections,
                "http": "HTTP/1.1 keep-alive, closed loop",
                "sessions": self.sessions,
                "user_id": self.user_id,
                "seed": self.seed,
                "warmup_secs": self.warmup_secs,
                "duration_secs": o.measured_secs,
                "server_cpus": self.server_cpus,
                "server_worker_threads": self.worker_threads,
                "loadgen_cpus": self.loadgen_cpus,
            },
            "reference": {
                "signs_per_sec": self.sign_rate(),
                "before_load": { "signs_per_sec": self.reference.per_sec(), "signs": self.reference.signs, "seconds": self.reference.seconds },
                "after_load": self.reference_after.as_ref().map(|a| json!({ "signs_per_sec": a.per_sec(), "signs": a.signs, "seconds": a.seconds })),
                "cpus": self.reference_cpus,
                "threads": 1,
                "code": "usher_core::signing_keys::SigningKey::sign_raw (aws-lc-rs, RSA-2048, PKCS#1 v1.5 SHA-256)",
            },
            "token_check": { "kid": self.check.kid, "bytes": self.check.token_bytes, "verdict": self.check.verdict },
            "results": {
                "tokens_per_sec": self.throughput(),
                "tokens_per_server_cpu_sec": self.tokens_per_cpu_sec(),
                "ratio_to_sign_rate_pct": self.ratio_pct(),
                "ok": o.measured.ok,
                "errors": o.measured.errors.to_json(),
                "warmup_ok": o.warmup.ok,
                "warmup_errors": o.warmup.errors.to_json(),
                "reconnects": o.reconnects,
                "latency_ms": lat.map(|l| json!({
                    "p50": l.p50_ms, "p90": l.p90_ms, "p99": l.p99_ms, "max": l.max_ms, "mean": l.mean_ms,
                })),
                "server_cpu_pct": cpu_pct(o.server_cpu_secs, o.cpu_window_secs),
                "loadgen_cpu_pct": cpu_pct(o.loadgen_cpu_secs, o.cpu_window_secs),
                "server_threads": self.server_threads,
                "rss_kb": {
                    "started": self.rss_started_kb,
                    "idle": self.rss_idle_kb,
                    "peak_under_load": o.rss_peak_kb,
                    "peak_samples": o.rss_samples,
                    "vm_hwm": self.vm_hwm_kb,
                },
            },
            "organization": {
                "permissions": self.organization.permissions,
                "token_bytes": self.organization.check.token_bytes,
                "with_organization_tokens_per_sec": tokens_per_sec(&self.organization.with_organization),
                "with_organization_errors": self.organization.with_organization.measured.errors.to_json(),
                "without_again_tokens_per_sec": tokens_per_sec(&self.organization.without_again),
                "without_organization_tokens_per_sec": self.without_organization(),
                "ratio_pct": self.organization_pct(),
            },
            "jwt_template": {
                "token_bytes": self.template.check.token_bytes,
                "template_tokens_per_sec": tokens_per_sec(&self.template.template),
                "template_errors": self.template.template.measured.errors.to_json(),
                "plain_again_tokens_per_sec": tokens_per_sec(&self.template.plain_again),
                "plain_tokens_per_sec": self.around_template(),
                "ratio_pct": self.template_pct(),
            },
            "session_claims": {
                "token_bytes": self.session_claims.check.token_bytes,
                "with_claims_tokens_per_sec": tokens_per_sec(&self.session_claims.with_claims),
                "with_claims_errors": self.session_claims.with_claims.measured.errors.to_json(),
                "without_again_tokens_per_sec": tokens_per_sec(&self.session_claims.without_again),
                "without_claims_tokens_per_sec": self.around_session_claims(),
                "ratio_pct": self.session_claims_pct(),
            },
            "goals": {
                "ratio_to_sign_rate_pct_min": GOAL_RATIO_PCT,
                "organization_ratio_pct_min": GOAL_ORGANIZATION_PCT,
                "p99_ms_max_exclusive": GOAL_P99_MS,
                "idle_rss_mib_max": GOAL_IDLE_RSS_MIB,
                "met": {
                    "ratio": self.ratio_pct() >= GOAL_RATIO_PCT,
                    "p99": p99.map(|p| p < GOAL_P99_MS),
                    "idle_rss": mib(self.rss_idle_kb) <= GOAL_IDLE_RSS_MIB,
                    "organization": self.organization_pct() >= GOAL_ORGANIZATION_PCT,
                },
            },
        })
    }

    pub fn table(&self) -> String {
        let o = &self.outcome;
        let lat = self.latency();
        let ms = |f: fn(&stats::Latency) -> f64| {
            lat.as_ref()
                .map_or_else(|| "-".to_owned(), |l| format!("{:.2} ms", f(l)))
        };
        let mut rows: Vec<(String, String, String, &str)> = vec![
            (
                "raw RS256 sign rate, 1 thread".into(),
                format!("{:.0} signs/s", self.sign_rate()),
                match &self.reference_after {
                    Some(a) => format!(
                        "before {:.0}, after {:.0}",
                        self.reference.per_sec(),
                        a.per_sec()
                    ),
                    None => "reference".into(),
                },
                "",
            ),
            (
                "minting throughput".into(),
                format!("{:.0} tokens/s", self.throughput()),
                String::new(),
                "",
            ),
            (
                "throughput / raw sign rate".into(),
                format!("{:.1} %", self.ratio_pct()),
                format!(">= {GOAL_RATIO_PCT:.0} %"),
                verdict(Some(self.ratio_pct() >= GOAL_RATIO_PCT)),
            ),
            (
                format!(
                    "with an organization ({} perms)",
                    self.organization.permissions
                ),
                format!(
                    "{:.0} tokens/s",
                    tokens_per_sec(&self.organization.with_organization)
                ),
                format!("{} bytes a token", self.organization.check.token_bytes),
                "",
            ),
            (
                "  / without (mean before, after)".into(),
                format!("{:.1} %", self.organization_pct()),
                format!(">= {GOAL_ORGANIZATION_PCT:.0} %"),
                verdict(Some(self.organization_pct() >= GOAL_ORGANIZATION_PCT)),
            ),
            (
                "from a JWT template".into(),
                format!("{:.0} tokens/s", tokens_per_sec(&self.template.template)),
                format!("{} bytes a token", self.template.check.token_bytes),
                "",
            ),
            (
                "  / session tokens (mean before, after)".into(),
                format!("{:.1} %", self.template_pct()),
                String::new(),
                "",
            ),
            (
                "with custom session claims".into(),
                format!(
                    "{:.0} tokens/s",
                    tokens_per_sec(&self.session_claims.with_claims)
                ),
                format!("{} bytes a token", self.session_claims.check.token_bytes),
                "",
            ),
            (
                "  / without (mean before, after)".into(),
                format!("{:.1} %", self.session_claims_pct()),
                String::new(),
                "",
            ),
            ("latency p50".into(), ms(|l| l.p50_ms), String::new(), ""),
            ("latency p90".into(), ms(|l| l.p90_ms), String::new(), ""),
            (
                "latency p99".into(),
                ms(|l| l.p99_ms),
                format!("< {GOAL_P99_MS:.0} ms"),
                verdict(lat.map(|l| l.p99_ms < GOAL_P99_MS)),
            ),
            ("latency max".into(), ms(|l| l.max_ms), String::new(), ""),
            (
                "server RSS idle (after fixture)".into(),
                format!("{:.1} MiB", mib(self.rss_idle_kb)),
                format!("<= {GOAL_IDLE_RSS_MIB:.0} MiB"),
                verdict(Some(mib(self.rss_idle_kb) <= GOAL_IDLE_RSS_MIB)),
            ),
            (
                "server RSS peak under load".into(),
                format!("{:.1} MiB", mib(o.rss_peak_kb)),
                format!("{} samples, 100 ms", o.rss_samples),
                "",
            ),
            (
                "server VmHWM (whole run)".into(),
                format!("{:.1} MiB", mib(self.vm_hwm_kb)),
                String::new(),
                "",
            ),
            (
                "server CPU, measured window".into(),
                format!(
                    "{:.0} % of a core",
                    cpu_pct(o.server_cpu_secs, o.cpu_window_secs)
                ),
                String::new(),
                "",
            ),
            (
                "tokens per server CPU-second".into(),
                self.tokens_per_cpu_sec()
                    .map_or_else(|| "-".to_owned(), |t| format!("{t:.0} tokens/s")),
                self.tokens_per_cpu_sec().map_or_else(String::new, |t| {
                    format!("{:.1} % of raw", 100.0 * t / self.sign_rate())
                }),
                "",
            ),
            (
                "load generator CPU".into(),
                format!(
                    "{:.0} % of a core",
                    cpu_pct(o.loadgen_cpu_secs, o.cpu_window_secs)
                ),
                String::new(),
                "",
            ),
            (
                "successes (200 + jwt)".into(),
                o.measured.ok.to_string(),
                String::new(),
                "",
            ),
            (
                "errors".into(),
                o.measured.errors.summary(),
                String::new(),
                "",
            ),
        ];
        if o.warmup.errors.total() > 0 {
            rows.push((
                "errors during warm-up".into(),
                o.warmup.errors.summary(),
                String::new(),
                "",
            ));
        }
        for (name, run) in [
            (
                "errors with an organization",
                &self.organization.with_organization,
            ),
            ("errors without, again", &self.organization.without_again),
            ("errors from the JWT template", &self.template.template),
            ("errors after the template", &self.template.plain_again),
            (
                "errors with custom session claims",
                &self.session_claims.with_claims,
            ),
            (
                "errors without them, again",
                &self.session_claims.without_again,
            ),
        ] {
            if run.measured.errors.total() > 0 {
                rows.push((
                    name.into(),
                    run.measured.errors.summary(),
                    String::new(),
                    "",
                ));
            }
        }
        if o.reconnects > 0 {
            rows.push((
                "reconnects".into(),
                o.reconnects.to_string(),
                String::new(),
                "",
            ));
        }

        let mut t = String::new();
        let _ = writeln!(t);
        let _ = writeln!(
            t,
            "Usher session-token minting — POST /v1/sessions/{{sid}}/tokens"
        );
        let _ = writeln!(t, "  commit     {}", self.commit);
        let _ = writeln!(t, "  cpu        {}", self.cpu_model);
        let _ = writeln!(
            t,
            "  server     pid {}, cpus {}, USHER_WORKER_THREADS={}, {} threads",
            self.server_pid, self.server_cpus, self.worker_threads, self.server_threads
        );
        let _ = writeln!(
            t,
            "  load       {} connections (HTTP/1.1 keep-alive, closed loop) over {} sessions, seed {}, cpus {}",
            self.connections, self.sessions, self.seed, self.loadgen_cpus
        );
        let _ = writeln!(
            t,
            "             warm-up {:.0} s, measured {:.0} s; reference signed on cpus {}, {:.1} s {}",
            self.warmup_secs,
            o.measured_secs,
            self.reference_cpus,
            self.reference.seconds,
            if self.reference_after.is_some() {
                "before and after the load, higher taken"
            } else {
                "before the load"
            }
        );
        let _ = writeln!(
            t,
            "  token      {} (kid {}, {} bytes)",
            self.check.verdict, self.check.kid, self.check.token_bytes
        );
        let _ = writeln!(t);
        let _ = writeln!(
            t,
            "  {:<34} {:>18}   {:<20} met?",
            "figure", "measured", "goal"
        );
        let _ = writeln!(t, "  {}", "-".repeat(82));
        for (name, value, goal, met) in rows {
            let line = format!("  {name:<34} {value:>18}   {goal:<20} {met}");
            let _ = writeln!(t, "{}", line.trim_end());
        }
        if let Some(first) = o
            .measured
            .errors
            .sample
            .as_ref()
            .or(o.warmup.errors.sample.as_ref())
        {
            let _ = writeln!(t, "\n  first error: {first}");
        }
        t
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(0, usize::from)
}

#[cfg(test)]
mod tests {
    use super::compare::thousands;
    use super::*;

    fn run(label: &str, scenario: &str, ok: u64, duration: f64) -> Value {
        json!({
            "label": label, "scenario": scenario, "endpoint": "GET /x",
            "config": { "connections": 4, "seed": 1, "warmup_secs": 1.0, "duration_secs": duration, "users": 10, "sessions": 2, "organizations": 2, "memberships": 15 },
            "results": {
                "ok": ok, "requests_per_sec": ok as f64 / duration, "per_node_ok": [ok * 3 / 4, ok / 4],
                "errors": { "total": 1 },
                "cpu_pct": { "servers": 90.0, "per_server": [60.0, 30.0], "database": null, "loadgen": 40.0, "other_processes": 5.0 },
            },
            "latencies_us": (1..=100).map(|i| i * 1000).collect::<Vec<u32>>(),
        })
    }

    #[test]
    fn compares_against_the_first_deployment() -> anyhow::Result<()> {
        let runs = [
            run("A", "mint", 4000, 4.0),
            run("B", "mint", 2000, 4.0),
            run("A", "list", 8000, 4.0),
            run("A", "mint", 6000, 4.0),
            run("B", "mint", 2000, 4.0),
            run("A", "list-organizations", 3000, 4.0),
            run("B", "list-organizations", 1500, 4.0),
        ];
        let (table, json) = compare(&runs, "abc", "")?;
        let mint = &json["summary"]["mint"]["deployments"];
        assert_eq!(mint["A"]["requests_per_sec"], 1250.0);
        assert_eq!(
            mint["A"]["rounds_requests_per_sec"],
            json!([1000.0, 1500.0])
        );
        assert_eq!(mint["B"]["ratio_to_first"], 0.4);
        assert_eq!(mint["B"]["errors"], 2);
        assert_eq!(mint["B"]["cpu_pct"]["per_server"], json!([60.0, 30.0]));
        assert_eq!(mint["B"]["cpu_pct"]["loadgen"], 40.0);
        assert_eq!(mint["A"]["latency_ms"]["p99"], 99.0);
        assert_eq!(
            json["summary"]["list"]["deployments"]["A"]["ratio_to_first"],
            1.0
        );
        assert!(json["summary"]["list"]["deployments"].get("B").is_none());
        let orgs = &json["summary"]["list-organizations"]["deployments"];
        assert_eq!(orgs["A"]["requests_per_sec"], 750.0);
        assert_eq!(orgs["B"]["ratio_to_first"], 0.5);
        assert_eq!(json["config"]["rounds"], 2);
        assert_eq!(json["config"]["organizations"], 2);
        assert!(table.contains("list-organizations: GET /x"), "{table}");
        assert!(table.contains("0.50×"), "{table}");
        assert!(
            table.contains("10 users, 2 sessions, 2 organizations with 15 memberships"),
            "{table}"
        );
        assert!(json["runs"][0].get("latencies_us").is_none());
        assert!(table.contains("0.40×"), "{table}");
        assert!(table.contains("1,000 – 1,500"), "{table}");
        assert!(table.contains("50.00 / 99.00 ms"), "{table}");
        assert!(table.contains("75 / 25 %"), "{table}");
        assert!(table.contains("90 / - / 40 / 5"), "{table}");
        assert!(
            compare(
                &[run("A", "mint", 1, 5.0), run("B", "mint", 1, 6.0)],
                "",
                ""
            )
            .is_err()
        );
        assert!(compare(&[], "", "").is_err());
        Ok(())
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0.4), "0");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1234.6), "1,235");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
    }
}
