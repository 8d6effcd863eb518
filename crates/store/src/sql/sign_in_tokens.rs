// Sign-in tokens and actor tokens: one-time tickets kept the same way (a `doc`, the ticket's
// digest and the user as columns, a version), each kind in its own table. Included by each
// backend's module, which defines `Db`.

use serde::Serialize;
use sqlx::{Pool, Transaction};
use usher_core::actor_tokens::ActorToken;
use usher_core::clock::Millis;
use usher_core::sign_in_tokens::SignInToken;
use usher_core::store::StoreResult;

use super::query::{Versioned, execute, execute_one, fetch_optional, text, versioned};
use crate::rows::to_doc;

type Tx<'a> = Transaction<'a, Db>;

/// A kind of ticket and its table's statements.
pub trait Ticket: Versioned + Serialize {
    const BY_ID: &'static str;
    const BY_DIGEST: &'static str;
    const INSERT: &'static str;
    const UPDATE: &'static str;
    fn columns(&self) -> (&str, &str, &str, Millis, i64);
}

macro_rules! ticket_table {
    ($t:ty, $table:literal) => {
        impl Ticket for $t {
            const BY_ID: &'static str = concat!(
                "SELECT doc, version FROM ",
                $table,
                " WHERE instance_id = $1 AND id = $2"
            );
            const BY_DIGEST: &'static str = concat!(
                "SELECT doc, version FROM ",
                $table,
                " WHERE instance_id = $1 AND ticket_digest = $2"
            );
            const INSERT: &'static str = concat!(
                "INSERT INTO ",
                $table,
                " (instance_id, id, version, ticket_digest, user_id, doc, created_at) \
                 VALUES ($1, $2, 1, $3, $4, $5, $6)"
            );
            const UPDATE: &'static str = concat!(
                "UPDATE ",
                $table,
                " SET version = version + 1, doc = $1 \
                 WHERE instance_id = $2 AND id = $3 AND version = $4"
            );
            fn columns(&self) -> (&str, &str, &str, Millis, i64) {
                (
                    self.id.as_str(),
                    &self.ticket_digest,
                    self.user_id.as_str(),
                    self.created_at,
                    self.version,
                )
            }
        }
    };
}

ticket_table!(SignInToken, "sign_in_tokens");
ticket_table!(ActorToken, "actor_tokens");

pub async fn get<T: Ticket>(pool: &Pool<Db>, instance_id: &str, id: &str) -> StoreResult<Option<T>> {
    fetch_optional(text(T::BY_ID, &[instance_id, id]), pool, versioned).await
}

pub async fn by_digest<T: Ticket>(
    pool: &Pool<Db>,
    instance_id: &str,
    digest: &str,
) -> StoreResult<Option<T>> {
    fetch_optional(text(T::BY_DIGEST, &[instance_id, digest]), pool, versioned).await
}

pub async fn insert<T: Ticket>(tx: &mut Tx<'_>, instance_id: &str, t: &T) -> StoreResult<()> {
    let (id, digest, user_id, created_at, _) = t.columns();
    execute(
        text(T::INSERT, &[instance_id, id, digest, user_id, &to_doc(t)?]).bind(created_at),
        &mut **tx,
    )
    .await?;
    Ok(())
}

/// Guarded by the version read: a ticket redeemed or revoked meanwhile is `Stale`, so it is
/// spent once.
pub async fn update<T: Ticket>(tx: &mut Tx<'_>, instance_id: &str, t: &T) -> StoreResult<()> {
    let (id, _, _, _, version) = t.columns();
    execute_one(
        text(T::UPDATE, &[&to_doc(t)?, instance_id, id]).bind(version),
        &mut **tx,
    )
    .await
}
