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
    /// The Frontend API's public base URL (`https://auth.example.com`), in the absolute URLs
    /// Usher hands out (images, invitation links); defaults to `http://` + the Frontend API host.
    pub frontend_url: Option<String>,
    /// Seeds the secret key on first run; on later runs it must match the stored key.
    pub secret_key: Option<String>,
    /// The environment asked for: a new instance gets it (development when `None`; a seeded
    /// `sk_live_` key implies production). An existing instance keeps its own, and one that
    /// differs from what is asked for here is warned about.
    pub environment: Option<Environment>,
    /// Password-hashing threads; defaults to the number of cores.
    pub hasher_workers: Option<usize>,
    /// How often to look for signing keys rotated by another process.
    pub key_refresh_secs: u64,
    /// How often the data lifecycle worker (deleted users' purges, retention) runs; 0: never
    /// (tests drive it with `Running::run_lifecycle`).
    pub lifecycle_interval_secs: u64,
    /// Shares rate-limit counters between nodes; without it each node counts for itself.
    pub redis_url: Option<String>,
    /// Backend API requests allowed per secret key per 10 seconds; 0 means no limit.
    pub bapi_rate_limit: u64,
    pub webhooks: WebhookConfig,
    pub mail: MailConfig,
    pub sms: SmsConfig,
    pub frontend: FrontendConfig,
    /// Instance policy set by the operator at start-up: each flag given overrides the stored
    /// setting on this node only (unset ones keep the stored value).
    pub policy: PolicyOverrides,
    /// Degraded mode's per-node machinery: the snapshot cache's size, the probe's interval.
    pub degraded: crate::degraded::DegradedConfig,
}

/// Operator choices for the instance's front-door policy.
#[derive(Debug, Clone, Default)]
pub struct PolicyOverrides {
    pub client_trust: Option<bool>,
    pub session_inactivity_ms: Option<i64>,
    pub session_max_lifetime_ms: Option<i64>,
    pub sign_out_other_sessions_on_security_change: Option<bool>,
    pub lockout_attempts: Option<i64>,
    pub lockout_duration_secs: Option<i64>,
    pub enumeration_protection: Option<bool>,
    pub organizations_enabled: Option<bool>,
    pub organization_domains_enabled: Option<bool>,
    pub force_organization_selection: Option<bool>,
    pub degraded_mode_enabled: Option<bool>,
    pub degraded_mode_window_secs: Option<i64>,
    pub degraded_mode_db_timeout_ms: Option<i64>,
}

impl PolicyOverrides {
    pub fn apply(&self, s: &mut usher_core::instance::InstanceSettings) {
        if let Some(v) = self.client_trust {
            s.client_trust = v;
        }
        if let Some(v) = self.session_inactivity_ms {
            s.session_inactivity_ms = v;
        }
        if let Some(v) = self.session_max_lifetime_ms {
            s.session_max_lifetime_ms = v;
        }
        if let Some(v) = self.sign_out_other_sessions_on_security_change {
            s.sign_out_other_sessions_on_security_change = v;
        }
        if let Some(v) = self.lockout_attempts {
            s.max_verification_attempts = v;
        }
        if let Some(v) = self.lockout_duration_secs {
            s.lockout_duration_secs = v;
        }
        if let Some(v) = self.enumeration_protection {
            s.enumeration_protection = v;
        }
        if let Some(v) = self.organizations_enabled {
            s.organizations_enabled = v;
        }
        if let Some(v) = self.organization_domains_enabled {
            s.organization_domains_enabled = v;
        }
        if let Some(v) = self.force_organization_selection {
            s.force_organization_selection = v;
        }
        if let Some(v) = self.degraded_mode_enabled {
            s.degraded_mode_enabled = v;
        }
        if let Some(v) = self.degraded_mode_window_secs {
            s.degraded_mode_window_secs = v;
        }
        if let Some(v) = self.degraded_mode_db_timeout_ms {
            s.degraded_mode_db_timeout_ms = v;
        }
    }

    /// The flags given, as stored settings' keys and values: they override the stored values
    /// on this node only (the source `flag`), and are never written to the database.
    pub fn to_values(&self) -> std::collections::BTreeMap<String, serde_json::Value> {
        use serde_json::Value;
        let pairs: [(&str, Option<Value>); 13] = [
            ("client_trust", self.client_trust.map(Value::from)),
            (
                "session_inactivity_ms",
                self.session_inactivity_ms.map(Value::from),
            ),
            (
                "session_max_lifetime_ms",
                self.session_max_lifetime_ms.map(Value::from),
            ),
            (
                "sign_out_other_sessions_on_security_change",
                self.sign_out_other_sessions_on_security_change
                    .map(Value::from),
            ),
            (
                "max_verification_attempts",
                self.lockout_attempts.map(Value::from),
            ),
            (
                "lockout_duration_secs",
                self.lockout_duration_secs.map(Value::from),
            ),
            (
                "enumeration_protection",
                self.enumeration_protection.map(Value::from),
            ),
            (
                "organizations_enabled",
                self.organizations_enabled.map(Value::from),
            ),
            (
                "organization_domains_enabled",
                self.organization_domains_enabled.map(Value::from),
            ),
            (
                "force_organization_selection",
                self.force_organization_selection.map(Value::from),
            ),
            (
                "degraded_mode_enabled",
                self.degraded_mode_enabled.map(Value::from),
            ),
            (
                "degraded_mode_window_secs",
                self.degraded_mode_window_secs.map(Value::from),
            ),
            (
                "degraded_mode_db_timeout_ms",
                self.degraded_mode_db_timeout_ms.map(Value::from),
            ),
        ];
        pairs
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_string(), v?)))
            .collect()
    }

    /// Forcing organization selection without organizations would leave every session pending
    /// with no way to choose one: refused when asked for now, warned about when only stored.
    pub fn check(
        &self,
        s: &usher_core::instance::InstanceSettings,
    ) -> Result<Option<&'static str>, &'static str> {
        if !s.force_organization_selection || s.organizations_enabled {
            return Ok(None);
        }
        if self.force_organization_selection == Some(true) {
            Err(
                "--force-organization-selection needs organizations on the Frontend API (--organizations true)",
            )
        } else {
            Ok(Some(
                "organization selection is forced but organizations are off: the setting is ignored (pass --organizations true, or --force-organization-selection false)",
            ))
        }
    }
}

/// Browser-facing settings of the Frontend API.
#[derive(Debug, Clone)]
pub struct FrontendConfig {
    /// `--allowed-origins`: when given, this node's origins (`scheme://host[:port]`) whose
    /// pages may call the Frontend API with credentials, over the stored `allowed_origins`.
    /// Development instances also allow any `localhost` / `127.0.0.1` origin.
    pub allowed_origins: Vec<String>,
    /// A node_modules-style folder holding `@clerk/clerk-js` and `@clerk/ui`, served under
    /// `/npm/@clerk/…` for apps that load Clerk's browser SDK from the Frontend API.
    pub clerk_js_dir: Option<PathBuf>,
    /// Marks the cookies Usher sets `Secure` (browsers accept them on http://localhost too).
    pub cookie_secure: bool,
    pub cookie_same_site: SameSite,
    /// Reverse proxies whose `X-Forwarded-For` names the real client address. Without them the
    /// peer address is the client: a forwarded header from anyone else is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The Frontend API's rate limits.
    pub limits: usher_core::ratelimit::FrontDoorLimits,
    /// When failed sign-ins count as a spike (`usher.security.sign_in_failure_spike`).
    pub spike: usher_core::security::SpikePolicy,
}

/// The `SameSite` attribute of Usher's cookies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    Lax,
    Strict,
    /// Only for deployments whose apps call the Frontend API cross-site; needs `Secure`.
    None,
}

impl SameSite {
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
            SameSite::None => "None",
        }
    }
}

impl Default for FrontendConfig {
    fn default() -> Self {
        Self {
            allowed_origins: Vec::new(),
            clerk_js_dir: None,
            cookie_secure: true,
            cookie_same_site: SameSite::Lax,
            trusted_proxies: Vec::new(),
            limits: usher_core::ratelimit::FrontDoorLimits::default(),
            spike: usher_core::security::SpikePolicy::default(),
        }
    }
}

pub use usher_core::instance_settings::normalize_origin;

/// Email delivery settings.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://[user:pass@]host[:port]` (STARTTLS required; port 587), `smtps://…` (TLS from
    /// the start; port 465), or `smtp://host:port?tls=none` (plain, for a local sink; port 25).
    /// Without it every email is written to the log instead (status `logged`).
    pub smtp_url: Option<String>,
    /// The sender, `Name <address>` or a bare address.
    pub from: String,
    /// Runs the mail worker. Tests turn it off and drive delivery with `Running::drain_mail`.
    pub run_worker: bool,
    /// Waits before each retry of a failed attempt that may pass; after the last, the email is
    /// failed.
    pub retry_delays: Vec<Duration>,
    /// The SMTP conversation's time limit.
    pub timeout: Duration,
    /// How often the worker looks for emails no commit in this process announced (queued by
    /// another process or node, and retries that came due).
    pub poll_interval: Duration,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "Usher <no-reply@localhost>".into(),
            run_worker: true,
            retry_delays: usher_core::mail::DEFAULT_RETRY_DELAYS_MS
                .iter()
                .map(|ms| Duration::from_millis(ms.unsigned_abs()))
                .collect(),
            timeout: Duration::from_secs(30),
            poll_interval: Duration::from_secs(1),
        }
    }
}

/// Text message settings: the caps against SMS pumping and, when set, the Twilio-compatible
/// provider that delivers them.
#[derive(Debug, Clone)]
pub struct SmsConfig {
    pub caps: usher_core::sms_caps::SmsCaps,
    /// Delivers texts through a Twilio-compatible Messages API; without it they go out only as
    /// `sms.created` webhooks, for the application to send.
    pub provider: Option<crate::outbound::sms::TwilioConfig>,
    /// Runs the SMS worker (with a provider). Tests turn it off and drive delivery with
    /// `Running::drain_sms`.
    pub run_worker: bool,
    /// Waits before each retry of an attempt the provider refused for now (5xx, 429); after the
    /// last, the text is failed.
    pub retry_delays: Vec<Duration>,
    /// One request's time limit.
    pub timeout: Duration,
    /// How often the worker looks for texts no commit in this process announced.
    pub poll_interval: Duration,
}

impl Default for SmsConfig {
    fn default() -> Self {
        Self {
            caps: usher_core::sms_caps::SmsCaps::default(),
            provider: None,
            run_worker: true,
            retry_delays: [1, 5, 30].iter().map(|s| Duration::from_secs(*s)).collect(),
            timeout: Duration::from_secs(15),
            poll_interval: Duration::from_secs(1),
        }
    }
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
            frontend_url: None,
            secret_key: None,
            environment: None,
            hasher_workers: None,
            key_refresh_secs: 5,
            lifecycle_interval_secs: 60,
            redis_url: None,
            bapi_rate_limit: 0,
            webhooks: WebhookConfig::default(),
            frontend: FrontendConfig::default(),
            policy: PolicyOverrides::default(),
            degraded: crate::degraded::DegradedConfig::default(),
            mail: MailConfig::default(),
            sms: SmsConfig::default(),
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
