use std::sync::Arc;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use usher_core::clock::{Clock, SystemClock};
use usher_core::ids::{new_id, prefix};
use usher_core::instance::Instance;
use usher_core::signing_keys::SigningKey;
use usher_core::store::Store;
use usher_server::config::ServerConfig;

use crate::{CommonArgs, KeysAction};

async fn open(common: CommonArgs) -> anyhow::Result<(ServerConfig, Arc<dyn Store>, Instance)> {
    let cfg = crate::offline::existing_instance(common)?;
    let store = usher_store::open(&cfg.database_url())
        .await
        .context("opening the database")?;
    let instance = store
        .load_instance()
        .await?
        .context("the database has no instance yet: run `usher serve` first")?;
    Ok((cfg, store, instance))
}

pub fn run(common: CommonArgs, as_json: bool, action: Option<KeysAction>) -> anyhow::Result<()> {
    let rt = crate::offline::runtime()?;
    rt.block_on(async move {
        let (cfg, store, instance) = open(common).await?;
        match action {
            None => show(&cfg, store.as_ref(), &instance, as_json).await,
            Some(KeysAction::Rotate) => {
                let kid = new_id(prefix::SIGNING_KEY);
                let (_, record) = SigningKey::generate(&kid, &instance.id, SystemClock.now_ms())?;
                store.rotate_signing_key(&instance.id, &record).await?;
                println!("{kid} now signs new session tokens; earlier keys stay in JWKS until retired.");
                Ok(())
            }
            Some(KeysAction::Retire { kid }) => {
                if store.retire_signing_key(&instance.id, &kid).await? {
                    println!("{kid} retired: it is no longer published, and tokens it signed no longer verify.");
                    Ok(())
                } else {
                    bail!("{kid} is not an inactive signing key of this instance (the active key cannot be retired; rotate first)")
                }
            }
            Some(KeysAction::List) => {
                for r in store.signing_keys(&instance.id).await? {
                    println!("{}  {}  created_at={}", r.kid, if r.active { "active " } else { "inactive" }, r.created_at);
                }
                Ok(())
            }
        }
    })
}

async fn show(
    cfg: &ServerConfig,
    store: &dyn Store,
    instance: &Instance,
    as_json: bool,
) -> anyhow::Result<()> {
    let records = store.signing_keys(&instance.id).await?;
    let active = records
        .iter()
        .find(|r| r.active)
        .context("the instance has no active signing key")?;
    let pem = SigningKey::from_record(active)?.public_pem();
    let secret = usher_server::bootstrap::read_secret_file(&cfg.secret_key_file());
    let endpoints: Value = std::fs::read_to_string(cfg.endpoints_file())
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Value::Null);
    let publishable = endpoints["publishable_key"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| instance.publishable_key());
    let api_url = endpoints["api_url"]
        .as_str()
        .unwrap_or("http://127.0.0.1:4000")
        .to_owned();
    let frontend = endpoints["frontend_api_url"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| format!("http://{}", instance.frontend_host));
    if as_json {
        let doc = json!({
            "secret_key": secret,
            "publishable_key": publishable,
            "api_url": api_url,
            "frontend_api_url": frontend,
            "jwt_public_key_pem": pem,
            "instance_id": instance.id,
            "environment": instance.environment.as_str(),
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!(
            "Instance:         {} ({})",
            instance.id,
            instance.environment.as_str()
        );
        println!("Backend API:      {api_url}");
        println!("Frontend API:     {frontend}");
        println!("Publishable key:  {publishable}");
        println!(
            "Secret key:       {}",
            secret
                .as_deref()
                .unwrap_or("(not on this machine: the key file is missing)")
        );
        println!("\nJWT public key (CLERK_JWT_KEY):\n{pem}");
    }
    Ok(())
}
