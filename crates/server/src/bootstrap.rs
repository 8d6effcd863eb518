//! First run: create the instance, its secret key and its signing key. Later runs: load them.
//! The secret key itself is kept only in a `0600` file in the data directory, for the operator's
//! `usher keys`; the database holds its hash.

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use usher_core::clock::Clock;
use usher_core::ids::InstanceId;
use usher_core::instance::{
    Environment, Instance, InstanceSettings, SecretKeyRecord, environment_of_secret_key,
    generate_secret_key, validate_frontend_host, validate_secret_key,
};
use usher_core::signing_keys::SigningKey;
use usher_core::store::{Store, StoreError};

use crate::config::ServerConfig;
use crate::state::KeyRing;

pub struct Bootstrapped {
    pub instance: Instance,
    pub secret_keys: Vec<SecretKeyRecord>,
    pub keys: KeyRing,
    /// Whether this run created the instance.
    pub created: bool,
    /// The plain secret key, when known (always on first run; afterwards from the key file).
    pub secret_key: Option<String>,
    /// An environment asked for (`--environment`) that the existing instance does not have.
    pub environment_ignored: Option<Environment>,
}

/// The Frontend API's public base URL without a trailing slash: `--frontend-url` when set (an
/// absolute http(s) URL without query or fragment), else `http://` + the Frontend API host.
pub fn frontend_url(cfg: &ServerConfig) -> anyhow::Result<String> {
    let Some(raw) = &cfg.frontend_url else {
        return Ok(format!("http://{}", frontend_host(cfg)));
    };
    let parsed = url::Url::parse(raw)
        .map_err(|e| anyhow::anyhow!("USHER_FRONTEND_URL / --frontend-url {raw:?}: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https")
        || parsed.host_str().is_none()
        || parsed.query().is_some()
        || parsed.fragment().is_some()
        || !parsed.username().is_empty()
    {
        anyhow::bail!(
            "USHER_FRONTEND_URL / --frontend-url {raw:?}: must be an http(s) URL without credentials, query or fragment (for example https://auth.example.com)"
        );
    }
    Ok(raw.trim_end_matches('/').to_owned())
}

pub fn frontend_host(cfg: &ServerConfig) -> String {
    cfg.frontend_host
        .clone()
        .unwrap_or_else(|| cfg.frontend_addr.to_string())
}

pub async fn bootstrap(
    store: &Arc<dyn Store>,
    cfg: &ServerConfig,
    clock: &dyn Clock,
) -> anyhow::Result<Bootstrapped> {
    let host = frontend_host(cfg);
    validate_frontend_host(&host)
        .map_err(|e| anyhow::anyhow!("USHER_FRONTEND_HOST / --frontend-addr: {e}"))?;
    if let Some(k) = &cfg.secret_key {
        validate_secret_key(k).map_err(|e| anyhow::anyhow!("USHER_SECRET_KEY: {e}"))?;
    }
    let (mut instance, created, plain) = match store
        .load_instance()
        .await
        .context("reading the instance")?
    {
        Some(instance) => (instance, false, read_secret_file(&cfg.secret_key_file())),
        None => match create(store, cfg, &host, clock).await? {
            Some((instance, secret)) => (instance, true, Some(secret)),
            // Another node sharing the database created it first: use theirs.
            None => {
                let instance = store
                    .load_instance()
                    .await?
                    .context("the instance vanished while starting")?;
                (instance, false, read_secret_file(&cfg.secret_key_file()))
            }
        },
    };
    if instance.frontend_host != host {
        tracing::warn!(stored = %instance.frontend_host, configured = %host, "the Frontend API host changed: the publishable key and token issuer follow the configured host");
        instance.frontend_host = host;
    }
    let secret_keys = store.secret_keys(&instance.id).await?;
    if let Some(seed) = &cfg.secret_key
        && !secret_keys
            .iter()
            .any(|k| k.matches(seed) && k.is_valid_at(clock.now_ms()))
    {
        bail!(
            "USHER_SECRET_KEY does not match any unexpired secret key of this instance (it only seeds the key when the instance is first created; see `usher keys secrets`)"
        );
    }
    // A node joining an existing instance with the right seed keeps its own copy for `usher keys`.
    let plain = match (plain, &cfg.secret_key) {
        (None, Some(seed)) => {
            write_secret_file(&cfg.secret_key_file(), seed)?;
            Some(seed.clone())
        }
        (plain, _) => plain,
    };
    let keys = KeyRing::from_records(&store.signing_keys(&instance.id).await?)?;
    if instance.environment == Environment::Production && !created {
        tracing::info!("serving a production instance");
    }
    let environment_ignored = cfg
        .environment
        .filter(|asked| !created && *asked != instance.environment);
    if let Some(asked) = environment_ignored {
        tracing::warn!(
            requested = asked.as_str(),
            instance = instance.environment.as_str(),
            "--environment / USHER_ENVIRONMENT does not match the stored instance, whose environment is fixed when it is created: serving it as {}",
            instance.environment.as_str()
        );
    }
    Ok(Bootstrapped {
        instance,
        secret_keys,
        keys,
        created,
        secret_key: plain,
        environment_ignored,
    })
}

/// Creates the instance, or returns `None` when another process created one first.
async fn create(
    store: &Arc<dyn Store>,
    cfg: &ServerConfig,
    host: &str,
    clock: &dyn Clock,
) -> anyhow::Result<Option<(Instance, String)>> {
    let now = clock.now_ms();
    let env = cfg.secret_key.as_deref().map_or(
        cfg.environment.unwrap_or(Environment::Development),
        environment_of_secret_key,
    );
    let secret = cfg
        .secret_key
        .clone()
        .unwrap_or_else(|| generate_secret_key(env));
    let instance = Instance {
        id: InstanceId::new(),
        environment: env,
        frontend_host: host.to_owned(),
        settings: InstanceSettings::default(),
        created_at: now,
    };
    let record = SecretKeyRecord::new(&instance.id, &secret, now);
    // Clerk names the first signing key after the instance.
    let (_, key_record) = SigningKey::generate(&instance.id, &instance.id, now)?;
    match store.create_instance(&instance, &record, &key_record).await {
        Ok(()) => {}
        Err(StoreError::InstanceExists) => return Ok(None),
        Err(e) => return Err(e).context("creating the instance"),
    }
    write_secret_file(&cfg.secret_key_file(), &secret)?;
    tracing::info!(instance_id = %instance.id, environment = env.as_str(), "created a new instance");
    Ok(Some((instance, secret)))
}

fn write_secret_file(path: &Path, secret: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("writing {}", path.display()))?;
    f.write_all(secret.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

pub fn read_secret_file(path: &Path) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}
