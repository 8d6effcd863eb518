//! The instance's stored settings: none until written, then versioned like the branding, with
//! the settings event in the same transaction.

use std::sync::Arc;

use serde_json::Value;
use usher_core::instance_settings::StoredSettings;
use usher_core::store::{Changeset, Store, StoreError, Write};

use super::{NOW, Outcome, create_instance, event, one};

fn put(s: &StoredSettings) -> Changeset {
    one(Write::PutInstanceSettings(s.clone()))
}

/// Unset until the first write; each write bumps the version; a write from an old version (or a
/// second first write) is stale and changes nothing.
pub async fn settings_are_versioned(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let unset = store.instance_settings(ins).await?;
    assert_eq!(unset, StoredSettings::default(), "settings start unset");
    assert_eq!(unset.version, 0, "unset settings are unversioned");
    let mut first = unset.clone();
    first
        .values
        .insert("client_trust".into(), Value::Bool(false));
    first.updated_at = Some(NOW);
    store.commit(ins, put(&first)).await?;
    let stored = store.instance_settings(ins).await?;
    assert_eq!(
        (stored.values.get("client_trust"), stored.version),
        (Some(&Value::Bool(false)), 1),
        "settings round-trip with version 1"
    );
    assert_eq!(
        store.commit(ins, put(&first)).await,
        Err(StoreError::Stale),
        "a second first settings write is stale"
    );
    let mut next = stored.clone();
    next.values
        .insert("password_min_length".into(), Value::from(12));
    let origins = serde_json::json!(["https://a.example.com", "https://b.example.com:8443"]);
    next.values
        .insert("allowed_origins".into(), origins.clone());
    next.values.remove("client_trust");
    store.commit(ins, put(&next)).await?;
    assert_eq!(
        store.commit(ins, put(&next)).await,
        Err(StoreError::Stale),
        "a settings write from an old version is stale"
    );
    let stored = store.instance_settings(ins).await?;
    assert_eq!(stored.version, 2, "updates bump the version");
    assert_eq!(
        stored.values.into_iter().collect::<Vec<_>>(),
        vec![
            ("allowed_origins".to_string(), origins),
            ("password_min_length".to_string(), Value::from(12))
        ],
        "the document is replaced, not merged; lists (the allowed origins) round-trip"
    );
    Ok(())
}

/// A stale settings write takes its event down with it.
pub async fn a_stale_settings_write_keeps_no_event(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let mut s = StoredSettings::default();
    s.values
        .insert("organizations_enabled".into(), Value::Bool(true));
    store.commit(ins, put(&s)).await?;
    let before = store.events_after(ins, 0, 100).await?.len();
    let mut cs = put(&s);
    cs.push(event(
        ins,
        "usher.security.instance_settings.updated",
        serde_json::json!({}),
    ));
    assert_eq!(store.commit(ins, cs).await, Err(StoreError::Stale));
    assert_eq!(
        store.events_after(ins, 0, 100).await?.len(),
        before,
        "the event of a stale write is not kept"
    );
    Ok(())
}
