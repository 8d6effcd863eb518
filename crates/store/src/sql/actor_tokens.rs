// Actor tokens. Included by each backend's module, which defines `Db`.

use sqlx::{Pool, Transaction};
use usher_core::actor_tokens::ActorToken;
use usher_core::store::StoreResult;

use super::query::{execute, execute_one, fetch_optional, text, versioned};
use crate::rows::to_doc;

type Tx<'a> = Transaction<'a, Db>;

pub async fn get(pool: &Pool<Db>, instance_id: &str, id: &str) -> StoreResult<Option<ActorToken>> {
    fetch_optional(
        text(
            "SELECT doc, version FROM actor_tokens WHERE instance_id = $1 AND id = $2",
            &[instance_id, id],
        ),
        pool,
        versioned,
    )
    .await
}

pub async fn by_digest(
    pool: &Pool<Db>,
    instance_id: &str,
    digest: &str,
) -> StoreResult<Option<ActorToken>> {
    fetch_optional(
        text(
            "SELECT doc, version FROM actor_tokens WHERE instance_id = $1 AND ticket_digest = $2",
            &[instance_id, digest],
        ),
        pool,
        versioned,
    )
    .await
}

pub async fn insert(tx: &mut Tx<'_>, instance_id: &str, t: &ActorToken) -> StoreResult<()> {
    execute(
        text(
            "INSERT INTO actor_tokens (instance_id, id, version, ticket_digest, user_id, doc, created_at) \
             VALUES ($1, $2, 1, $3, $4, $5, $6)",
            &[instance_id, t.id.as_str(), &t.ticket_digest, t.user_id.as_str(), &to_doc(t)?],
        )
        .bind(t.created_at),
        &mut **tx,
    )
    .await?;
    Ok(())
}

/// Guarded by `t.version`: a ticket redeemed or revoked meanwhile is `Stale`, so it is spent once.
pub async fn update(tx: &mut Tx<'_>, instance_id: &str, t: &ActorToken) -> StoreResult<()> {
    execute_one(
        text(
            "UPDATE actor_tokens SET version = version + 1, doc = $1 \
             WHERE instance_id = $2 AND id = $3 AND version = $4",
            &[&to_doc(t)?, instance_id, t.id.as_str()],
        )
        .bind(t.version),
        &mut **tx,
    )
    .await
}
