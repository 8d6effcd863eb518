//! API keys: created for a user or an organization of the instance, listed, changed, revoked,
//! deleted, their secret read again (audited), and verified. Each change commits with its
//! `usher.security.api_key.*` event and audit entry in one transaction. Verification writes
//! nothing itself: its use is recorded in memory (`api_key_usage`).

use usher_core::api_keys::{ApiKey, ApiKeyPatch, ApiKeyQuery, NewApiKey, Subject, rules};
use usher_core::events::DomainEvent;
use usher_core::ids::ApiKeyId;
use usher_core::store::Write;
use usher_core::users::query::Page;
use usher_core::{CoreError, CoreResult};

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::state::AppState;

const API_KEY: &str = "api key";

fn not_found() -> CoreError {
    CoreError::NotFound { resource: API_KEY }
}

/// Whether the subject is a user or an organization of this instance.
pub async fn subject_exists(state: &AppState, subject: &Subject) -> CoreResult<bool> {
    let ins = &state.instance.id;
    Ok(match subject {
        Subject::User(u) => state.store.get_user(ins, u).await?.is_some(),
        Subject::Organization(o) => state.store.get_organization(ins, o).await?.is_some(),
    })
}

async fn require_subject(state: &AppState, subject: &str) -> CoreResult<()> {
    let subject = rules::subject(subject)?;
    if subject_exists(state, &subject).await? {
        Ok(())
    } else {
        Err(CoreError::ParamValueInvalid {
            param: "subject".into(),
            reason: "names no user or organization of this instance".into(),
        })
    }
}

pub async fn get(state: &AppState, id: &ApiKeyId) -> CoreResult<ApiKey> {
    let key = state.store.get_api_key(&state.instance.id, id).await?;
    Ok(state.api_key_usage.seen(key.ok_or_else(not_found)?))
}

pub struct ListQuery {
    pub subject: String,
    pub include_invalid: bool,
    pub query: Option<String>,
    pub page: Page,
}

pub async fn list(state: &AppState, q: ListQuery) -> CoreResult<(Vec<ApiKey>, i64)> {
    // A subject that is not a user or organization id has no keys (as a malformed id filter).
    let query = ApiKeyQuery {
        subject: q.subject,
        include_invalid: q.include_invalid,
        now: state.now(),
        query: q.query,
        page: q.page,
    };
    let (keys, total) = state
        .store
        .list_api_keys(&state.instance.id, &query)
        .await?;
    let usage = &state.api_key_usage;
    Ok((keys.into_iter().map(|k| usage.seen(k)).collect(), total))
}

/// A new key and its secret (shown to the caller this once, and on an audited read).
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    input: NewApiKey,
) -> CoreResult<(ApiKey, String)> {
    let key = rules::create(input, state.now())?;
    if let Some(by) = &key.created_by
        && state
            .store
            .get_user(&state.instance.id, by)
            .await?
            .is_none()
    {
        return Err(CoreError::ParamValueInvalid {
            param: "created_by".into(),
            reason: "names no user of this instance".into(),
        });
    }
    let keys = state.api_key_keys().await?;
    let secret = usher_core::api_keys::ApiKeyKeys::new_secret();
    let digest = keys.digest(&secret);
    let sealed = keys.seal(&key.id, &secret)?;
    // A subject deleted meanwhile fails the insert: read again, and refuse it as unknown.
    with_retry(|| async {
        require_subject(state, &key.subject).await?;
        let mut change = Change::new(state, ctx);
        change
            .write(Write::InsertApiKey {
                key: key.clone(),
                digest: digest.clone(),
                sealed: sealed.clone(),
            })
            .event(DomainEvent::ApiKeyCreated(Box::new(key.clone())));
        change.commit("api_key.create", Some(&key.id)).await
    })
    .await?;
    let mut key = key;
    key.version = 1;
    Ok((key, secret))
}

pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    id: &ApiKeyId,
    patch: ApiKeyPatch,
) -> CoreResult<ApiKey> {
    if let Some(s) = &patch.subject {
        require_subject(state, s).await?;
    }
    with_retry(|| async {
        let key = get(state, id).await?;
        let Some(next) = rules::update(&key, patch.clone(), state.now())? else {
            return Ok(key);
        };
        let mut change = Change::new(state, ctx);
        change
            .write(Write::UpdateApiKey(next.clone()))
            .event(DomainEvent::ApiKeyUpdated(Box::new(next.clone())));
        change.commit("api_key.update", Some(id)).await?;
        Ok(ApiKey {
            version: next.version + 1,
            ..next
        })
    })
    .await
}

pub async fn revoke(
    state: &AppState,
    ctx: &RequestContext,
    id: &ApiKeyId,
    reason: Option<String>,
) -> CoreResult<ApiKey> {
    with_retry(|| async {
        let key = get(state, id).await?;
        let Some(next) = rules::revoke(&key, reason.clone(), state.now())? else {
            return Ok(key);
        };
        let mut change = Change::new(state, ctx);
        change
            .write(Write::UpdateApiKey(next.clone()))
            .event(DomainEvent::ApiKeyRevoked(Box::new(next.clone())));
        change.commit("api_key.revoke", Some(id)).await?;
        Ok(ApiKey {
            version: next.version + 1,
            ..next
        })
    })
    .await
}

pub async fn delete(state: &AppState, ctx: &RequestContext, id: &ApiKeyId) -> CoreResult<ApiKey> {
    with_retry(|| async {
        let key = get(state, id).await?;
        let mut change = Change::new(state, ctx);
        change
            .write(Write::DeleteApiKey {
                id: key.id.clone(),
                version: key.version,
            })
            .event(DomainEvent::ApiKeyDeleted(Box::new(key.clone())));
        change.commit("api_key.delete", Some(id)).await?;
        Ok(key)
    })
    .await
}

/// The key's secret, unsealed; the read is in the audit log before the secret is returned.
pub async fn secret(state: &AppState, ctx: &RequestContext, id: &ApiKeyId) -> CoreResult<String> {
    let ins = &state.instance.id;
    let sealed = state
        .store
        .api_key_sealed_secret(ins, id)
        .await?
        .ok_or_else(not_found)?;
    let secret = state.api_key_keys().await?.open(id, &sealed)?;
    Change::new(state, ctx)
        .commit("api_key.secret_read", Some(id))
        .await?;
    Ok(secret)
}

/// The usable key `secret` belongs to; an unknown, revoked or expired one is `NotFound` (Clerk
/// answers 404 to all three, and says no more). Its use is recorded for `last_used_at`.
pub async fn verify(state: &AppState, secret: &str) -> CoreResult<ApiKey> {
    let digest = state.api_key_keys().await?.digest(secret);
    let found = state
        .store
        .api_key_by_digest(&state.instance.id, &digest)
        .await?;
    let now = state.now();
    let key = rules::accept(found, &digest, now).ok_or_else(not_found)?;
    state.api_key_usage.record(&key.id, now);
    Ok(state.api_key_usage.seen(key))
}
