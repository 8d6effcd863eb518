//! `usher doctor`: the performance-degradation diagnosis. Asks a running server for its
//! measurements (`GET /v1/usher/diagnostics`), judges them (`core::diagnostics::judge`: the
//! same thresholds the server applies), and prints each check with its level, the verdict and
//! the likely causes. Exit status: 0 ok, 1 warning, 2 critical, 3 no diagnosis (the server
//! could not be reached or refused the key).

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use usher_core::diagnostics::{Diagnosis, Level, Measurements, judge};

use crate::CommonArgs;
use crate::output::outln;

#[derive(clap::Args)]
pub struct DoctorArgs {
    /// The Backend API to diagnose (default: the local instance's, as `usher keys` shows it).
    #[arg(long, env = "USHER_API_URL")]
    api_url: Option<String>,
    /// A secret key of that instance (default: the local instance's key file).
    #[arg(long, env = "USHER_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// Print `{object, api_url, verdict, checks, causes, measurements}` as JSON.
    #[arg(long)]
    json: bool,
}

/// How long the server gets to measure itself and answer.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the diagnosis; the exit status is the verdict's.
pub fn main(common: CommonArgs, args: DoctorArgs) -> ExitCode {
    match run(common, args) {
        Ok(Level::Ok) => ExitCode::SUCCESS,
        Ok(Level::Warning) => ExitCode::from(1),
        Ok(Level::Critical) => ExitCode::from(2),
        Err(e) if crate::output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("usher: {e:#}");
            ExitCode::from(3)
        }
    }
}

/// The URL and key: the flags, else the local instance's files.
fn target(common: &CommonArgs, args: &DoctorArgs) -> anyhow::Result<(String, String)> {
    let cfg = crate::offline::config(common.clone());
    let api_url = match &args.api_url {
        Some(u) => u.clone(),
        None => {
            let endpoints: Value = std::fs::read_to_string(cfg.endpoints_file())
                .ok()
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or(Value::Null);
            endpoints["api_url"]
                .as_str()
                .map(str::to_owned)
                .with_context(|| {
                    format!(
                        "no running instance recorded in {}: pass --api-url (USHER_API_URL)",
                        cfg.data_dir.display()
                    )
                })?
        }
    };
    let key = match &args.secret_key {
        Some(k) => k.clone(),
        None => usher_server::bootstrap::read_secret_file(&cfg.secret_key_file()).with_context(
            || {
                format!(
                    "no secret key file in {}: pass --secret-key (USHER_SECRET_KEY)",
                    cfg.data_dir.display()
                )
            },
        )?,
    };
    Ok((api_url.trim_end_matches('/').to_owned(), key))
}

fn run(common: CommonArgs, args: DoctorArgs) -> anyhow::Result<Level> {
    let (api_url, key) = target(&common, &args)?;
    let rt = crate::offline::runtime()?;
    let body: Value = rt.block_on(async {
        let client = reqwest::Client::builder().timeout(TIMEOUT).build()?;
        let url = format!("{api_url}/v1/usher/diagnostics");
        let res = client
            .get(&url)
            .bearer_auth(&key)
            .send()
            .await
            .with_context(|| {
                format!("cannot reach the Backend API at {api_url} (is `usher serve` running?)")
            })?;
        let status = res.status();
        let text = res.text().await.context("reading the diagnostics")?;
        if !status.is_success() {
            let message = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["errors"][0]["long_message"].as_str().map(str::to_owned))
                .unwrap_or(text);
            bail!("{url} answered {status}: {message}");
        }
        serde_json::from_str(&text).context("the diagnostics are not JSON")
    })?;
    let measurements: Measurements = serde_json::from_value(body["measurements"].clone())
        .context("the server's diagnostics are not in the shape this usher knows")?;
    let diagnosis = judge(&measurements);
    if args.json {
        let doc = json!({
            "object": "usher_diagnostics",
            "api_url": api_url,
            "verdict": diagnosis.verdict,
            "checks": diagnosis.checks,
            "causes": diagnosis.causes,
            "measurements": measurements,
        });
        outln!("{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        print(&api_url, &diagnosis)?;
    }
    Ok(diagnosis.verdict)
}

fn print(api_url: &str, d: &Diagnosis) -> anyhow::Result<()> {
    outln!("Diagnosis of {api_url}")?;
    let width = d.checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in &d.checks {
        outln!(
            "  {:<8}  {:<width$}  {}",
            c.level.as_str(),
            c.name,
            c.summary
        )?;
    }
    outln!("Verdict: {}", d.verdict.as_str())?;
    if !d.causes.is_empty() {
        outln!("Likely causes:")?;
        for cause in &d.causes {
            outln!("  - {cause}")?;
        }
    }
    Ok(())
}
