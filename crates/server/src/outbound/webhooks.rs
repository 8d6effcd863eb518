//! What the webhook worker shares with the rest of the server: its settings, the destination
//! policy, the guarded HTTP client, this process's name in leases, and the doorbell that
//! commits ring.

use std::sync::Arc;

use tokio::sync::Notify;
use usher_core::instance::Environment;
use usher_core::webhooks::{DestinationPolicy, Jitter, RandomJitter};

use super::webhook_http;
use crate::config::WebhookConfig;

pub(crate) struct Inner {
    pub(crate) cfg: WebhookConfig,
    pub(crate) policy: DestinationPolicy,
    pub(crate) client: reqwest::Client,
    pub(crate) jitter: Box<dyn Jitter>,
    pub(crate) wake: Notify,
    pub(crate) node: String,
    pub(crate) worker: String,
}

/// The worker's shared parts: its settings, the guarded HTTP client, and the doorbell that
/// commits ring so that delivery starts at once.
#[derive(Clone)]
pub struct WebhookRuntime(pub(crate) Arc<Inner>);

fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "usher".to_owned())
}

impl WebhookRuntime {
    pub fn new(cfg: WebhookConfig, environment: Environment) -> anyhow::Result<Self> {
        let policy = DestinationPolicy::for_instance(environment, cfg.allow_private_networks);
        let client = webhook_http::client(policy, cfg.timeout)?;
        let node = cfg.node_id.clone().unwrap_or_else(host_name);
        let worker = format!("{node}/{}", usher_core::ids::random_hex(6));
        Ok(Self(Arc::new(Inner {
            cfg,
            policy,
            client,
            jitter: Box::new(RandomJitter),
            wake: Notify::new(),
            node,
            worker,
        })))
    }

    /// A commit queued deliveries: start now rather than at the next poll.
    pub fn wake(&self) {
        self.0.wake.notify_one();
    }

    pub fn policy(&self) -> &DestinationPolicy {
        &self.0.policy
    }

    pub fn config(&self) -> &WebhookConfig {
        &self.0.cfg
    }

    /// This process's name in leases.
    pub fn worker_id(&self) -> &str {
        &self.0.worker
    }

    pub(crate) fn lease_ms(&self) -> i64 {
        i64::try_from(self.0.cfg.lease.as_millis()).unwrap_or(30_000)
    }
}
