use anyhow::{Context, bail};
use serde_json::{Value, json};
use usher_core::signing_keys::SigningKey;

use crate::CommonArgs;

pub fn run(common: CommonArgs, as_json: bool) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let cfg = usher_server::config::ServerConfig {
            database_url: common.database_url,
            ..usher_server::config::ServerConfig::with_data_dir(common.data_dir)
        };
        let db = cfg.database_url();
        if db.starts_with("sqlite://")
            && !cfg.data_dir.join("usher.sqlite").exists()
            && cfg.database_url.is_none()
        {
            bail!(
                "no Usher instance in {} yet: run `usher serve` first",
                cfg.data_dir.display()
            );
        }
        let store = usher_store::open(&db)
            .await
            .context("opening the database")?;
        let instance = store
            .load_instance()
            .await?
            .context("the database has no instance yet: run `usher serve` first")?;
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
    })
}
