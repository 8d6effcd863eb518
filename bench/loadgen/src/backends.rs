//! The subcommands behind `bench/backends/run`: the same load against one or more nodes (SQLite,
//! PostgreSQL, several nodes sharing PostgreSQL), one run per scenario and deployment, then the
//! runs side by side.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::args::Flags;
use crate::fixture::{self, Population};
use crate::http::{self, Client};
use crate::load::{self, Requests, Scenario};
use crate::procfs;
use crate::report::{self, LoadRun};

/// A node: its Backend API URL, address and server process.
struct Node {
    api: String,
    addr: SocketAddr,
    pid: u32,
}

/// `--api URL --server-pid PID`, repeated once per node, paired in order.
fn nodes(flags: &mut Flags) -> Result<Vec<Node>> {
    let apis = flags.all("api");
    let pids = flags.all("server-pid");
    if apis.is_empty() || apis.len() != pids.len() {
        bail!(
            "give one --server-pid per --api (got {} --api, {} --server-pid)",
            apis.len(),
            pids.len()
        );
    }
    apis.into_iter()
        .zip(pids)
        .map(|(api, pid)| {
            Ok(Node {
                addr: http::loopback_addr(&api)?,
                pid: pid
                    .parse()
                    .with_context(|| format!("--server-pid {pid:?} is not a pid"))?,
                api,
            })
        })
        .collect()
}

fn secret_key() -> Result<String> {
    std::env::var("USHER_SECRET_KEY")
        .context("USHER_SECRET_KEY must hold the Backend API secret key")
}

fn write_json(path: &Path, json: &Value) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, serde_json::to_vec_pretty(json)?)
        .with_context(|| format!("write {}", path.display()))
}

fn read_json(path: &Path) -> Result<Value> {
    serde_json::from_slice(
        &std::fs::read(path).with_context(|| format!("read {}", path.display()))?,
    )
    .with_context(|| format!("{} is not JSON", path.display()))
}

async fn all_healthy(nodes: &[Node], say: bool) -> Result<()> {
    for node in nodes {
        let mut client = Client::new(node.addr, None)?;
        let took = fixture::wait_healthy(&mut client, node.pid)
            .await
            .with_context(|| format!("node {}", node.api))?;
        if say {
            eprintln!("{} healthy after {:.2} s", node.api, took.as_secs_f64());
        }
    }
    Ok(())
}

/// `wait-healthy`: returns once every node answers `GET /healthz` with 200.
pub async fn wait_healthy(mut flags: Flags) -> Result<()> {
    let nodes = nodes(&mut flags)?;
    flags.finish()?;
    all_healthy(&nodes, true).await
}

/// `fixture`: creates the users, sessions, organizations and memberships every scenario of a
/// deployment uses, through all its nodes, and writes their ids to `--out`.
pub async fn fixture(mut flags: Flags) -> Result<()> {
    let nodes = nodes(&mut flags)?;
    let out = PathBuf::from(flags.str("out")?);
    let users: usize = flags.get("users", 1000)?;
    let sessions: usize = flags.get("sessions", 100)?;
    let organizations: usize = flags.get("organizations", fixture::default_organizations(users))?;
    let concurrency: usize = flags.get("concurrency", 8)?;
    flags.finish()?;
    if !(1..=20_000).contains(&users) || !(1..=2000).contains(&sessions) || sessions > users {
        bail!("--users must be 1..=20000, --sessions 1..=2000 and no more than --users");
    }
    if !(1..=1000).contains(&organizations) {
        bail!("--organizations must be 1..=1000");
    }
    if !(1..=64).contains(&concurrency) {
        bail!("--concurrency must be 1..=64");
    }
    let secret_key = secret_key()?;
    all_healthy(&nodes, false).await?;
    let start = Instant::now();
    let addrs: Vec<SocketAddr> = nodes.iter().map(|n| n.addr).collect();
    let population = fixture::create_population(
        &addrs,
        &secret_key,
        users,
        sessions,
        organizations,
        concurrency,
    )
    .await?;
    eprintln!(
        "created {users} users, {sessions} sessions, {organizations} organizations and {} memberships in {:.1} s ({concurrency} connections over {} node(s))",
        population.memberships(),
        start.elapsed().as_secs_f64(),
        nodes.len()
    );
    write_json(&out, &population.to_json())
}

/// `load`: one scenario against one deployment; writes the run's JSON to `--out`.
pub async fn load(mut flags: Flags) -> Result<()> {
    let scenario = Scenario::parse(&flags.str("scenario")?)?;
    let nodes = nodes(&mut flags)?;
    let fixture_path = PathBuf::from(flags.str("fixture")?);
    let out = PathBuf::from(flags.str("out")?);
    let label = flags
        .opt_str("label")?
        .unwrap_or_else(|| format!("{} node(s)", nodes.len()));
    let database = flags.opt_str("database")?.unwrap_or_else(|| "?".into());
    let db_pid: u32 = flags.get("db-pid", 0)?;
    let connections: usize = flags.get("connections", 16)?;
    let warmup: f64 = flags.get("warmup", 2.0)?;
    let duration: f64 = flags.get("duration", 10.0)?;
    let seed: u64 = flags.get("seed", 42)?;
    let limit: usize = flags.get("limit", 10)?;
    flags.finish()?;
    if !(1..=512).contains(&connections) {
        bail!("--connections must be 1..=512");
    }
    if !(0.0..=10.0).contains(&warmup) || !(1.0..=60.0).contains(&duration) {
        bail!("--warmup must be 0..=10 s and --duration 1..=60 s");
    }
    if !(1..=500).contains(&limit) {
        bail!("--limit must be 1..=500");
    }
    let secret_key = secret_key()?;
    let population = Population::from_json(&read_json(&fixture_path)?)?;
    all_healthy(&nodes, false).await?;

    let requests = match scenario {
        Scenario::Mint => {
            if population.session_ids.is_empty() {
                bail!("the fixture has no sessions to mint for");
            }
            Requests::mint(&population.session_ids)
        }
        Scenario::ListUsers => Requests::list_users(limit, population.user_ids.len()),
        Scenario::ListOrganizations | Scenario::ListMemberships
            if population.organizations.is_empty() =>
        {
            bail!("the fixture has no organizations to list")
        }
        Scenario::ListOrganizations => {
            Requests::list_organizations(limit, &population.organizations)
        }
        Scenario::ListMemberships => Requests::list_memberships(limit, &population.organizations),
    };
    let mut token_checks = Vec::new();
    if scenario == Scenario::Mint {
        // Every node mints a good token, and they all name the same issuer.
        for (i, node) in nodes.iter().enumerate() {
            let mut client = Client::new(node.addr, Some(&secret_key))?;
            let sid = &population.session_ids[i % population.session_ids.len()];
            let check = fixture::check_token(&mut client, sid)
                .await
                .with_context(|| format!("node {}", node.api))?;
            eprintln!(
                "{}: token check: {} (iss {})",
                node.api, check.verdict, check.issuer
            );
            token_checks.push(check);
        }
        if token_checks
            .iter()
            .any(|c| c.issuer != token_checks[0].issuer)
        {
            bail!(
                "the nodes mint tokens for different issuers: {:?}",
                token_checks.iter().map(|c| &c.issuer).collect::<Vec<_>>()
            );
        }
    }

    eprintln!(
        "{label} / {}: {connections} connections over {} node(s), warm-up {warmup} s, measuring {duration} s, seed {seed}…",
        scenario.name(),
        nodes.len()
    );
    let endpoint = requests.endpoint();
    let cfg = load::Config {
        targets: nodes.iter().map(|n| n.addr).collect(),
        secret_key,
        connections,
        warmup: Duration::from_secs_f64(warmup),
        duration: Duration::from_secs_f64(duration),
        seed,
        server_pids: nodes.iter().map(|n| n.pid).collect(),
        db_pid: (db_pid != 0).then_some(db_pid),
    };
    let outcome = load::run(&cfg, requests).await?;
    for node in &nodes {
        if !procfs::alive(node.pid) {
            bail!(
                "the server of {} (pid {}) is gone after the load",
                node.api,
                node.pid
            );
        }
    }
    let run = LoadRun {
        label,
        database,
        scenario: scenario.name(),
        endpoint,
        apis: nodes.iter().map(|n| n.api.clone()).collect(),
        connections,
        seed,
        warmup_secs: warmup,
        users: population.user_ids.len(),
        sessions: population.session_ids.len(),
        organizations: population.organizations.len(),
        memberships: population.memberships(),
        token_checks,
        outcome,
    };
    write_json(&out, &run.to_json())?;
    println!("{}", run.line());
    Ok(())
}

/// `compare`: the runs side by side, ratios to the first deployment; prints the table and
/// writes the combined JSON to `--out`.
pub fn compare(mut flags: Flags) -> Result<()> {
    let paths = flags.all("run");
    let out = PathBuf::from(flags.str("out")?);
    let commit = flags.opt_str("commit")?.unwrap_or_else(|| "unknown".into());
    let note = flags.opt_str("note")?.unwrap_or_default();
    flags.finish()?;
    let runs = paths
        .iter()
        .map(|p| read_json(Path::new(p)))
        .collect::<Result<Vec<_>>>()?;
    let (table, json) = report::compare(&runs, &commit, &note)?;
    write_json(&out, &json)?;
    println!("{table}");
    println!("written to {}", out.display());
    Ok(())
}
