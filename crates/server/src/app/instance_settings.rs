//! The instance's policy settings at run time: read, and changed through one use case (the
//! Backend API's `PATCH /v1/instance…`, `usher config set|apply`). A change is validated as a
//! whole, written as one versioned document with its `usher.security.instance_settings.updated`
//! event and an audit entry naming the keys changed; this server holds it at once, the others
//! reload it at `--key-refresh-secs` (`workers::settings`). A node's `serve` flags keep
//! overriding the stored value there.

use std::sync::Arc;

use usher_core::CoreResult;
use usher_core::clock::Millis;
use usher_core::events::DomainEvent;
use usher_core::instance::Instance;
use usher_core::instance_settings::{self, Resolved, SettingsPatch, StoredSettings};
use usher_core::store::{Changeset, Store, StoreError, StoreResult, Write};

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::state::AppState;

/// The stored settings; on an instance that has none yet, writes the first document: the
/// values its own record kept that differ from the defaults (none for a new instance).
pub async fn load_or_seed(
    store: &Arc<dyn Store>,
    instance: &Instance,
    now: Millis,
) -> StoreResult<StoredSettings> {
    let stored = store.instance_settings(&instance.id).await?;
    if stored.version > 0 {
        return Ok(stored);
    }
    let first = StoredSettings {
        values: instance_settings::seed_from(&instance.settings),
        updated_at: Some(now),
        version: 0,
    };
    let writes = vec![Write::PutInstanceSettings(first)];
    match store.commit(&instance.id, Changeset { writes }).await {
        // Another node seeded them first: theirs stand.
        Ok(()) | Err(StoreError::Stale) => store.instance_settings(&instance.id).await,
        Err(e) => Err(e),
    }
}

/// The stored settings as this node resolves them (its flags over them).
pub async fn get(state: &AppState) -> CoreResult<Resolved> {
    let stored = state.store.instance_settings(&state.instance.id).await?;
    Ok(instance_settings::resolve(&stored, &state.setting_flags))
}

/// Applies `patch` to the stored settings. A patch that changes nothing writes nothing.
pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    patch: &SettingsPatch,
) -> CoreResult<Resolved> {
    let stored = with_retry(|| async {
        let mut s = state.store.instance_settings(&state.instance.id).await?;
        let before = s.values.clone();
        if !instance_settings::apply(&mut s, patch, state.now())? {
            return Ok(s);
        }
        let changed = changed_keys(&before, &s);
        let mut change = Change::new(state, ctx);
        change
            .write(Write::PutInstanceSettings(s.clone()))
            .event(DomainEvent::InstanceSettingsUpdated(s.clone()));
        change
            .commit("instance.settings.update", Some(&changed))
            .await?;
        s.version += 1;
        Ok(s)
    })
    .await?;
    state.replace_settings(&stored);
    Ok(instance_settings::resolve(&stored, &state.setting_flags))
}

/// The keys whose stored value differs, comma-separated, for the audit entry.
fn changed_keys(
    before: &std::collections::BTreeMap<String, serde_json::Value>,
    after: &StoredSettings,
) -> String {
    let mut keys: Vec<&str> = before
        .keys()
        .chain(after.values.keys())
        .filter(|k| before.get(*k) != after.values.get(*k))
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys.join(",")
}
