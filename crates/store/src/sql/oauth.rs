// Social and enterprise sign-in: providers, pending states and external accounts' look-up rows.
// Included by each backend's module, which defines `Db`.

use sqlx::{Pool, Row, Transaction};
use usher_core::clock::Millis;
use usher_core::oauth::{OAuthProvider, PendingAuth, ProviderTokens};
use usher_core::store::{StoreError, StoreResult};

use super::query::{DbRow, execute, execute_unique, fetch_all, fetch_optional, text};
use crate::rows::{from_doc, to_doc};

type Tx<'a> = Transaction<'a, Db>;

fn doc<T: serde::de::DeserializeOwned>(r: &DbRow) -> StoreResult<T> {
    from_doc(&r.get::<String, _>("doc"))
}

pub async fn providers(pool: &Pool<Db>, instance_id: &str) -> StoreResult<Vec<OAuthProvider>> {
    fetch_all(
        text(
            "SELECT doc FROM oauth_providers WHERE instance_id = $1 ORDER BY created_at, id",
            &[instance_id],
        ),
        pool,
        doc,
    )
    .await
}

pub async fn provider(
    pool: &Pool<Db>,
    instance_id: &str,
    provider: &str,
) -> StoreResult<Option<OAuthProvider>> {
    fetch_optional(
        text(
            "SELECT doc FROM oauth_providers WHERE instance_id = $1 AND provider = $2",
            &[instance_id, provider],
        ),
        pool,
        doc,
    )
    .await
}

pub async fn put_provider(tx: &mut Tx<'_>, instance_id: &str, p: &OAuthProvider) -> StoreResult<()> {
    let upsert = text(
        "INSERT INTO oauth_providers (instance_id, id, provider, doc, created_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (instance_id, id) DO UPDATE SET provider = excluded.provider, doc = excluded.doc",
        &[instance_id, &p.id, &p.provider],
    )
    .bind(to_doc(p)?)
    .bind(p.created_at);
    execute_unique(upsert, &mut **tx, StoreError::KeyTaken { what: "oauth provider" }).await?;
    Ok(())
}

pub async fn delete_provider(tx: &mut Tx<'_>, instance_id: &str, id: &str) -> StoreResult<()> {
    let delete = text(
        "DELETE FROM oauth_providers WHERE instance_id = $1 AND id = $2",
        &[instance_id, id],
    );
    execute(delete, &mut **tx).await?;
    Ok(())
}

pub async fn insert_state(pool: &Pool<Db>, instance_id: &str, p: &PendingAuth) -> StoreResult<()> {
    let insert = text(
        "INSERT INTO oauth_states (instance_id, state_digest, doc, expires_at) VALUES ($1, $2, $3, $4)",
        &[instance_id, &p.state_digest],
    )
    .bind(to_doc(p)?)
    .bind(p.expires_at);
    execute_unique(insert, pool, StoreError::KeyTaken { what: "oauth state" }).await?;
    Ok(())
}

pub async fn take_state(
    pool: &Pool<Db>,
    instance_id: &str,
    digest: &str,
) -> StoreResult<Option<PendingAuth>> {
    fetch_optional(
        text(
            "DELETE FROM oauth_states WHERE instance_id = $1 AND state_digest = $2 RETURNING doc",
            &[instance_id, digest],
        ),
        pool,
        doc,
    )
    .await
}

pub async fn prune_states(pool: &Pool<Db>, instance_id: &str, now: Millis) -> StoreResult<u64> {
    let delete = text(
        "DELETE FROM oauth_states WHERE instance_id = $1 AND expires_at <= $2",
        &[instance_id],
    )
    .bind(now);
    execute(delete, pool).await
}

pub async fn account_by_subject(
    pool: &Pool<Db>,
    instance_id: &str,
    provider: &str,
    provider_user_id: &str,
) -> StoreResult<Option<ProviderTokens>> {
    fetch_optional(
        text(
            "SELECT doc FROM external_accounts \
             WHERE instance_id = $1 AND provider = $2 AND provider_user_id = $3",
            &[instance_id, provider, provider_user_id],
        ),
        pool,
        doc,
    )
    .await
}

pub async fn accounts_of(
    pool: &Pool<Db>,
    instance_id: &str,
    user_id: &str,
) -> StoreResult<Vec<ProviderTokens>> {
    fetch_all(
        text(
            "SELECT doc FROM external_accounts WHERE instance_id = $1 AND user_id = $2 \
             ORDER BY created_at, id",
            &[instance_id, user_id],
        ),
        pool,
        doc,
    )
    .await
}

pub async fn put_account(tx: &mut Tx<'_>, instance_id: &str, t: &ProviderTokens) -> StoreResult<()> {
    let upsert = text(
        "INSERT INTO external_accounts \
         (instance_id, id, user_id, provider, provider_user_id, doc, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (instance_id, id) DO UPDATE SET user_id = excluded.user_id, \
         provider = excluded.provider, provider_user_id = excluded.provider_user_id, doc = excluded.doc",
        &[
            instance_id,
            &t.external_account_id,
            &t.user_id,
            &t.provider,
            &t.provider_user_id,
        ],
    )
    .bind(to_doc(t)?)
    .bind(t.created_at);
    execute_unique(upsert, &mut **tx, StoreError::KeyTaken { what: "external account" }).await?;
    Ok(())
}

pub async fn delete_account(tx: &mut Tx<'_>, instance_id: &str, id: &str) -> StoreResult<()> {
    let delete = text(
        "DELETE FROM external_accounts WHERE instance_id = $1 AND id = $2",
        &[instance_id, id],
    );
    execute(delete, &mut **tx).await?;
    Ok(())
}

/// A deleted user's rows (its tokens go with it).
pub async fn delete_accounts_of(tx: &mut Tx<'_>, instance_id: &str, user_id: &str) -> StoreResult<()> {
    let delete = text(
        "DELETE FROM external_accounts WHERE instance_id = $1 AND user_id = $2",
        &[instance_id, user_id],
    );
    execute(delete, &mut **tx).await?;
    Ok(())
}
