//! What every handler shares: the store, the instance, its keys, the clock and the hasher pool.

use std::ops::Deref;
use std::sync::{Arc, RwLock};

use usher_core::branding::Branding;
use usher_core::clients::decoys::DecoyKey;
use usher_core::clock::Clock;
use usher_core::instance::{Instance, InstanceSettings, SecretKeyRecord};
use usher_core::instance_settings::{self, Resolved, StoredSettings};
use usher_core::jwt_templates::session_claims::{Needs, SessionClaimsTemplate};
use usher_core::passwords::HasherPool;
use usher_core::signing_keys::{SigningKey, SigningKeyRecord};
use usher_core::store::Store;
use usher_core::{CoreError, CoreResult};

use crate::config::FrontendConfig;
use crate::fast_state::SharedCounters;
use crate::metrics::Metrics;
use crate::outbound::mail::MailRuntime;
use crate::outbound::webhooks::WebhookRuntime;

/// The instance's signing keys: one signs, all verify (and are published in JWKS).
pub struct KeyRing {
    pub active: Arc<SigningKey>,
    pub all: Vec<Arc<SigningKey>>,
}

impl KeyRing {
    pub fn from_records(records: &[SigningKeyRecord]) -> CoreResult<Self> {
        let mut all = Vec::with_capacity(records.len());
        let mut active = None;
        for r in records {
            let key = Arc::new(SigningKey::from_record(r)?);
            if r.active {
                active = Some(key.clone());
            }
            all.push(key);
        }
        let active = active
            .ok_or_else(|| CoreError::Crypto("the instance has no active signing key".into()))?;
        Ok(Self { active, all })
    }
}

pub struct Inner {
    pub store: Arc<dyn Store>,
    /// The instance as loaded at start-up. Its `settings` are that moment's: read the live ones
    /// with [`AppState::settings`] (or [`AppState::current_instance`]).
    pub instance: Instance,
    /// This node's `serve` flags, which override the stored settings here only.
    pub setting_flags: std::collections::BTreeMap<String, serde_json::Value>,
    pub clock: Arc<dyn Clock>,
    pub hasher: HasherPool,
    pub metrics: Metrics,
    pub api_url: String,
    pub frontend_api_url: String,
    pub counters: Arc<SharedCounters>,
    /// The Backend API's per-secret-key limit, when one is set.
    pub bapi_limit: Option<usher_core::ratelimit::Window>,
    /// The webhook worker's settings, HTTP client and wake-up doorbell.
    pub webhooks: WebhookRuntime,
    /// The mail worker's settings, SMTP transport and wake-up doorbell.
    pub mail: MailRuntime,
    /// How text messages leave: the `sms.created` webhook, and the provider when one is set.
    pub sms: Arc<dyn usher_core::sms_sender::SmsSender>,
    /// The caps on texted codes (SMS pumping).
    pub sms_caps: usher_core::sms_caps::SmsCaps,
    /// The SMS worker's settings, provider, HTTP client and wake-up doorbell.
    pub sms_runtime: crate::outbound::sms::SmsRuntime,
    /// Browser-facing settings: allowed origins, cookies, the browser SDK folder.
    pub frontend: FrontendConfig,
    /// Watches failed sign-ins for storms.
    pub spikes: std::sync::Mutex<usher_core::security::SpikeDetector>,
    keys: RwLock<Arc<KeyRing>>,
    secret_keys: RwLock<Arc<Vec<SecretKeyRecord>>>,
    /// What end users see the instance called; reloaded when another process changes it.
    branding: RwLock<Arc<Branding>>,
    /// The effective settings (defaults, stored values, this node's flags) and their sources;
    /// reloaded when another process changes the stored ones, as the branding is.
    settings: RwLock<Arc<Resolved>>,
    /// The session token template and what rendering it reads; reloaded when another process
    /// changes it, as the branding is.
    session_claims: RwLock<Arc<HeldSessionClaims>>,
    /// The instance's stored email and SMS templates, applied as messages are queued; read at
    /// start and reloaded with the branding.
    message_templates: RwLock<Arc<Vec<usher_core::message_templates::TemplateOverride>>>,
    /// The instance's satellite domains, whose origins may call the Frontend API; read at start
    /// and reloaded with the branding.
    satellite_domains: RwLock<Arc<Vec<usher_core::domains::SatelliteDomain>>>,
    /// Held for the whole of one reload of the templates and satellite domains (read, then
    /// replace), so a reload that read before a change cannot replace what a later one read.
    pub message_templates_reload: tokio::sync::Mutex<()>,
    /// Read from the store on first use (enumeration protection only).
    decoy_key: tokio::sync::OnceCell<DecoyKey>,
    /// Seals JWT templates' own signing keys; read from the store on first use.
    template_sealing_key: tokio::sync::OnceCell<Vec<u8>>,
    /// JWT templates' own keys, unsealed and parsed, by template and version: parsing an RSA key
    /// costs about as much as a signature, so it is done once per version of a template.
    template_keys: std::sync::Mutex<TemplateKeys>,
    /// Read from the store on first use of an API key.
    api_key_keys: tokio::sync::OnceCell<usher_core::api_keys::ApiKeyKeys>,
    /// API key uses not yet written (`workers::api_key_usage` writes them in batches).
    pub api_key_usage: crate::app::api_key_usage::UsageLog,
    /// Degraded mode: the database's health as this node sees it and the session snapshots.
    pub degraded: crate::degraded::Degraded,
    /// Activity counted and not yet written (`workers::activity` adds it to the stored hours).
    pub activity: crate::app::activity::ActivityTally,
}

/// The session token template as every mint reads it: what it needs worked out once per version.
#[derive(Debug, Default)]
pub struct HeldSessionClaims {
    pub template: SessionClaimsTemplate,
    pub needs: Needs,
}

impl HeldSessionClaims {
    pub fn new(template: SessionClaimsTemplate) -> Self {
        let needs = template.needs();
        Self { template, needs }
    }
}

type TemplateKeys = std::collections::HashMap<
    usher_core::ids::JwtTemplateId,
    (i64, Arc<usher_core::jwt_templates::signing::CustomKey>),
>;

/// Templates are few; a cache this full is cleared rather than managed.
const TEMPLATE_KEYS_MAX: usize = 1024;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

pub struct StateParts {
    pub store: Arc<dyn Store>,
    pub instance: Instance,
    pub clock: Arc<dyn Clock>,
    pub hasher: HasherPool,
    pub keys: KeyRing,
    pub secret_keys: Vec<SecretKeyRecord>,
    pub api_url: String,
    pub frontend_api_url: String,
    pub counters: Arc<SharedCounters>,
    pub bapi_limit: Option<usher_core::ratelimit::Window>,
    pub webhooks: WebhookRuntime,
    pub mail: MailRuntime,
    pub sms: Arc<dyn usher_core::sms_sender::SmsSender>,
    pub sms_runtime: crate::outbound::sms::SmsRuntime,
    pub frontend: FrontendConfig,
    pub branding: Branding,
    pub session_claims: SessionClaimsTemplate,
    pub settings: StoredSettings,
    pub setting_flags: std::collections::BTreeMap<String, serde_json::Value>,
    pub degraded: crate::degraded::DegradedConfig,
}

/// The effective settings as a handler reads them: a snapshot that derefs to
/// [`InstanceSettings`].
#[derive(Clone)]
pub struct Settings(pub Arc<Resolved>);

impl Deref for Settings {
    type Target = InstanceSettings;
    fn deref(&self) -> &InstanceSettings {
        &self.0.settings
    }
}

impl AppState {
    pub fn new(p: StateParts) -> Self {
        let metrics = Metrics::new(p.hasher.clone(), p.counters.clone());
        let spike = p.frontend.spike;
        let settings = instance_settings::resolve(&p.settings, &p.setting_flags);
        let mut instance = p.instance;
        instance.settings = settings.settings.clone();
        Self(Arc::new(Inner {
            store: p.store,
            instance,
            setting_flags: p.setting_flags,
            clock: p.clock,
            hasher: p.hasher,
            metrics,
            api_url: p.api_url,
            frontend_api_url: p.frontend_api_url,
            counters: p.counters,
            bapi_limit: p.bapi_limit,
            webhooks: p.webhooks,
            mail: p.mail,
            sms: p.sms,
            sms_caps: p.sms_runtime.0.cfg.caps.clone(),
            sms_runtime: p.sms_runtime,
            frontend: p.frontend,
            spikes: std::sync::Mutex::new(usher_core::security::SpikeDetector::new(spike)),
            keys: RwLock::new(Arc::new(p.keys)),
            secret_keys: RwLock::new(Arc::new(p.secret_keys)),
            branding: RwLock::new(Arc::new(p.branding)),
            settings: RwLock::new(Arc::new(settings)),
            session_claims: RwLock::new(Arc::new(HeldSessionClaims::new(p.session_claims))),
            message_templates: RwLock::new(Arc::new(Vec::new())),
            satellite_domains: RwLock::new(Arc::new(Vec::new())),
            message_templates_reload: tokio::sync::Mutex::new(()),
            decoy_key: tokio::sync::OnceCell::new(),
            template_sealing_key: tokio::sync::OnceCell::new(),
            template_keys: std::sync::Mutex::new(TemplateKeys::new()),
            api_key_keys: tokio::sync::OnceCell::new(),
            api_key_usage: crate::app::api_key_usage::UsageLog::default(),
            degraded: crate::degraded::Degraded::new(p.degraded),
            activity: crate::app::activity::ActivityTally::default(),
        }))
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn keys(&self) -> Arc<KeyRing> {
        match self.keys.read() {
            Ok(k) => k.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn replace_keys(&self, ring: KeyRing) {
        match self.keys.write() {
            Ok(mut k) => *k = Arc::new(ring),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(ring),
        }
    }

    /// The key of enumeration protection's decoy ids: one per instance, shared by every node.
    pub async fn decoy_key(&self) -> CoreResult<&DecoyKey> {
        self.decoy_key
            .get_or_try_init(|| async {
                let candidate = usher_core::ids::random_alphanumeric(48);
                let secret = self
                    .store
                    .instance_secret(&self.instance.id, "decoy_ids", candidate.as_bytes())
                    .await?;
                Ok(DecoyKey::new(&secret, self.instance.created_at))
            })
            .await
    }

    /// The key that seals JWT templates' signing keys: one per instance, shared by every node,
    /// kept in `instance_secrets` apart from the templates.
    pub async fn template_sealing_key(&self) -> CoreResult<&[u8]> {
        use usher_core::jwt_templates::signing::{SEALING_SECRET_NAME, new_sealing_key};
        let key = self
            .template_sealing_key
            .get_or_try_init(|| async {
                let candidate = new_sealing_key()?;
                let secret = self
                    .store
                    .instance_secret(&self.instance.id, SEALING_SECRET_NAME, &candidate)
                    .await?;
                Ok::<_, usher_core::CoreError>(secret)
            })
            .await?;
        Ok(key)
    }

    /// The parsed key of `template` (which has its own), unsealed at most once per version.
    pub async fn template_key(
        &self,
        template: &usher_core::jwt_templates::JwtTemplate,
        custom: &usher_core::jwt_templates::model::CustomSigning,
    ) -> CoreResult<Arc<usher_core::jwt_templates::signing::CustomKey>> {
        use usher_core::jwt_templates::signing::CustomKey;
        let held = |keys: &TemplateKeys| {
            keys.get(&template.id)
                .filter(|(version, _)| *version == template.version)
                .map(|(_, key)| key.clone())
        };
        let cached = match self.template_keys.lock() {
            Ok(keys) => held(&keys),
            Err(poisoned) => held(&poisoned.into_inner()),
        };
        if let Some(key) = cached {
            return Ok(key);
        }
        let key = Arc::new(CustomKey::open(
            custom.algorithm,
            &custom.sealed_key,
            self.template_sealing_key().await?,
            &template.id,
        )?);
        let mut keys = match self.template_keys.lock() {
            Ok(k) => k,
            Err(poisoned) => poisoned.into_inner(),
        };
        if keys.len() >= TEMPLATE_KEYS_MAX {
            keys.clear();
        }
        keys.insert(template.id.clone(), (template.version, key.clone()));
        Ok(key)
    }

    /// The keys that digest and seal API key secrets: one per instance, shared by every node,
    /// kept in `instance_secrets` (never in the `api_keys` table).
    pub async fn api_key_keys(&self) -> CoreResult<&usher_core::api_keys::ApiKeyKeys> {
        self.api_key_keys
            .get_or_try_init(|| async {
                let store = &self.store;
                let ins = &self.instance.id;
                let digest = usher_core::ids::random_alphanumeric(48);
                let digest = store
                    .instance_secret(ins, "api_key_digest", digest.as_bytes())
                    .await?;
                let seal = usher_core::ids::random_alphanumeric(48);
                let seal = store
                    .instance_secret(ins, "api_key_seal", seal.as_bytes())
                    .await?;
                usher_core::api_keys::ApiKeyKeys::new(&digest, &seal)
            })
            .await
    }

    pub fn secret_keys(&self) -> Arc<Vec<SecretKeyRecord>> {
        match self.secret_keys.read() {
            Ok(k) => k.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn replace_secret_keys(&self, keys: Vec<SecretKeyRecord>) {
        match self.secret_keys.write() {
            Ok(mut k) => *k = Arc::new(keys),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(keys),
        }
    }

    /// Holds `keys` unless what is held is no longer `seen` (a local change made while `keys`
    /// was being read, which is at least as new). Returns whether it did.
    pub fn replace_secret_keys_if(
        &self,
        seen: &Arc<Vec<SecretKeyRecord>>,
        keys: Vec<SecretKeyRecord>,
    ) -> bool {
        let mut held = match self.secret_keys.write() {
            Ok(k) => k,
            Err(poisoned) => poisoned.into_inner(),
        };
        if !Arc::ptr_eq(&held, seen) {
            return false;
        }
        *held = Arc::new(keys);
        true
    }

    pub fn branding(&self) -> Arc<Branding> {
        match self.branding.read() {
            Ok(b) => b.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn session_claims(&self) -> Arc<HeldSessionClaims> {
        match self.session_claims.read() {
            Ok(t) => t.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Holds `t` unless what is held is already newer (a reload racing a local change).
    pub fn replace_session_claims(&self, t: SessionClaimsTemplate) {
        let mut held = match self.session_claims.write() {
            Ok(h) => h,
            Err(poisoned) => poisoned.into_inner(),
        };
        if t.version >= held.template.version {
            *held = Arc::new(HeldSessionClaims::new(t));
        }
    }

    /// Holds `b` unless what is held is already newer (a reload racing a local change).
    pub fn replace_branding(&self, b: Branding) {
        let mut held = match self.branding.write() {
            Ok(h) => h,
            Err(poisoned) => poisoned.into_inner(),
        };
        if b.version >= held.version {
            *held = Arc::new(b);
        }
    }

    /// The instance's stored email and SMS templates as held.
    pub fn message_templates(&self) -> Arc<Vec<usher_core::message_templates::TemplateOverride>> {
        match self.message_templates.read() {
            Ok(t) => t.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn replace_message_templates(
        &self,
        t: Vec<usher_core::message_templates::TemplateOverride>,
    ) {
        match self.message_templates.write() {
            Ok(mut held) => *held = Arc::new(t),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(t),
        }
    }

    /// The instance's satellite domains as held.
    pub fn satellite_domains(&self) -> Arc<Vec<usher_core::domains::SatelliteDomain>> {
        match self.satellite_domains.read() {
            Ok(d) => d.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn replace_satellite_domains(&self, d: Vec<usher_core::domains::SatelliteDomain>) {
        match self.satellite_domains.write() {
            Ok(mut held) => *held = Arc::new(d),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(d),
        }
    }

    /// The effective settings now (defaults, stored values, this node's flags).
    pub fn settings(&self) -> Settings {
        Settings(match self.settings.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        })
    }

    /// The instance with the effective settings now, for the domain functions that take one.
    pub fn current_instance(&self) -> Instance {
        Instance {
            settings: self.settings().0.settings.clone(),
            ..self.instance.clone()
        }
    }

    /// Holds the settings resolved from `stored` and this node's flags, unless what is held is
    /// already newer (a reload racing a local change).
    pub fn replace_settings(&self, stored: &StoredSettings) {
        let resolved = instance_settings::resolve(stored, &self.setting_flags);
        let mut held = match self.settings.write() {
            Ok(h) => h,
            Err(poisoned) => poisoned.into_inner(),
        };
        if resolved.version >= held.version {
            *held = Arc::new(resolved);
        }
    }
}
