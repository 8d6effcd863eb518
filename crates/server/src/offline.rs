//! The application without its listeners: operator commands (`usher webhooks …`) run the same
//! use cases as the Backend API against the database, beside a running server or without one.
//! No webhook worker runs here; a running server notices the changes at its next poll.

use std::sync::Arc;

use anyhow::Context;
use usher_core::clock::Clock;
use usher_core::passwords::HasherPool;

use crate::config::ServerConfig;
use crate::outbound::mail::MailRuntime;
use crate::outbound::webhooks::WebhookRuntime;
use crate::state::{AppState, KeyRing, StateParts};

pub async fn open(cfg: &ServerConfig, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    let store = usher_store::open(&cfg.database_url())
        .await
        .context("opening the database")?;
    let instance = store
        .load_instance()
        .await?
        .context("the database has no instance yet: run `usher serve` first")?;
    let secret_keys = store.secret_keys(&instance.id).await?;
    let branding = store.branding(&instance.id).await?;
    let session_claims = store.session_claims(&instance.id).await?;
    let settings =
        crate::app::instance_settings::load_or_seed(&store, &instance, clock.now_ms()).await?;
    let keys = KeyRing::from_records(&store.signing_keys(&instance.id).await?)?;
    let mut webhooks = cfg.webhooks.clone();
    webhooks.run_worker = false;
    let webhooks = WebhookRuntime::new(webhooks, instance.environment)?;
    let state = AppState::new(StateParts {
        store,
        instance,
        clock: clock.clone(),
        hasher: HasherPool::start(1, 16)?,
        keys,
        secret_keys,
        api_url: String::new(),
        frontend_api_url: String::new(),
        webhooks,
        // Nothing is sent from here: email queued by an operator command goes out from a
        // running server at its next poll.
        mail: MailRuntime::new(crate::config::MailConfig {
            run_worker: false,
            ..cfg.mail.clone()
        })?,
        // Texts queued by an operator command go out from a running server's SMS worker.
        sms: crate::outbound::sms::sender(&cfg.sms),
        sms_runtime: crate::outbound::sms::SmsRuntime::new(crate::config::SmsConfig {
            run_worker: false,
            ..cfg.sms.clone()
        })?,
        // Operator commands are not rate limited and count nothing across nodes.
        counters: crate::fast_state::SharedCounters::new(None, clock),
        bapi_limit: None,
        frontend: cfg.frontend.clone(),
        branding,
        session_claims,
        settings,
        // Operator commands hold no node's flags: they see the stored settings.
        setting_flags: Default::default(),
        // Operator commands mint no session tokens: nothing is held.
        degraded: crate::degraded::DegradedConfig {
            cache_sessions: 1,
            ..Default::default()
        },
    });
    crate::workers::message_templates::refresh_once(&state).await?;
    Ok(state)
}
