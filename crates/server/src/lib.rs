//! Usher's HTTP server: the Clerk-compatible Backend API (`bapi`), the Frontend API (`fapi`),
//! health checks and metrics. Handlers translate wire shapes to use cases in `app`; errors
//! become Clerk's error body in `error`.

pub mod app;
pub mod bapi;
pub mod bootstrap;
pub mod config;
pub mod dashboard;
pub mod degraded;
pub mod error;
pub mod extract;
pub mod fapi;
pub mod fast_state;
pub mod health;
pub mod latency_window;
pub mod metrics;
pub mod metrics_http;
pub mod offline;
pub mod outbound;
pub mod pages;
pub mod state;
pub mod trace;
pub mod transfer;
pub mod wire;
pub mod workers;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::middleware::from_fn;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::watch;
use tower_http::catch_panic::CatchPanicLayer;
use usher_core::clock::{Clock, SystemClock};
use usher_core::passwords::HasherPool;

use crate::bootstrap::{Bootstrapped, bootstrap, frontend_url};
use crate::config::ServerConfig;
use crate::error::ApiError;
use crate::state::{AppState, StateParts};

async fn not_found() -> ApiError {
    ApiError::route_not_found()
}

async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal(usher_core::error::Cause::msg("a request handler panicked")).into_response()
}

/// Shared layers: request ids, metrics, and a last line of defence against panics.
fn finish(router: Router<AppState>, state: &AppState) -> Router {
    router
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(
            state.clone(),
            degraded::gate::middleware,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(from_fn(extract::text::refuse_control_characters))
        .layer(from_fn_with_state(state.clone(), metrics_http::middleware))
        .layer(from_fn(trace::middleware))
        .with_state(state.clone())
}

/// The Backend API listener also serves `/metrics` and the operators' dashboard (`/dashboard`):
/// it is the operators' side, which they already keep behind their firewall, while the Frontend
/// API listener faces the internet, where the figures would tell anyone about the instance's
/// traffic and the dashboard's sign-in page would invite guessing.
pub fn api_router(state: &AppState) -> Router {
    finish(
        bapi::router()
            .route("/metrics", get(metrics_http::endpoint))
            .merge(dashboard::router()),
        state,
    )
}

pub fn frontend_router(state: &AppState) -> Router {
    let inner = finish(fapi::router(state), state);
    // `_method` tunnelling must happen before routing picks a handler by method.
    Router::new().fallback_service(
        tower::ServiceBuilder::new()
            .map_request(fapi::tunnel::restore_method)
            .service(inner),
    )
}

/// A started server: its bound addresses and a handle to stop it.
pub struct Running {
    pub api_addr: SocketAddr,
    pub frontend_addr: SocketAddr,
    pub state: AppState,
    pub boot: BootReport,
    shutdown: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<std::io::Result<()>>>,
}

/// What the first lines of `usher serve` print.
pub struct BootReport {
    pub created: bool,
    /// The instance's environment (fixed when it was created).
    pub environment: usher_core::instance::Environment,
    /// `--environment` as given, when the existing instance has another one.
    pub environment_ignored: Option<usher_core::instance::Environment>,
    pub secret_key: Option<String>,
    pub publishable_key: String,
    pub public_pem: String,
    pub api_url: String,
    pub frontend_api_url: String,
}

impl Running {
    /// Stops accepting, lets in-flight requests finish, and waits for both listeners.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            t.await.context("server task")??;
        }
        Ok(())
    }

    pub async fn wait(self) -> anyhow::Result<()> {
        for t in self.tasks {
            t.await.context("server task")??;
        }
        Ok(())
    }

    pub fn shutdown_handle(&self) -> watch::Sender<bool> {
        self.shutdown.clone()
    }

    /// Test hook: delivers every webhook that is due now and returns how many attempts were
    /// made (start the server with `webhooks.run_worker = false` to drive delivery with this).
    pub async fn drain_outbox(&self) -> anyhow::Result<usize> {
        workers::webhooks::drain(&self.state).await
    }

    /// Test hook: writes the API key uses recorded in memory now.
    pub async fn flush_api_key_usage(&self) -> anyhow::Result<usize> {
        workers::api_key_usage::flush(&self.state).await
    }

    /// Test hook: adds the activity counted in memory to the stored hours now.
    pub async fn flush_activity(&self) -> anyhow::Result<usize> {
        workers::activity::flush(&self.state).await
    }

    /// Test hook: attempts every queued email that is due now (sends it, or logs it without
    /// SMTP) and returns how many attempts were made (start the server with
    /// `mail.run_worker = false` to drive delivery with this).
    pub async fn drain_mail(&self) -> anyhow::Result<usize> {
        workers::mail::drain(&self.state).await
    }

    /// Test hook: one pass of the data lifecycle worker (purges, then retention).
    pub async fn run_lifecycle(&self) -> anyhow::Result<workers::lifecycle::Pass> {
        workers::lifecycle::pass(&self.state).await
    }

    /// One pass of the SMS worker: attempts every text due now; how many attempts were made.
    pub async fn drain_sms(&self) -> anyhow::Result<usize> {
        workers::sms::drain(&self.state).await
    }
}

pub async fn start(cfg: ServerConfig) -> anyhow::Result<Running> {
    start_with_clock(cfg, Arc::new(SystemClock)).await
}

pub async fn start_with_clock(
    mut cfg: ServerConfig,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Running> {
    // Settings are checked before anything is created.
    frontend_url(&cfg)?;
    let mail = outbound::mail::MailRuntime::new(cfg.mail.clone())?;
    std::fs::create_dir_all(&cfg.data_dir)
        .with_context(|| format!("creating data directory {}", cfg.data_dir.display()))?;
    let api_listener = tokio::net::TcpListener::bind(cfg.api_addr)
        .await
        .with_context(|| format!("binding the Backend API to {}", cfg.api_addr))?;
    let frontend_listener = tokio::net::TcpListener::bind(cfg.frontend_addr)
        .await
        .with_context(|| format!("binding the Frontend API to {}", cfg.frontend_addr))?;
    let api_addr = api_listener.local_addr()?;
    let frontend_addr = frontend_listener.local_addr()?;
    // With port 0 the real port is only known now, and the publishable key must name it.
    cfg.api_addr = api_addr;
    cfg.frontend_addr = frontend_addr;

    let store = usher_store::open(&cfg.database_url())
        .await
        .context("opening the database")?;
    let Bootstrapped {
        mut instance,
        secret_keys,
        keys,
        created,
        secret_key,
        environment_ignored,
    } = bootstrap(&store, &cfg, clock.as_ref()).await?;
    let stored_settings = app::instance_settings::load_or_seed(&store, &instance, clock.now_ms())
        .await
        .context("reading the instance's settings")?;
    let mut setting_flags = cfg.policy.to_values();
    if !cfg.frontend.allowed_origins.is_empty() {
        setting_flags.insert(
            usher_core::instance_settings::ALLOWED_ORIGINS.to_owned(),
            serde_json::Value::from(cfg.frontend.allowed_origins.clone()),
        );
    }
    instance.settings =
        usher_core::instance_settings::resolve(&stored_settings, &setting_flags).settings;
    if let Some(warning) = cfg
        .policy
        .check(&instance.settings)
        .map_err(|e| anyhow::anyhow!(e))?
    {
        tracing::warn!("{warning}");
    }
    if instance.environment == usher_core::instance::Environment::Production
        && instance.settings.allowed_origins.is_empty()
    {
        tracing::warn!(
            "production instance without allowed origins: browsers cannot use the Frontend API (usher config set allowed_origins https://app.example.com, or USHER_ALLOWED_ORIGINS)"
        );
    }
    let workers = cfg.hasher_workers.unwrap_or_else(|| {
        usher_core::passwords::hasher_pool::default_workers(
            std::thread::available_parallelism().map_or(2, |n| n.get()),
        )
    });
    let hasher = HasherPool::start(workers, 1024)?;
    let api_url = format!("http://{api_addr}");
    let frontend_api_url = frontend_url(&cfg)?;
    let boot = BootReport {
        created,
        environment: instance.environment,
        environment_ignored,
        secret_key,
        publishable_key: instance.publishable_key(),
        public_pem: keys.active.public_pem(),
        api_url: api_url.clone(),
        frontend_api_url: frontend_api_url.clone(),
    };
    write_endpoints(&cfg, &boot);
    let instance_environment = instance.environment;
    let branding = store
        .branding(&instance.id)
        .await
        .context("reading the instance's branding")?;
    let session_claims = store
        .session_claims(&instance.id)
        .await
        .context("reading the instance's session token template")?;
    let redis = cfg
        .redis_url
        .as_deref()
        .map(fast_state::RedisCounters::new)
        .transpose()
        .context("USHER_REDIS_URL")?;
    let counters = fast_state::SharedCounters::new(redis, clock.clone());
    let bapi_limit = (cfg.bapi_rate_limit > 0).then_some(usher_core::ratelimit::Window {
        limit: cfg.bapi_rate_limit,
        window_ms: 10_000,
    });
    let state = AppState::new(StateParts {
        counters,
        bapi_limit,
        store,
        instance,
        clock,
        hasher,
        keys,
        secret_keys,
        api_url,
        frontend_api_url,
        webhooks: outbound::webhooks::WebhookRuntime::new(
            cfg.webhooks.clone(),
            instance_environment,
        )?,
        mail,
        sms: outbound::sms::sender(&cfg.sms),
        sms_runtime: outbound::sms::SmsRuntime::new(cfg.sms.clone())?,
        frontend: cfg.frontend.clone(),
        branding,
        session_claims,
        settings: stored_settings,
        setting_flags,
        degraded: cfg.degraded.clone(),
    });
    workers::message_templates::refresh_once(&state)
        .await
        .context("reading the instance's templates and satellite domains")?;

    let (shutdown, rx) = watch::channel(false);
    let mut tasks = Vec::new();
    for (listener, router) in [
        (api_listener, api_router(&state)),
        (frontend_listener, frontend_router(&state)),
    ] {
        let mut rx = rx.clone();
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        tasks.push(tokio::spawn(async move {
            axum::serve(listener, service)
                .with_graceful_shutdown(async move {
                    let _ = rx.wait_for(|stop| *stop).await;
                })
                .await
        }));
    }
    let refresh = std::time::Duration::from_secs(cfg.key_refresh_secs.max(1));
    tokio::spawn(workers::instance_refresh::run(
        state.clone(),
        refresh,
        rx.clone(),
    ));
    tokio::spawn(workers::api_key_usage::run(state.clone(), rx.clone()));
    if cfg.degraded.run_worker {
        tokio::spawn(workers::degraded::run(state.clone(), rx.clone()));
    }
    tokio::spawn(workers::activity::run(state.clone(), rx.clone()));
    if cfg.webhooks.run_worker {
        tokio::spawn(workers::webhooks::run(state.clone(), rx.clone()));
    }
    if cfg.mail.run_worker {
        tokio::spawn(workers::mail::run(state.clone(), rx.clone()));
    }
    if cfg.lifecycle_interval_secs > 0 {
        tokio::spawn(workers::lifecycle::run(
            state.clone(),
            std::time::Duration::from_secs(cfg.lifecycle_interval_secs),
            rx.clone(),
        ));
    }
    if cfg.sms.run_worker && cfg.sms.provider.is_some() {
        tokio::spawn(workers::sms::run(state.clone(), rx.clone()));
    }
    Ok(Running {
        api_addr,
        frontend_addr,
        state,
        boot,
        shutdown,
        tasks,
    })
}

/// `usher keys` reads where the last `usher serve` listened.
fn write_endpoints(cfg: &ServerConfig, boot: &BootReport) {
    let doc = serde_json::json!({"api_url": boot.api_url, "frontend_api_url": boot.frontend_api_url, "publishable_key": boot.publishable_key});
    if let Err(e) = std::fs::write(cfg.endpoints_file(), doc.to_string()) {
        tracing::warn!(error = %usher_core::error::report(&e), "could not record the endpoints for `usher keys`");
    }
}
