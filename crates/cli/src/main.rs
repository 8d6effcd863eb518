//! `usher`: serve the auth server, and operate it.

mod audit;
mod backup;
mod billing;
mod config;
mod doctor;
mod emails;
mod env;
mod import_clerk;
mod incident;
mod instance;
mod keys;
mod logging;
mod oauth;
mod offline;
mod operators;
mod orgs;
mod output;
mod policy;
mod secret_keys;
mod serve;
mod sessions;
mod sms;
mod transfer;
mod users;
mod webhooks;
mod when;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

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
    /// Human-readable lines.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum EnvironmentArg {
    /// `sk_test_`/`pk_test_` keys, loopback webhooks, development codes in `usher emails`.
    Development,
    /// `sk_live_`/`pk_live_` keys and the production guards.
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
    /// The Frontend API's public base URL, as browsers reach it (`https://auth.example.com`, or
    /// the app's proxy URL): the start of the absolute URLs Usher hands out (profile images,
    /// organization logos, invitation links). Defaults to `http://` + the Frontend API host, so
    /// set it behind TLS.
    #[arg(long, env = "USHER_FRONTEND_URL")]
    frontend_url: Option<String>,
    /// Seeds this secret key (`sk_test_…`/`sk_live_…`) when the instance is first created.
    #[arg(long, env = "USHER_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// Environment of a newly created instance (default development). An existing instance
    /// keeps the environment it was created with; a different value here is warned about.
    #[arg(long, env = "USHER_ENVIRONMENT", value_enum)]
    environment: Option<EnvironmentArg>,
    /// Password-hashing threads (default: one per core but one, at least one).
    #[arg(long, env = "USHER_HASHER_WORKERS")]
    hasher_workers: Option<usize>,
    /// Seconds between checks for signing keys rotated by another process or node.
    #[arg(long, env = "USHER_KEY_REFRESH_SECS", default_value_t = 5)]
    key_refresh_secs: u64,
    /// Sessions whose last token read this node holds for degraded mode (least recently used
    /// out first); about 2 KB each.
    #[arg(long, env = "USHER_DEGRADED_CACHE_SESSIONS", default_value_t = 100_000)]
    degraded_cache_sessions: usize,
    /// Seconds between passes of the data lifecycle worker: deleted users' purges and the
    /// retention settings (0: no passes on this node).
    #[arg(long, env = "USHER_LIFECYCLE_INTERVAL_SECS", default_value_t = 60)]
    lifecycle_interval_secs: u64,
    /// Redis URL for counters shared by every node (rate limits); without it each node counts
    /// for itself, and while Redis is unreachable nodes fall back to that.
    #[arg(long, env = "USHER_REDIS_URL", hide_env_values = true)]
    redis_url: Option<String>,
    /// Failed sign-ins in one minute that raise `usher.security.sign_in_failure_spike` (also at
    /// least this many times the recent normal rate per minute).
    #[arg(long, env = "USHER_SIGN_IN_SPIKE_FAILURES", default_value_t = 50)]
    sign_in_spike_failures: u64,
    /// Backend API requests allowed per secret key per 10 seconds (0: no limit).
    #[arg(long, env = "USHER_BAPI_RATE_LIMIT", default_value_t = 0)]
    bapi_rate_limit: u64,
    /// Async worker threads (default: one per core).
    #[arg(long, env = "USHER_WORKER_THREADS")]
    worker_threads: Option<usize>,
    /// How logs are written to standard error (`USHER_LOG` or `RUST_LOG` picks the level).
    #[arg(long, env = "USHER_LOG_FORMAT", value_enum, default_value = "pretty")]
    log_format: LogFormat,
    #[command(flatten)]
    webhooks: webhooks::ServeWebhookArgs,
    #[command(flatten)]
    mail: emails::ServeMailArgs,
    #[command(flatten)]
    sms: sms::ServeSmsArgs,
    /// Origins allowed to call the Frontend API from a browser, comma-separated
    /// (`https://app.example.com,http://localhost:3000`), over the stored list (`usher config
    /// set allowed_origins …`) on this node. Development instances also allow any localhost
    /// origin.
    #[arg(long, env = "USHER_ALLOWED_ORIGINS", value_delimiter = ',')]
    allowed_origins: Vec<String>,
    /// A node_modules folder with @clerk/clerk-js and @clerk/ui installed from npm, served under
    /// /npm/@clerk/… on the Frontend API.
    #[arg(long, env = "USHER_CLERK_JS_DIR")]
    clerk_js_dir: Option<PathBuf>,
    /// Set the Frontend API's and the dashboard's cookies without the Secure attribute
    /// (plain-http deployments other than localhost). Not for production.
    #[arg(long, env = "USHER_INSECURE_COOKIES")]
    insecure_cookies: bool,
    /// SameSite attribute of the Frontend API's cookies: lax, strict, or none (none needs
    /// --cross-site-cookies: only for apps that call the Frontend API from another site).
    #[arg(long, env = "USHER_COOKIE_SAME_SITE", default_value = "lax")]
    cookie_same_site: String,
    /// Allow `--cookie-same-site none`.
    #[arg(long, env = "USHER_CROSS_SITE_COOKIES")]
    cross_site_cookies: bool,
    /// Reverse proxies (IP addresses, comma-separated) whose X-Forwarded-For names the client.
    #[arg(long, env = "USHER_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// The instance policy this server overrides (each flag given wins over the stored
    /// setting on this server only).
    #[command(flatten)]
    policy: policy::PolicyArgs,
}

#[derive(Subcommand)]
pub enum KeysAction {
    /// Make a new RSA-2048 key the signing key. The old key stays in JWKS, so tokens it signed
    /// keep verifying; running servers pick the new key up within --key-refresh-secs.
    Rotate {
        /// The leaked-key procedure: retire every earlier key at once (removed from JWKS), so
        /// every session token already issued stops verifying. Sessions stay: clients get a
        /// new token with their session cookie.
        #[arg(long)]
        emergency: bool,
    },
    /// Remove an inactive signing key from JWKS (tokens it signed stop verifying).
    Retire {
        /// The key id (`kid`) to retire, as `usher keys list` shows it.
        kid: String,
    },
    /// List the signing keys with their creation times.
    List,
    /// Make a new secret key (printed once, never stored) and let the earlier ones expire after
    /// the overlap; running servers pick the change up within --key-refresh-secs.
    RotateSecret {
        /// How long the earlier keys stay accepted: 90s, 15m, 24h, 7d (0s: not at all).
        #[arg(long, value_name = "DURATION")]
        overlap: String,
        /// The new key's name (default `key-<unix seconds>`): letters, digits, `-`, `_`, `.`.
        #[arg(long)]
        name: Option<String>,
    },
    /// List the secret keys: name, creation and expiry (never the keys themselves).
    Secrets,
    /// Stop accepting one secret key now (the last key still accepted cannot be revoked).
    RevokeSecret {
        /// The key's name, as `usher keys secrets` shows it.
        name: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ImportFormat {
    /// Usher's own JSON Lines export.
    Usher,
    /// Clerk's CSV user export.
    ClerkCsv,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server (creating the instance and its keys on first run).
    Serve {
        #[command(flatten)]
        common: CommonArgs,
        #[command(flatten)]
        args: Box<ServeArgs>,
    },
    /// Print the instance's keys, URLs and the PEM public key for CLERK_JWT_KEY; rotate or
    /// retire signing keys.
    Keys {
        #[command(flatten)]
        common: CommonArgs,
        /// Print `{secret_key, publishable_key, api_url, frontend_api_url, jwt_public_key_pem}`
        /// (with `secrets`: the list as JSON).
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        action: Option<KeysAction>,
    },
    /// Write the instance, its keys, every user (with password digests) and every session as
    /// JSON Lines. The output is as sensitive as the database.
    Export {
        #[command(flatten)]
        common: CommonArgs,
        /// Write here (mode 0600) instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Read an export into this database: into an empty one it recreates the instance as it was.
    /// With `--from-clerk`, read a Clerk instance live through its Backend API instead
    /// (resumable, idempotent, reconciled at the end).
    Import {
        #[command(flatten)]
        common: CommonArgs,
        /// The file to read (`usher export` output, or Clerk's CSV user export).
        #[arg(required_unless_present = "from_clerk", conflicts_with = "from_clerk")]
        file: Option<PathBuf>,
        /// What the file is.
        #[arg(long, value_enum, default_value = "usher")]
        format: ImportFormat,
        #[command(flatten)]
        clerk: Box<import_clerk::ClerkArgs>,
    },
    /// Manage webhook endpoints and run the webhook runbook: failed deliveries, retry, replay,
    /// pause and resume, resync.
    Webhooks {
        #[command(flatten)]
        common: CommonArgs,
        #[command(flatten)]
        settings: webhooks::PolicyArgs,
        /// Print the Backend API's JSON shapes.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        action: webhooks::WebhooksAction,
    },
    /// List the emails the server queued (verification and password-reset codes), newest
    /// first, with their delivery status. Without SMTP this is where development codes are.
    Emails {
        #[command(flatten)]
        common: CommonArgs,
        /// Only emails to this address.
        #[arg(long)]
        to: Option<String>,
        /// At most this many emails (1 to 500).
        #[arg(long, default_value_t = 20)]
        limit: i64,
        /// Print the Backend API's JSON shape (`GET /v1/emails`).
        #[arg(long)]
        json: bool,
    },
    /// Find, show, lock, unlock or sign out a user, named by id, email address, phone number or
    /// username (lockouts from failed sign-ins are lifted here or through the Backend API's
    /// `POST /v1/users/{id}/unlock`).
    Users {
        #[command(flatten)]
        common: CommonArgs,
        /// Print the Backend API's JSON shape.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        action: users::UsersAction,
    },
    /// Organizations and their members: list, show, create, delete; add, remove or change the
    /// role of a member (organizations by id or slug, users as `usher users` names them).
    Orgs {
        #[command(flatten)]
        common: CommonArgs,
        /// Print the Backend API's JSON shapes.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        action: orgs::OrgsAction,
    },
    /// Plans and who holds them: `plans`, `create-plan`, `assign PLAN --user U | --org O`,
    /// `show --user U | --org O` (what a session token's `pla`/`fea` carry).
    Billing {
        #[command(flatten)]
        common: CommonArgs,
        /// Print the Backend API's JSON shapes.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        action: billing::BillingAction,
    },
    /// The 20-item hardening checklist: the instance's settings, keys, webhooks and templates
    /// (`--api-url`: a running server's flags too), and an app's source with `--app DIR`.
    /// Exits non-zero when an item fails (`--strict`: also when one is unknown).
    Audit(audit::AuditArgs),
    /// The instance's settings: `usher instance branding --name … --logo-url … --primary-color …`
    /// (without flags it shows them), `usher instance session-claims get|set FILE`.
    Instance {
        #[command(flatten)]
        common: CommonArgs,
        /// Print the Backend API's JSON shape (`GET /v1/instance/branding`, `/session_token`).
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        action: instance::InstanceAction,
    },
    /// The instance's settings, each with its value and source (default, database, flag):
    /// `list`, `get KEY`, `set KEY VALUE`; `export [FILE]`, `diff FILE` (exit 1 on drift) and
    /// `apply FILE [--dry-run]` for the settings, branding and session token claims together.
    Config {
        #[command(flatten)]
        common: CommonArgs,
        /// Print JSON.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        action: config::ConfigAction,
    },
    /// The people who may sign in to the dashboard (`/dashboard` on the Backend API listener):
    /// `add EMAIL --role admin|support`, `list`, `remove EMAIL`, `reset EMAIL`.
    Operators {
        #[command(flatten)]
        common: CommonArgs,
        /// Print JSON.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        action: operators::OperatorsAction,
    },
    /// Social and enterprise sign-in providers ("Continue with …"): `add PRESET|custom
    /// --client-id … --client-secret … [--key K --discovery-url URL]`, `list`, `remove NAME`.
    Oauth {
        #[command(flatten)]
        common: CommonArgs,
        /// Print JSON.
        #[arg(long, global = true)]
        json: bool,
        #[command(subcommand)]
        action: oauth::OauthAction,
    },
    /// The emergency revoke: end live sessions by selector (`usher sessions revoke --all |
    /// --user USER | --created-before TIME | --ip CIDR`).
    Sessions {
        #[command(flatten)]
        common: CommonArgs,
        #[command(subcommand)]
        action: sessions::SessionsAction,
    },
    /// Copy the SQLite database to FILE while the server runs (a consistent copy made with
    /// `VACUUM INTO`). PostgreSQL is backed up with its own tools (pg_dump, or PITR).
    Backup {
        #[command(flatten)]
        common: CommonArgs,
        /// Where to write the copy (must not exist yet).
        file: PathBuf,
    },
    /// Replace the SQLite database with a copy `usher backup` made. Stop the server first.
    Restore {
        #[command(flatten)]
        common: CommonArgs,
        /// The copy to restore.
        file: PathBuf,
        /// Restore even though the database seems to be in use (a server running on it).
        #[arg(long)]
        force: bool,
    },
    /// Diagnose a running server's performance: route latencies, database round trip and
    /// health, hashing queue, webhook queue, SMTP, Redis, clock skew and keys, each ok, warning
    /// or critical, with the likely cause. Exit status 0 ok, 1 warning, 2 critical, 3 no answer.
    Doctor {
        #[command(flatten)]
        common: CommonArgs,
        #[command(flatten)]
        args: doctor::DoctorArgs,
    },
    /// Post-incident reports from what the database holds (works with the server stopped).
    Incident {
        #[command(flatten)]
        common: CommonArgs,
        #[command(subcommand)]
        action: incident::IncidentAction,
    },
    /// Apply pending database migrations and exit (`serve` does this at start-up too).
    Migrate {
        #[command(flatten)]
        common: CommonArgs,
    },
}

/// glibc raises its mmap threshold after the first large free, after which 19 MiB Argon2 buffers
/// come from the heap and are never returned to the system. A fixed threshold keeps every large
/// buffer in its own mapping, so a released buffer really leaves the process.
fn fix_malloc_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes an allocator tunable; it is called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

fn main() -> std::process::ExitCode {
    fix_malloc_mmap_threshold();
    env::warn_unknown(&Cli::command());
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Doctor { common, args } => return doctor::main(common, args),
        Command::Incident { common, action } => incident::run(common, action),
        Command::Serve { common, args } => serve::run(common, *args),
        Command::Keys {
            common,
            json,
            action,
        } => keys::run(common, json, action),
        Command::Export { common, output } => transfer::export(common, output),
        Command::Import {
            common,
            file,
            format,
            clerk,
        } => match file {
            Some(file) => transfer::import(common, file, format),
            None => import_clerk::run(common, *clerk),
        },
        Command::Migrate { common } => transfer::migrate(common),
        Command::Sessions { common, action } => sessions::run(common, action),
        Command::Operators {
            common,
            json,
            action,
        } => operators::run(common, json, action),
        Command::Oauth {
            common,
            json,
            action,
        } => oauth::run(common, json, action),
        Command::Backup { common, file } => backup::backup(common, file),
        Command::Restore {
            common,
            file,
            force,
        } => backup::restore(common, file, force),
        Command::Webhooks {
            common,
            settings,
            json,
            action,
        } => webhooks::run(common, settings, json, action),
        Command::Emails {
            common,
            to,
            limit,
            json,
        } => emails::run(common, to, limit, json),
        Command::Users {
            common,
            json,
            action,
        } => users::run(common, json, action),
        Command::Orgs {
            common,
            json,
            action,
        } => orgs::run(common, json, action),
        Command::Instance {
            common,
            json,
            action,
        } => instance::run(common, json, action),
        Command::Billing {
            common,
            json,
            action,
        } => billing::run(common, json, action),
        Command::Audit(args) => audit::run(args),
        Command::Config {
            common,
            json,
            action,
        } => config::run(common, json, action),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // `usher config diff` printed the differences: drift is exit status 1.
        Err(e) if e.is::<config::Drift>() => std::process::ExitCode::from(1),
        Err(e) if e.is::<config::Unusable>() => {
            eprintln!("usher: {e:#}");
            std::process::ExitCode::from(2)
        }
        Err(e) if output::is_broken_pipe(&e) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("usher: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// Every subcommand and argument, with its path from the root.
    fn walk(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if arg
                .get_help()
                .is_none_or(|h| h.to_string().trim().is_empty())
            {
                out.push(format!("{path} <{id}>"));
            }
        }
        for sub in cmd.get_subcommands() {
            let name = format!("{path} {}", sub.get_name());
            if sub
                .get_about()
                .is_none_or(|h| h.to_string().trim().is_empty())
            {
                out.push(name.clone());
            }
            walk(sub, &name, out);
        }
    }

    #[test]
    fn every_subcommand_and_argument_has_help() {
        let mut cmd = Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        walk(&cmd, "usher", &mut missing);
        assert!(missing.is_empty(), "no help text: {missing:#?}");
    }

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_argument_env_is_known_and_others_are_not() {
        let known = crate::env::known(&Cli::command());
        for name in [
            "USHER_KEY_REFRESH_SECS",
            "USHER_DATA_DIR",
            "USHER_WEBHOOK_ALLOW_PRIVATE_NETWORKS",
            "USHER_LOG",
        ] {
            assert!(known.contains(name), "{name}");
        }
        assert_eq!(
            crate::env::unknown(
                &known,
                [
                    "USHER_KEY_REFRESH_SECS",
                    "USHER_DATA_DIRR",
                    "PATH",
                    "USHER_TEST_BACKEND"
                ]
            ),
            ["USHER_DATA_DIRR"]
        );
    }
}
