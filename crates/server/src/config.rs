//! Server settings. The CLI fills these from flags, environment variables (`USHER_*`) and defaults.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use usher_core::instance::Environment;
use usher_core::webhooks::RetrySchedule;

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub data_dir: PathBuf,
    /// `sqlite://…` or a path; defaults to `<data_dir>/usher.sqlite`.
    pub database_url: Option<String>,
    pub api_addr: SocketAddr,
    pub frontend_addr: SocketAddr,
    /// The public Frontend API host (in the publishable key and `iss`); defaults to `frontend_addr`.
    pub frontend_host: Option<String>,
    /// Seeds the secret key on first run; on later runs it must match the stored key.
    pub secret_key: Option<String>,
    /// The environment of a newly created instance (a seeded `sk_live_` key implies production).
    pub environment: Environment,
    /// Password-hashing threads; defaults to the number of cores.
    pub hasher_workers: Option<usize>,
    /// How often to look for signing keys rotated by another process.
    pub key_refresh_secs: u64,
    /// Shares rate-limit counters between nodes; without it each node counts for itself.
    pub redis_url: Option<String>,
    /// Backend API requests allowed per secret key per 10 seconds; 0 means no limit.
    pub bapi_rate_limit: u64,
    pub webhooks: WebhookConfig,
}

/// Webhook delivery settings.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// Runs the delivery worker. Tests turn it off and drive delivery with
    /// `Running::drain_outbox` instead of sleeping.
    pub run_worker: bool,
    /// Lets a production instance deliver to loopback, private and link-local addresses (and
    /// over plain http). Development instances always allow loopback.
    pub allow_private_networks: bool,
    /// Waits before each attempt (Svix's by default).
    pub retry_schedule: RetrySchedule,
    /// A delivery succeeds with a 2xx within this time.
    pub timeout: Duration,
    /// How often the worker looks for work that no commit in this process announced: events
    /// committed by another process or node, and retries that came due.
    pub poll_interval: Duration,
    /// How long an endpoint stays leased to a worker without news from it.
    pub lease: Duration,
    /// Endpoints this process delivers to at once.
    pub concurrency: usize,
    /// This machine's name in leases; a restarted node frees the leases of its earlier life at
    /// once. Defaults to the host name. Give processes that share a database on one host
    /// different names.
    pub node_id: Option<String>,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            run_worker: true,
            allow_private_networks: false,
            retry_schedule: RetrySchedule::svix(),
            timeout: Duration::from_secs(15),
            poll_interval: Duration::from_secs(1),
            lease: Duration::from_secs(30),
            concurrency: 8,
            node_id: None,
        }
    }
}

impl ServerConfig {
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            database_url: None,
            api_addr: SocketAddr::from(([127, 0, 0, 1], 4000)),
            frontend_addr: SocketAddr::from(([127, 0, 0, 1], 4001)),
            frontend_host: None,
            secret_key: None,
            environment: Environment::Development,
            hasher_workers: None,
            key_refresh_secs: 5,
            redis_url: None,
            bapi_rate_limit: 0,
            webhooks: WebhookConfig::default(),
        }
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("usher.sqlite").display()))
    }

    pub fn secret_key_file(&self) -> PathBuf {
        self.data_dir.join("secret_key")
    }

    pub fn endpoints_file(&self) -> PathBuf {
        self.data_dir.join("endpoints.json")
    }
}
