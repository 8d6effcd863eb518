//! `usher keys`: the instance's keys and URLs, and the signing keys' rotation and retirement
//! (through the same change path as everything else: event and audit entry with the key write).

use anyhow::Context;
use serde_json::{Value, json};
use usher_core::CoreError;
use usher_core::clock::{Clock, SystemClock};
use usher_core::instance::Instance;
use usher_core::signing_keys::SigningKey;
use usher_core::store::Store;
use usher_server::app::context::RequestContext;
use usher_server::app::signing_keys as app;
use usher_server::config::ServerConfig;

use crate::output::{outln, time};
use crate::{CommonArgs, KeysAction};

pub fn run(common: CommonArgs, as_json: bool, action: Option<KeysAction>) -> anyhow::Result<()> {
    let cfg = crate::offline::existing_instance(common)?;
    let cfg = &cfg;
    crate::offline::with_state(cfg, |state| async move {
        let ctx = RequestContext::system("cli");
        match action {
            None => show(cfg, state.store.as_ref(), &state.instance, as_json).await,
            Some(KeysAction::Rotate { emergency: false }) => {
                let kid = app::rotate(&state, &ctx).await?;
                outln!(
                    "{kid} now signs new session tokens; earlier keys stay in JWKS until retired."
                )?;
                Ok(())
            }
            Some(KeysAction::Rotate { emergency: true }) => {
                let (kid, retired) = app::rotate_emergency(&state, &ctx).await?;
                outln!("{kid} now signs new session tokens.")?;
                outln!(
                    "Retired {} earlier key{} ({}): removed from JWKS.",
                    retired.len(),
                    if retired.len() == 1 { "" } else { "s" },
                    retired.join(", ")
                )?;
                outln!(
                    "Every session token issued before now stops verifying once running servers reload their keys (--key-refresh-secs) and apps refetch JWKS; signed-in users stay signed in: their browsers get a new token with the session cookie. Apps given the PEM key (CLERK_JWT_KEY) need the new one: `usher keys`."
                )?;
                Ok(())
            }
            Some(KeysAction::RotateSecret { overlap, name }) => {
                crate::secret_keys::rotate(&state, &ctx, &overlap, name).await
            }
            Some(KeysAction::Secrets) => crate::secret_keys::list(&state, as_json).await,
            Some(KeysAction::RevokeSecret { name }) => {
                crate::secret_keys::revoke(&state, &ctx, &name).await
            }
            Some(KeysAction::Retire { kid }) => match app::retire(&state, &ctx, &kid).await {
                Ok(()) => {
                    outln!(
                        "{kid} retired: it is no longer published, and tokens it signed no longer verify."
                    )?;
                    Ok(())
                }
                Err(CoreError::NotFound { .. }) => {
                    anyhow::bail!(
                        "{kid} is not a signing key of this instance (see `usher keys list`)"
                    )
                }
                Err(CoreError::ParamValueInvalid { reason, .. }) => anyhow::bail!("{kid} {reason}"),
                Err(e) => Err(anyhow::anyhow!("{kid}: {e}")),
            },
            Some(KeysAction::List) => {
                for r in app::list(&state).await? {
                    outln!(
                        "{}  {}  created_at={}",
                        r.kid,
                        if r.active { "active " } else { "inactive" },
                        time(Some(r.created_at))
                    )?;
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
    // The key file holds the key made with the instance (or seeded by USHER_SECRET_KEY): shown
    // while it is accepted; a key rotated in is printed once by `usher keys rotate-secret`.
    let now = SystemClock.now_ms();
    let accepted = store.secret_keys(&instance.id).await?;
    let file_secret = usher_server::bootstrap::read_secret_file(&cfg.secret_key_file());
    let secret = file_secret
        .clone()
        .filter(|s| accepted.iter().any(|k| k.matches(s) && k.is_valid_at(now)));
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
        outln!("{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        outln!(
            "Instance:         {} ({})",
            instance.id,
            instance.environment.as_str()
        )?;
        outln!("Backend API:      {api_url}")?;
        outln!("Frontend API:     {frontend}")?;
        outln!("Publishable key:  {publishable}")?;
        outln!(
            "Secret key:       {}",
            secret
                .as_deref()
                .unwrap_or(if file_secret.is_some() {
                    "(rotated: `usher keys rotate-secret` printed the current one; `usher keys secrets` lists them)"
                } else {
                    "(not on this machine: the key file is missing)"
                })
        )?;
        outln!("\nJWT public key (CLERK_JWT_KEY):\n{pem}")?;
    }
    Ok(())
}
