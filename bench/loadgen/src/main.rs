//! `usher-bench`: the load generator behind `bench/run`, which builds it, starts Usher pinned to
//! one core and calls the subcommands below, and behind `bench/backends/run`, which compares
//! SQLite, PostgreSQL and two nodes on PostgreSQL. See `bench/README.md`.
//!
//! ```text
//! usher-bench sign-rate --seconds 3 --out FILE     raw RS256 signs/s on this core
//! usher-bench free-ports [--count 2]              unused loopback TCP ports
//! usher-bench secret-key                          a fresh sk_test_ key
//! usher-bench mint --api http://127.0.0.1:PORT --server-pid PID --reference FILE --out FILE
//!                  [--connections 16] [--sessions 100] [--warmup 2] [--duration 10] [--seed 42]
//!                  [--commit REV] [--worker-threads 1] [--reference-after-cpus 0]
//! usher-bench wait-healthy --api URL --server-pid PID [--api URL --server-pid PID …]
//! usher-bench fixture --api URL --server-pid PID [… more nodes] --out FILE
//!                  [--users 1000] [--sessions 100] [--organizations N] [--concurrency 8]
//! usher-bench load --scenario mint|list-users|list-organizations|list-memberships
//!                  --api URL --server-pid PID [… more nodes] --fixture FILE --out FILE [--label TEXT] [--database TEXT] [--db-pid PID]
//!                  [--connections 16] [--warmup 2] [--duration 10] [--seed 42] [--limit 10]
//! usher-bench compare --run FILE [--run FILE …] --out FILE [--commit REV] [--note TEXT]
//!     (the Backend API secret key comes from $USHER_SECRET_KEY)
//!
//! bench/front-door/run:
//! usher-bench hash-rate --threads N --out FILE [--seconds 3]
//! usher-bench fd-users --api URL --server-pid PID --out FILE
//!                  [--refreshers 100] [--sign-in-users 200] [--victims 1000] [--concurrency 8]
//! usher-bench fd-sessions --frontend URL --server-pid PID --users FILE --out FILE
//! usher-bench refresh --frontend URL --server-pid PID --sessions FILE --out FILE
//!                  [--label quiet] [--period-ms 500] [--warmup 1] [--duration 5]
//! usher-bench storm --frontend URL --api URL --users FILE --out FILE [--connections 16]
//!                  [--per-address 200] [--warmup 1] [--duration 5] [--tail 0.5]
//!                  [--first-address 0] [--seed 42]
//! usher-bench sign-in --frontend URL --api URL --server-pid PID --users FILE --out FILE
//!                  [--connections 16] [--warmup 1] [--duration 5] [--first-address 0] [--seed 42]
//! usher-bench fd-report --quiet FILE --storm FILE --attack FILE [… one each per round]
//!                  --hash-rate FILE --sign-in FILE [… one each per round] --out FILE
//!                  [--json FILE] [--hashers N] [--commit REV] [--note TEXT] [--command TEXT]
//!     (every browser request carries --origin, default http://localhost:3000)
//!
//! bench/enumeration/run:
//! usher-bench enumeration --api URL --frontend URL [--rounds 50] [--origin URL]
//! ```

mod args;
mod backends;
mod enumeration;
mod fdreport;
mod fixture;
mod frontdoor;
mod hashrate;
mod http;
mod load;
mod procfs;
mod reference;
mod report;
mod stats;
mod steal;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use rand::Rng;
use rand::distr::Alphanumeric;

use crate::args::Flags;

fn main() -> Result<()> {
    let mut argv = std::env::args().skip(1);
    let command = argv.next().unwrap_or_default();
    let mut flags = Flags::parse(argv)?;
    match command.as_str() {
        "sign-rate" => sign_rate(flags),
        "free-ports" => {
            let count: usize = flags.get("count", 2)?;
            flags.finish()?;
            // Hold every listener until all are bound, so the ports differ.
            let listeners = (0..count)
                .map(|_| std::net::TcpListener::bind("127.0.0.1:0"))
                .collect::<std::io::Result<Vec<_>>>()?;
            let ports = listeners
                .iter()
                .map(|l| l.local_addr().map(|a| a.port().to_string()))
                .collect::<std::io::Result<Vec<_>>>()?;
            println!("{}", ports.join(" "));
            Ok(())
        }
        "secret-key" => {
            flags.finish()?;
            let tail: String = rand::rng()
                .sample_iter(Alphanumeric)
                .take(43)
                .map(char::from)
                .collect();
            println!("sk_test_{tail}");
            Ok(())
        }
        "mint" => current_thread()?.block_on(mint(flags)),
        "wait-healthy" => current_thread()?.block_on(backends::wait_healthy(flags)),
        "fixture" => current_thread()?.block_on(backends::fixture(flags)),
        "load" => current_thread()?.block_on(backends::load(flags)),
        "compare" => backends::compare(flags),
        "hash-rate" => frontdoor::hash_rate(flags),
        "fd-users" => current_thread()?.block_on(frontdoor::users(flags)),
        "fd-sessions" => current_thread()?.block_on(frontdoor::sessions(flags)),
        "refresh" => current_thread()?.block_on(frontdoor::refresh(flags)),
        "storm" => current_thread()?.block_on(frontdoor::storm(flags)),
        "sign-in" => current_thread()?.block_on(frontdoor::sign_ins(flags)),
        "fd-report" => fdreport::run(flags),
        "enumeration" => current_thread()?.block_on(enumeration::run(flags)),
        other => bail!(
            "unknown command {other:?}: expected sign-rate, free-ports, secret-key, mint, \
             wait-healthy, fixture, load, compare, hash-rate, fd-users, fd-sessions, refresh, \
             storm, sign-in, fd-report or enumeration (see bench/README.md)"
        ),
    }
}

/// The load generator runs on one thread, so it takes at most one core from the servers.
fn current_thread() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

fn sign_rate(mut flags: Flags) -> Result<()> {
    let seconds: f64 = flags.get("seconds", 3.0)?;
    let out = PathBuf::from(flags.str("out")?);
    flags.finish()?;
    if !(0.5..=30.0).contains(&seconds) {
        bail!("--seconds must be within 0.5..=30");
    }
    let rate = reference::measure(Duration::from_secs_f64(seconds))?;
    let mut json = rate.to_json();
    json["cpus"] = procfs::info(std::process::id())
        .map(|i| i.cpus_allowed)
        .unwrap_or_default()
        .into();
    std::fs::write(&out, serde_json::to_vec_pretty(&json)?)
        .with_context(|| format!("write {}", out.display()))?;
    println!(
        "raw RS256 sign rate: {:.0} signs/s ({} signs in {:.2} s, one thread)",
        rate.per_sec(),
        rate.signs,
        rate.seconds
    );
    Ok(())
}

async fn mint(mut flags: Flags) -> Result<()> {
    let api = flags.str("api")?;
    let addr = http::loopback_addr(&api)?;
    let server_pid: u32 = flags.get("server-pid", 0)?;
    let reference_path = PathBuf::from(flags.str("reference")?);
    let reference_after_cpus = flags.opt_str("reference-after-cpus")?;
    let out = PathBuf::from(flags.str("out")?);
    let connections: usize = flags.get("connections", 16)?;
    let sessions: usize = flags.get("sessions", 100)?;
    let warmup: f64 = flags.get("warmup", 2.0)?;
    let duration: f64 = flags.get("duration", 10.0)?;
    let seed: u64 = flags.get("seed", 42)?;
    let commit = flags.opt_str("commit")?.unwrap_or_else(|| "unknown".into());
    let worker_threads = flags
        .opt_str("worker-threads")?
        .unwrap_or_else(|| "unset".into());
    flags.finish()?;
    if server_pid == 0 {
        bail!("--server-pid is required");
    }
    if !(1..=512).contains(&connections) || !(1..=2000).contains(&sessions) {
        bail!("--connections must be 1..=512 and --sessions 1..=2000");
    }
    if !(0.0..=10.0).contains(&warmup) || !(1.0..=60.0).contains(&duration) {
        bail!("--warmup must be 0..=10 s and --duration 1..=60 s");
    }
    let secret_key = std::env::var("USHER_SECRET_KEY")
        .context("USHER_SECRET_KEY must hold the Backend API secret key")?;
    let reference_json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&reference_path)
            .with_context(|| format!("read {}", reference_path.display()))?,
    )?;
    let reference =
        reference::from_json(&reference_json).context("the reference file has no signs/seconds")?;
    let reference_secs = reference.seconds;

    let mut client = http::Client::new(addr, Some(&secret_key))?;
    let startup = fixture::wait_healthy(&mut client, server_pid).await?;
    let rss_started = procfs::memory(server_pid)?.rss_kb;
    eprintln!(
        "server healthy after {:.2} s; creating 1 user and {sessions} sessions…",
        startup.as_secs_f64()
    );
    let fixture = fixture::create(&mut client, sessions).await?;
    let check = fixture::check_token(&mut client, &fixture.session_ids[0]).await?;
    eprintln!(
        "token check: {} (kid {}, {} bytes)",
        check.verdict, check.kid, check.token_bytes
    );
    drop(client);
    // Let the fixture's work settle before calling the server idle.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = procfs::memory(server_pid)?;
    let server_info = procfs::info(server_pid)?;
    let loadgen_info = procfs::info(std::process::id())?;

    eprintln!(
        "load: {connections} connections, warm-up {warmup} s, measuring {duration} s, seed {seed}…"
    );
    let cfg = load::Config {
        targets: vec![addr],
        secret_key,
        connections,
        warmup: Duration::from_secs_f64(warmup),
        duration: Duration::from_secs_f64(duration),
        seed,
        server_pids: vec![server_pid],
        db_pid: None,
    };
    let outcome = load::run(&cfg, load::Requests::mint(&fixture.session_ids)).await?;
    let organization = organization_phases(&cfg, &fixture, sessions).await?;
    let template = template_phases(&cfg, &fixture).await?;
    let session_claims = session_claims_phases(&cfg, &fixture).await?;
    let after = procfs::memory(server_pid)?;
    let server_threads_after = procfs::info(server_pid).map(|i| i.threads).unwrap_or(0);
    if !procfs::alive(server_pid) {
        bail!("the server (pid {server_pid}) is gone after the load");
    }
    let reference_after = match reference_after_cpus {
        Some(cpus) => Some(reference_after_load(
            &cpus,
            reference_secs,
            &reference_path,
        )?),
        None => None,
    };

    let report = report::Report {
        commit,
        worker_threads,
        cpu_model: procfs::cpu_model(),
        reference_cpus: reference_json
            .get("cpus")
            .and_then(|v| v.as_str())
            .unwrap_or("?")
            .to_owned(),
        reference,
        reference_after,
        server_pid,
        server_cpus: server_info.cpus_allowed,
        server_threads: server_threads_after.max(server_info.threads),
        loadgen_cpus: loadgen_info.cpus_allowed,
        connections,
        sessions,
        seed,
        warmup_secs: warmup,
        user_id: fixture.user_id,
        check,
        rss_started_kb: rss_started,
        rss_idle_kb: idle.rss_kb,
        vm_hwm_kb: after.hwm_kb,
        outcome,
        organization,
        template,
        session_claims,
    };
    let json = report.to_json();
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, serde_json::to_vec_pretty(&json)?)
        .with_context(|| format!("write {}", out.display()))?;
    println!("{}", report.table());
    println!("written to {}", out.display());
    Ok(())
}

/// The same load on sessions active in an organization whose role grants
/// `ORG_FEATURES * ORG_ACTIONS` custom permissions, then on the plain sessions again: minting
/// with an organization is compared with the mean of the runs before and after it, so a drift
/// of the machine over the run weighs on both sides.
async fn organization_phases(
    cfg: &load::Config,
    plain: &fixture::Fixture,
    sessions: usize,
) -> Result<report::OrganizationComparison> {
    let mut client = http::Client::new(cfg.targets[0], Some(&cfg.secret_key))?;
    eprintln!(
        "organization comparison: a role with {} permissions, an organization, {sessions} sessions active in it…",
        fixture::ORG_FEATURES * fixture::ORG_ACTIONS
    );
    let fx = fixture::create_organization(&mut client, &plain.user_id, sessions).await?;
    let check = fixture::check_organization_token(&mut client, &fx).await?;
    drop(client);
    let with_organization = load::run(cfg, load::Requests::mint(&fx.session_ids)).await?;
    eprintln!("… and without an organization again");
    let without_again = load::run(cfg, load::Requests::mint(&plain.session_ids)).await?;
    Ok(report::OrganizationComparison {
        permissions: fx.permissions,
        check,
        with_organization,
        without_again,
    })
}

/// The same load minting from a JWT template (signed by the instance's key) for the plain
/// sessions, then plain session tokens once more: the ratio compares the template's rate with the
/// mean of the plain runs on either side of it.
async fn template_phases(
    cfg: &load::Config,
    plain: &fixture::Fixture,
) -> Result<report::TemplateComparison> {
    let mut client = http::Client::new(cfg.targets[0], Some(&cfg.secret_key))?;
    eprintln!(
        "JWT template comparison: template {}…",
        fixture::TEMPLATE_NAME
    );
    fixture::create_template(&mut client).await?;
    let first = plain.session_ids.first().context("no session")?;
    let check = fixture::check_template_token(&mut client, first, &plain.user_id).await?;
    drop(client);
    let template = load::run(cfg, load::Requests::mint_template(&plain.session_ids)).await?;
    eprintln!("… and session tokens again");
    let plain_again = load::run(cfg, load::Requests::mint(&plain.session_ids)).await?;
    Ok(report::TemplateComparison {
        check,
        template,
        plain_again,
    })
}

/// The same load with custom session claims set (every session token renders them over the
/// user), then with them cleared: the ratio compares the rate with claims to the mean of the
/// plain runs on either side of it.
async fn session_claims_phases(
    cfg: &load::Config,
    plain: &fixture::Fixture,
) -> Result<report::SessionClaimsComparison> {
    let mut client = http::Client::new(cfg.targets[0], Some(&cfg.secret_key))?;
    eprintln!("custom session claims comparison…");
    fixture::set_session_claims(&mut client, true).await?;
    let first = plain.session_ids.first().context("no session")?;
    let check = fixture::check_session_claims_token(&mut client, first, &plain.user_id).await?;
    let with_claims = load::run(cfg, load::Requests::mint(&plain.session_ids)).await?;
    fixture::set_session_claims(&mut client, false).await?;
    drop(client);
    eprintln!("… and without them again");
    let without_again = load::run(cfg, load::Requests::mint(&plain.session_ids)).await?;
    Ok(report::SessionClaimsComparison {
        check,
        with_claims,
        without_again,
    })
}

/// Signs again on the server's core once the load is over (the server idles), in a child pinned
/// with `taskset`. Interference only ever lowers a sign rate, so the higher of the two
/// measurements is the better estimate of what the core can do.
fn reference_after_load(
    cpus: &str,
    seconds: f64,
    before: &std::path::Path,
) -> Result<reference::SignRate> {
    let out = before.with_extension("after.json");
    let exe = std::env::current_exe()?;
    eprintln!("reference again after the load (cpus {cpus})…");
    let status = std::process::Command::new("taskset")
        .args(["-c", cpus])
        .arg(&exe)
        .args(["sign-rate", "--seconds", &format!("{seconds:.1}"), "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status()
        .context("run taskset")?;
    if !status.success() {
        bail!("the reference after the load failed: {status}");
    }
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&out).with_context(|| format!("read {}", out.display()))?,
    )?;
    reference::from_json(&json).context("the reference file has no signs/seconds")
}
