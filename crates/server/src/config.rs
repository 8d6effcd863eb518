//! Server settings. The CLI fills these from flags, environment variables (`USHER_*`) and defaults.

use std::net::SocketAddr;
use std::path::PathBuf;

use usher_core::instance::Environment;

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
