//! The closed-loop load: C connections, each sending its next request as soon as the last one is
//! answered. Connections are spread round-robin over one or more nodes; each picks its next path
//! (a session to mint for, say) with an RNG derived from the seed.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use hyper::Method;
use hyper::body::Bytes;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use tokio::time::{Instant, MissedTickBehavior};

use crate::fixture::{PopulatedOrganization, jwt_of, template_path, tokens_path};
use crate::http::Client;
use crate::procfs;
use crate::stats::Errors;

/// A request unanswered this long is counted as a timeout and its connection replaced.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const RSS_SAMPLE_EVERY: Duration = Duration::from_millis(100);

/// What every request of a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// `POST /v1/sessions/{sid}/tokens`: a success is `200` with a `jwt` in the body.
    Mint,
    /// `GET /v1/users?limit=N`: a success is `200` with a JSON array of the expected length.
    ListUsers,
    /// `GET /v1/organizations?limit=N&include_members_count=true`: a success is `200` with a
    /// page whose `data` has the expected length, each with a `members_count`.
    ListOrganizations,
    /// `GET /v1/organizations/{id}/memberships?limit=N` over the fixture's organizations: a
    /// success is `200` with a page whose `data` has the expected length.
    ListMemberships,
}

impl Scenario {
    pub const ALL: [Self; 4] = [
        Self::Mint,
        Self::ListUsers,
        Self::ListOrganizations,
        Self::ListMemberships,
    ];

    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|scenario| scenario.name() == s)
            .with_context(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|s| s.name()).collect();
                format!(
                    "unknown scenario {s:?}: expected one of {}",
                    names.join(", ")
                )
            })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Mint => "mint",
            Self::ListUsers => "list-users",
            Self::ListOrganizations => "list-organizations",
            Self::ListMemberships => "list-memberships",
        }
    }

    fn method(self) -> Method {
        match self {
            Self::Mint => Method::POST,
            Self::ListUsers | Self::ListOrganizations | Self::ListMemberships => Method::GET,
        }
    }
}

/// What a `200` list response must hold: `items` entries and, for the paginated lists (`{data,
/// total_count}`), a `total_count` of `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    pub items: usize,
    pub total: usize,
}

/// The requests of a run: the scenario, the paths the connections pick from uniformly, and what a
/// successful response to each holds.
pub struct Requests {
    pub scenario: Scenario,
    pub paths: Vec<String>,
    /// For the list scenarios, what the page at the same index in `paths` must hold.
    pub expected: Vec<Expected>,
}

impl Requests {
    pub fn mint(session_ids: &[String]) -> Self {
        Self {
            scenario: Scenario::Mint,
            paths: session_ids.iter().map(|s| tokens_path(s)).collect(),
            expected: Vec::new(),
        }
    }

    /// Tokens from the comparison's JWT template, for the same sessions.
    pub fn mint_template(session_ids: &[String]) -> Self {
        Self {
            scenario: Scenario::Mint,
            paths: session_ids.iter().map(|s| template_path(s)).collect(),
            expected: Vec::new(),
        }
    }

    /// The first page of the user list; `users` exist, so a page holds `min(limit, users)`.
    pub fn list_users(limit: usize, users: usize) -> Self {
        Self {
            scenario: Scenario::ListUsers,
            paths: vec![format!("/v1/users?limit={limit}")],
            expected: vec![Expected {
                items: limit.min(users),
                total: users,
            }],
        }
    }

    /// The first page of the organization list, with member counts (one more read per
    /// organization shown).
    pub fn list_organizations(limit: usize, organizations: &[PopulatedOrganization]) -> Self {
        Self {
            scenario: Scenario::ListOrganizations,
            paths: vec![format!(
                "/v1/organizations?limit={limit}&include_members_count=true"
            )],
            expected: vec![Expected {
                items: limit.min(organizations.len()),
                total: organizations.len(),
            }],
        }
    }

    /// The first page of the members of each organization, picked uniformly.
    pub fn list_memberships(limit: usize, organizations: &[PopulatedOrganization]) -> Self {
        Self {
            scenario: Scenario::ListMemberships,
            paths: organizations
                .iter()
                .map(|o| format!("/v1/organizations/{}/memberships?limit={limit}", o.id))
                .collect(),
            expected: organizations
                .iter()
                .map(|o| Expected {
                    items: limit.min(o.members),
                    total: o.members,
                })
                .collect(),
        }
    }

    /// The request line as the summary shows it.
    pub fn endpoint(&self) -> String {
        match self.scenario {
            Scenario::Mint => "POST /v1/sessions/{sid}/tokens".into(),
            Scenario::ListUsers | Scenario::ListOrganizations => {
                format!("GET {}", self.paths.first().map_or("/v1/…", String::as_str))
            }
            Scenario::ListMemberships => {
                let query = self
                    .paths
                    .first()
                    .and_then(|p| p.split_once('?'))
                    .map_or("", |(_, q)| q);
                format!("GET /v1/organizations/{{id}}/memberships?{query}")
            }
        }
    }

    /// `None` when a `200` body to the request at `index` is what the scenario expects, else
    /// what is wrong with it.
    fn bad_body(&self, index: usize, body: &[u8]) -> Option<String> {
        if self.scenario == Scenario::Mint {
            return jwt_of(body).is_none().then(|| "200 without a jwt".into());
        }
        let Some(expected) = self.expected.get(index) else {
            return Some(format!("no expectation for request {index}"));
        };
        let Ok(body) = serde_json::from_slice::<Value>(body) else {
            return Some("200 without JSON".into());
        };
        let items = match (self.scenario, &body) {
            (Scenario::ListUsers, Value::Array(items)) => items,
            (Scenario::ListUsers, _) => return Some("200 without a JSON array".into()),
            (_, page) => {
                let Some(items) = page.get("data").and_then(Value::as_array) else {
                    return Some("200 without a data array".into());
                };
                let total = page.get("total_count").and_then(Value::as_u64);
                if total != u64::try_from(expected.total).ok() {
                    return Some(format!(
                        "200 with total_count {total:?} instead of {}",
                        expected.total
                    ));
                }
                items
            }
        };
        if items.len() != expected.items {
            return Some(format!(
                "200 with {} items instead of {}",
                items.len(),
                expected.items
            ));
        }
        if self.scenario == Scenario::ListOrganizations
            && !items
                .iter()
                .all(|o| o.get("members_count").is_some_and(Value::is_u64))
        {
            return Some("200 with an organization without members_count".into());
        }
        None
    }

    async fn send(&self, client: &mut Client, path: &str) -> Result<crate::http::Response> {
        match self.scenario.method() {
            Method::GET => client.get(path).await,
            method => client.send(method, path, Bytes::new()).await,
        }
    }
}

pub struct Config {
    /// Connection `i` talks to `targets[i % targets.len()]`.
    pub targets: Vec<SocketAddr>,
    pub secret_key: String,
    pub connections: usize,
    pub warmup: Duration,
    pub duration: Duration,
    pub seed: u64,
    /// The server processes (one per target): CPU time is summed, RSS sampled.
    pub server_pids: Vec<u32>,
    /// A database server on this machine: CPU time of this process and all its descendants.
    pub db_pid: Option<u32>,
}

#[derive(Default)]
pub struct Phase {
    pub ok: u64,
    pub errors: Errors,
}

#[derive(Default)]
struct Worker {
    target: usize,
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
    /// CPU seconds the servers (together) / this process used during the measured window.
    pub server_cpu_secs: f64,
    pub loadgen_cpu_secs: f64,
    /// Per target, in `Config::targets` order: CPU seconds in the measured window and
    /// measured successes.
    pub per_server_cpu_secs: Vec<f64>,
    pub per_target_ok: Vec<u64>,
    /// CPU seconds of the database server's processes in the measured window.
    pub db_cpu_secs: Option<f64>,
    /// CPU seconds the whole machine was busy in the measured window (all cores).
    pub machine_busy_secs: Option<f64>,
}

impl Outcome {
    /// CPU seconds in the measured window taken by processes other than the servers, the
    /// database and the load generator: builds, other benchmarks, the rest of the machine.
    pub fn other_cpu_secs(&self) -> Option<f64> {
        let ours = self.server_cpu_secs + self.loadgen_cpu_secs + self.db_cpu_secs.unwrap_or(0.0);
        self.machine_busy_secs.map(|busy| (busy - ours).max(0.0))
    }
}

/// Each connection gets its own stream derived from the one seed, so a run is reproducible
/// whatever order the connections are scheduled in.
fn worker_rng(seed: u64, worker: usize) -> StdRng {
    StdRng::seed_from_u64(seed ^ (worker as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

async fn worker(
    index: usize,
    target: usize,
    mut client: Client,
    requests: Arc<Requests>,
    seed: u64,
    measure_from: Instant,
    until: Instant,
) -> Worker {
    let mut rng = worker_rng(seed, index);
    let mut w = Worker {
        target,
        ..Worker::default()
    };
    let method = requests.scenario.method();
    let paths = &requests.paths;
    while Instant::now() < until {
        let index = rng.random_range(0..paths.len());
        let path = &paths[index];
        let sent = Instant::now();
        let result = tokio::time::timeout(REQUEST_TIMEOUT, requests.send(&mut client, path)).await;
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
            Ok(Ok(res)) if res.status == 200 => match requests.bad_body(index, &res.body) {
                None => {
                    phase.ok += 1;
                    if measured {
                        let us = done.duration_since(sent).as_micros();
                        w.latencies_us.push(u32::try_from(us).unwrap_or(u32::MAX));
                    }
                }
                Some(what) => {
                    phase.errors.bad_body += 1;
                    phase.errors.note(|| {
                        format!(
                            "{method} {path} -> {what}: {}",
                            String::from_utf8_lossy(&res.body)
                        )
                    });
                }
            },
            Ok(Ok(res)) => {
                *phase.errors.status.entry(res.status.as_u16()).or_default() += 1;
                phase.errors.note(|| {
                    format!(
                        "{method} {path} -> {} {}",
                        res.status,
                        String::from_utf8_lossy(&res.body)
                    )
                });
            }
            Ok(Err(e)) => {
                phase.errors.transport += 1;
                phase.errors.note(|| format!("{method} {path}: {e:#}"));
                // Do not spin on a dead server; the next send reconnects.
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(_) => {
                phase.errors.timeout += 1;
                phase
                    .errors
                    .note(|| format!("{method} {path}: no response within {REQUEST_TIMEOUT:?}"));
                client.drop_connection();
            }
        }
    }
    w.connects = client.connects;
    w
}

/// CPU seconds of every server, failing if one has exited.
fn servers_cpu(pids: &[u32]) -> Result<Vec<f64>> {
    pids.iter()
        .map(|pid| {
            procfs::cpu_seconds(&pid.to_string())
                .with_context(|| format!("the server (pid {pid}) exited during the load"))
        })
        .collect()
}

pub async fn run(cfg: &Config, requests: Requests) -> Result<Outcome> {
    if cfg.targets.is_empty() || requests.paths.is_empty() {
        bail!("nothing to load: no target or no request path");
    }
    let requests = Arc::new(requests);
    let start = Instant::now();
    let measure_from = start + cfg.warmup;
    let until = measure_from + cfg.duration;

    let mut workers = Vec::with_capacity(cfg.connections);
    for i in 0..cfg.connections {
        let target = i % cfg.targets.len();
        let client = Client::new(cfg.targets[target], Some(&cfg.secret_key))?;
        workers.push(tokio::spawn(worker(
            i,
            target,
            client,
            requests.clone(),
            cfg.seed,
            measure_from,
            until,
        )));
    }

    // RSS of the servers together, sampled at the same instants.
    let pids = cfg.server_pids.clone();
    let sampler = tokio::spawn(async move {
        let mut peak = 0u64;
        let mut samples = 0u64;
        let mut tick = tokio::time::interval(RSS_SAMPLE_EVERY);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        while Instant::now() < until {
            tick.tick().await;
            let rss: Result<Vec<u64>> = pids
                .iter()
                .map(|&pid| procfs::memory(pid).map(|m| m.rss_kb))
                .collect();
            if let Ok(rss) = rss {
                peak = peak.max(rss.iter().sum());
                samples += 1;
            }
        }
        (peak, samples)
    });

    let db_cpu = |pid: Option<u32>| pid.and_then(|p| procfs::tree_cpu_seconds(p).ok());
    tokio::time::sleep_until(measure_from).await;
    let (server_cpu0, self_cpu0, db_cpu0, busy0) = (
        servers_cpu(&cfg.server_pids)?,
        procfs::cpu_seconds("self")?,
        db_cpu(cfg.db_pid),
        procfs::machine_busy_seconds().ok(),
    );
    let window_start = Instant::now();
    tokio::time::sleep_until(until).await;
    let (server_cpu1, self_cpu1, db_cpu1, busy1) = (
        servers_cpu(&cfg.server_pids)?,
        procfs::cpu_seconds("self")?,
        db_cpu(cfg.db_pid),
        procfs::machine_busy_seconds().ok(),
    );
    let cpu_window_secs = window_start.elapsed().as_secs_f64();
    let per_server_cpu_secs: Vec<f64> = server_cpu1
        .iter()
        .zip(&server_cpu0)
        .map(|(b, a)| b - a)
        .collect();

    let mut out = Outcome {
        warmup: Phase::default(),
        measured: Phase::default(),
        latencies_us: Vec::new(),
        measured_secs: cfg.duration.as_secs_f64(),
        cpu_window_secs,
        reconnects: 0,
        rss_peak_kb: 0,
        rss_samples: 0,
        server_cpu_secs: per_server_cpu_secs.iter().sum(),
        loadgen_cpu_secs: self_cpu1 - self_cpu0,
        per_server_cpu_secs,
        per_target_ok: vec![0; cfg.targets.len()],
        db_cpu_secs: db_cpu0.zip(db_cpu1).map(|(a, b)| tree_delta(&a, &b)),
        machine_busy_secs: busy0.zip(busy1).map(|(a, b)| b - a),
    };
    for handle in workers {
        let w = handle.await.context("a load worker failed")?;
        out.warmup.ok += w.warmup.ok;
        out.warmup.errors.merge(&w.warmup.errors);
        out.measured.ok += w.measured.ok;
        out.per_target_ok[w.target] += w.measured.ok;
        out.measured.errors.merge(&w.measured.errors);
        out.latencies_us.extend(w.latencies_us);
        out.reconnects += w.connects.saturating_sub(1);
    }
    let (peak, samples) = sampler.await.context("the RSS sampler failed")?;
    out.rss_peak_kb = peak;
    out.rss_samples = samples;
    Ok(out)
}

/// CPU seconds a process tree used between two readings: processes that started in between
/// count in full; processes that ended in between are lost (a database's connection pool keeps
/// its backends for the whole run).
fn tree_delta(before: &BTreeMap<u32, f64>, after: &BTreeMap<u32, f64>) -> f64 {
    after
        .iter()
        .map(|(pid, t)| t - before.get(pid).copied().unwrap_or(0.0))
        .filter(|d| *d > 0.0)
        .sum()
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

    #[test]
    fn list_pages_must_hold_the_expected_users() {
        let r = Requests::list_users(10, 1000);
        assert_eq!(r.endpoint(), "GET /v1/users?limit=10");
        let page = |n: usize| serde_json::to_vec(&vec![serde_json::json!({"id": "u"}); n]);
        assert_eq!(r.bad_body(0, &page(10).unwrap_or_default()), None);
        assert!(r.bad_body(0, &page(9).unwrap_or_default()).is_some());
        assert!(r.bad_body(0, b"{}").is_some());
        assert_eq!(Requests::list_users(10, 3).expected[0].items, 3);
        let m = Requests::mint(&["sess_1".into()]);
        assert_eq!(m.paths, ["/v1/sessions/sess_1/tokens"]);
        assert_eq!(m.bad_body(0, br#"{"jwt":"a.b.c"}"#), None);
        assert!(m.bad_body(0, br#"{"jwt":"abc"}"#).is_some());
    }

    fn organizations(members: &[usize]) -> Vec<PopulatedOrganization> {
        members
            .iter()
            .enumerate()
            .map(|(i, &members)| PopulatedOrganization {
                id: format!("org_{i}"),
                members,
            })
            .collect()
    }

    fn page(items: usize, total: usize, item: Value) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "data": vec![item; items], "total_count": total,
        }))
        .unwrap_or_default()
    }

    #[test]
    fn organization_pages_must_hold_the_expected_organizations_with_counts() {
        let orgs = organizations(&[3; 12]);
        let r = Requests::list_organizations(10, &orgs);
        assert_eq!(
            r.endpoint(),
            "GET /v1/organizations?limit=10&include_members_count=true"
        );
        let counted = serde_json::json!({ "id": "org", "members_count": 3 });
        assert_eq!(r.bad_body(0, &page(10, 12, counted.clone())), None);
        assert!(r.bad_body(0, &page(9, 12, counted.clone())).is_some());
        assert!(r.bad_body(0, &page(10, 13, counted)).is_some());
        assert!(
            r.bad_body(0, &page(10, 12, serde_json::json!({ "id": "org" })))
                .is_some()
        );
        assert!(r.bad_body(0, b"[]").is_some());
        assert_eq!(
            Requests::list_organizations(10, &orgs[..2]).expected,
            [Expected { items: 2, total: 2 }]
        );
    }

    #[test]
    fn membership_pages_must_hold_each_organizations_members() {
        let r = Requests::list_memberships(10, &organizations(&[15, 4]));
        assert_eq!(
            r.endpoint(),
            "GET /v1/organizations/{id}/memberships?limit=10"
        );
        assert_eq!(
            r.paths,
            [
                "/v1/organizations/org_0/memberships?limit=10",
                "/v1/organizations/org_1/memberships?limit=10"
            ]
        );
        let member = serde_json::json!({ "id": "orgmem" });
        assert_eq!(r.bad_body(0, &page(10, 15, member.clone())), None);
        assert_eq!(r.bad_body(1, &page(4, 4, member.clone())), None);
        assert!(r.bad_body(1, &page(10, 15, member.clone())).is_some());
        assert!(r.bad_body(2, &page(4, 4, member)).is_some());
    }

    #[test]
    fn scenarios_parse_by_name() -> Result<()> {
        for scenario in Scenario::ALL {
            assert_eq!(Scenario::parse(scenario.name())?, scenario);
        }
        assert!(Scenario::parse("list-orgs").is_err());
        Ok(())
    }

    #[test]
    fn a_tree_counts_new_processes_in_full() {
        let before = BTreeMap::from([(1, 1.0), (2, 2.0)]);
        let after = BTreeMap::from([(1, 1.5), (3, 0.25)]);
        assert!((tree_delta(&before, &after) - 0.75).abs() < 1e-9);
    }
}
