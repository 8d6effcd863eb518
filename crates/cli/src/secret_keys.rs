//! `usher keys rotate-secret | secrets | revoke-secret`: the leaked-secret-key procedure, through
//! `app::secret_keys` (one transaction and audit entry per change). The new key is printed once:
//! only its SHA-256 is stored.

use serde_json::json;
use usher_core::CoreError;
use usher_core::instance::SecretKeyRecord;
use usher_server::app::context::RequestContext;
use usher_server::app::secret_keys as app;
use usher_server::state::AppState;

use crate::output::{outln, time};

pub async fn rotate(
    state: &AppState,
    ctx: &RequestContext,
    overlap: &str,
    name: Option<String>,
) -> anyhow::Result<()> {
    let overlap_ms = crate::when::parse_duration(overlap)?;
    let rotated = match app::rotate(state, ctx, overlap_ms, name).await {
        Ok(r) => r,
        Err(CoreError::IdentifierExists { .. }) => {
            anyhow::bail!("a secret key of that name exists already (see `usher keys secrets`)")
        }
        Err(CoreError::ParamValueInvalid { param, reason }) => anyhow::bail!("{param} {reason}"),
        Err(e) => return Err(e.into()),
    };
    outln!(
        "New secret key {:?} (shown only now: store it before closing this terminal):",
        rotated.record.name
    )?;
    outln!("{}", rotated.secret)?;
    for k in &rotated.expiring {
        outln!("{:?} stays accepted until {}.", k.name, time(k.expires_at))?;
    }
    outln!("Running servers accept the new key within --key-refresh-secs.")?;
    Ok(())
}

pub async fn list(state: &AppState, as_json: bool) -> anyhow::Result<()> {
    let now = state.now();
    let keys = app::list(state).await?;
    if as_json {
        let data: Vec<_> = keys.iter().map(|k| view(k, now)).collect();
        outln!(
            "{}",
            serde_json::to_string_pretty(&json!({"data": data, "total_count": data.len()}))?
        )?;
        return Ok(());
    }
    for k in &keys {
        outln!(
            "{}  …{}  {}  created_at={}  expires_at={}",
            k.name,
            k.hint,
            if k.is_valid_at(now) {
                "accepted"
            } else {
                "expired "
            },
            time(Some(k.created_at)),
            time(k.expires_at)
        )?;
    }
    Ok(())
}

fn view(k: &SecretKeyRecord, now: i64) -> serde_json::Value {
    json!({
        "id": k.id,
        "name": k.name,
        "hint": k.hint,
        "created_at": k.created_at,
        "expires_at": k.expires_at,
        "accepted": k.is_valid_at(now),
    })
}

pub async fn revoke(state: &AppState, ctx: &RequestContext, name: &str) -> anyhow::Result<()> {
    match app::revoke(state, ctx, name).await {
        Ok(_) => {
            outln!(
                "{name:?} is no longer accepted; running servers refuse it within --key-refresh-secs."
            )?;
            Ok(())
        }
        Err(CoreError::NotFound { .. }) => {
            anyhow::bail!("no secret key is named {name:?} (see `usher keys secrets`)")
        }
        Err(CoreError::ParamValueInvalid { reason, .. }) => anyhow::bail!("{name:?} {reason}"),
        Err(e) => Err(e.into()),
    }
}
