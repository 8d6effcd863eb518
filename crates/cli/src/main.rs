//! `usher`: serve the auth server, and operate it.

mod keys;
mod logging;
mod serve;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "usher",
    version,
    about = "A self-hosted, Clerk-compatible authentication server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EnvironmentArg {
    Development,
    Production,
}

#[derive(clap::Args, Clone)]
pub struct CommonArgs {
    /// Where Usher keeps its SQLite database and key files.
    #[arg(
        long,
        env = "USHER_DATA_DIR",
        default_value = "./usher-data",
        global = true
    )]
    data_dir: PathBuf,
    /// Database URL (`sqlite://path`); defaults to `<data-dir>/usher.sqlite`.
    #[arg(long, env = "USHER_DATABASE_URL", global = true)]
    database_url: Option<String>,
}

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Backend API listen address.
    #[arg(long, env = "USHER_API_ADDR", default_value = "127.0.0.1:4000")]
    api_addr: SocketAddr,
    /// Frontend API listen address; its host:port goes into the publishable key unless
    /// --frontend-host names the public host.
    #[arg(long, env = "USHER_FRONTEND_ADDR", default_value = "127.0.0.1:4001")]
    frontend_addr: SocketAddr,
    /// Public Frontend API host (must contain a dot), e.g. `auth.example.com`.
    #[arg(long, env = "USHER_FRONTEND_HOST")]
    frontend_host: Option<String>,
    /// Seeds this secret key (`sk_test_…`/`sk_live_…`) when the instance is first created.
    #[arg(long, env = "USHER_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// Environment of a newly created instance.
    #[arg(
        long,
        env = "USHER_ENVIRONMENT",
        value_enum,
        default_value = "development"
    )]
    environment: EnvironmentArg,
    /// Password-hashing threads (default: one per core).
    #[arg(long, env = "USHER_HASHER_WORKERS")]
    hasher_workers: Option<usize>,
    /// Async worker threads (default: one per core).
    #[arg(long, env = "USHER_WORKER_THREADS")]
    worker_threads: Option<usize>,
    #[arg(long, env = "USHER_LOG_FORMAT", value_enum, default_value = "pretty")]
    log_format: LogFormat,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server (creating the instance and its keys on first run).
    Serve {
        #[command(flatten)]
        common: CommonArgs,
        #[command(flatten)]
        args: ServeArgs,
    },
    /// Print the instance's keys, URLs and the PEM public key for CLERK_JWT_KEY.
    Keys {
        #[command(flatten)]
        common: CommonArgs,
        /// Print `{secret_key, publishable_key, api_url, frontend_api_url, jwt_public_key_pem}`.
        #[arg(long)]
        json: bool,
    },
}

/// Every `USHER_*` variable Usher reads; any other is probably a typo, and is warned about.
const KNOWN_ENV: &[&str] = &[
    "USHER_DATA_DIR",
    "USHER_DATABASE_URL",
    "USHER_API_ADDR",
    "USHER_FRONTEND_ADDR",
    "USHER_FRONTEND_HOST",
    "USHER_SECRET_KEY",
    "USHER_ENVIRONMENT",
    "USHER_HASHER_WORKERS",
    "USHER_WORKER_THREADS",
    "USHER_LOG_FORMAT",
    "USHER_LOG",
    "USHER_BIN",
];

fn warn_unknown_env() {
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("USHER_") && !KNOWN_ENV.contains(&name.as_ref()) {
            eprintln!("usher: warning: ignoring unknown environment variable {name}");
        }
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    warn_unknown_env();
    let result = match cli.command {
        Command::Serve { common, args } => serve::run(common, args),
        Command::Keys { common, json } => keys::run(common, json),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("usher: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
