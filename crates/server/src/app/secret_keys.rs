//! The instance's secret keys (the Backend API's credentials): rotation with an overlap (a new
//! key, the earlier ones accepted until the overlap ends), revocation of one key (it stops being
//! accepted at once; never the last one) and the list. Each change is one transaction with its
//! audit entry; the server that makes it holds the new set at once, the others reload it at
//! `--key-refresh-secs`.

use usher_core::clock::Millis;
use usher_core::instance::{SecretKeyRecord, generate_secret_key, validate_secret_key_name};
use usher_core::store::Write;
use usher_core::{CoreError, CoreResult};

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::state::AppState;

/// Every secret key of the instance, the expired ones too, oldest first.
pub async fn list(state: &AppState) -> CoreResult<Vec<SecretKeyRecord>> {
    Ok(state.store.secret_keys(&state.instance.id).await?)
}

/// A new key and what it did to the others.
pub struct Rotated {
    /// The new key itself: shown once, never stored.
    pub secret: String,
    pub record: SecretKeyRecord,
    /// The earlier keys still accepted, now expiring at `expires_at` (or sooner, if they already
    /// were to).
    pub expiring: Vec<SecretKeyRecord>,
}

/// A name for a key rotated in without one: `key-<unix seconds>`.
fn default_name(now: Millis) -> String {
    format!("key-{}", now.div_euclid(1000))
}

/// Makes a new secret key; every key accepted now keeps working for `overlap_ms` more.
pub async fn rotate(
    state: &AppState,
    ctx: &RequestContext,
    overlap_ms: Millis,
    name: Option<String>,
) -> CoreResult<Rotated> {
    if overlap_ms < 0 {
        return Err(CoreError::value("overlap", "must not be negative"));
    }
    let now = state.now();
    let name = name.unwrap_or_else(|| default_name(now));
    validate_secret_key_name(&name)?;
    let secret = generate_secret_key(state.instance.environment);
    let record = SecretKeyRecord::named(&state.instance.id, &name, &secret, now);
    let until = now.saturating_add(overlap_ms);
    let expiring = with_retry(|| async {
        let current: Vec<SecretKeyRecord> = list(state)
            .await?
            .into_iter()
            .filter(|k| k.is_valid_at(now))
            .collect();
        let mut change = Change::new(state, ctx);
        change.write(Write::InsertSecretKey(record.clone()));
        for k in &current {
            if k.expires_at.is_none_or(|at| at > until) {
                change.write(Write::ExpireSecretKey {
                    id: k.id.clone(),
                    expires_at: until,
                });
            }
        }
        change.commit("secret_key.rotate", Some(&name)).await?;
        Ok(current)
    })
    .await?;
    reload(state).await?;
    let expiring = list(state)
        .await?
        .into_iter()
        .filter(|k| expiring.iter().any(|e| e.id == k.id))
        .collect();
    Ok(Rotated {
        secret,
        record,
        expiring,
    })
}

/// Expires the key named `name` now. Refused for an unknown or already expired key, and for the
/// last key still accepted.
pub async fn revoke(
    state: &AppState,
    ctx: &RequestContext,
    name: &str,
) -> CoreResult<SecretKeyRecord> {
    let revoked = with_retry(|| async {
        let now = state.now();
        let keys = list(state).await?;
        let key = keys
            .iter()
            .find(|k| k.name == name)
            .ok_or(CoreError::NotFound {
                resource: "secret key",
            })?;
        if !key.is_valid_at(now) {
            return Err(CoreError::value("name", "has expired already"));
        }
        if !keys.iter().any(|k| k.id != key.id && k.is_valid_at(now)) {
            return Err(CoreError::value(
                "name",
                "is the last secret key still accepted: rotate first",
            ));
        }
        let mut change = Change::new(state, ctx);
        change.write(Write::ExpireSecretKey {
            id: key.id.clone(),
            expires_at: now,
        });
        change.commit("secret_key.revoke", Some(name)).await?;
        Ok(SecretKeyRecord {
            expires_at: Some(now),
            ..key.clone()
        })
    })
    .await?;
    reload(state).await?;
    Ok(revoked)
}

/// This server holds the stored set at once (the others reload it at their refresh interval).
async fn reload(state: &AppState) -> CoreResult<()> {
    state.replace_secret_keys(list(state).await?);
    Ok(())
}
