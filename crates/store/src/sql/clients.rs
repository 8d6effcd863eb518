// Browser clients (with their sign-in and sign-up attempts), sessions by client, identifier
// look-ups for sign-in, and handshake nonces. Included by each backend's module, which defines
// `Db`.

use sqlx::{Pool, Row, Transaction};
use usher_core::ids::ClientId;
use usher_core::clients::Client;
use usher_core::sessions::Session;
use usher_core::store::StoreResult;
use usher_core::users::identifiers::{IdentifierKind, normalize};

use super::db_err;
use super::query::{DbRow, execute, execute_one, fetch_all, fetch_optional, text, versioned};
use crate::rows::{from_doc, to_doc};

type Tx<'a> = Transaction<'a, Db>;

fn client_from_row(r: &DbRow) -> StoreResult<Client> {
    let doc: Option<String> = r.get("doc");
    let mut c = match doc {
        Some(d) => from_doc::<Client>(&d)?,
        // Written before clients had documents (Backend API sessions).
        None => {
            let mut c = Client::new(None, r.get("created_at"));
            c.id = ClientId::from_stored(r.get::<String, _>("id"));
            c.updated_at = r.get("updated_at");
            c
        }
    };
    c.version = r.get("version");
    Ok(c)
}

pub async fn get_client(pool: &Pool<Db>, instance_id: &str, id: &str) -> StoreResult<Option<Client>> {
    fetch_optional(
        text(
            "SELECT id, version, doc, created_at, updated_at FROM clients WHERE instance_id = $1 AND id = $2",
            &[instance_id, id],
        ),
        pool,
        client_from_row,
    )
    .await
}

pub async fn client_by_token(
    pool: &Pool<Db>,
    instance_id: &str,
    token_hash: &str,
) -> StoreResult<Option<Client>> {
    fetch_optional(
        text(
            "SELECT id, version, doc, created_at, updated_at FROM clients WHERE instance_id = $1 AND token_hash = $2",
            &[instance_id, token_hash],
        ),
        pool,
        client_from_row,
    )
    .await
}

pub async fn sessions_of_client(
    pool: &Pool<Db>,
    instance_id: &str,
    client_id: &str,
) -> StoreResult<Vec<Session>> {
    fetch_all(
        text(
            "SELECT doc, version FROM sessions WHERE instance_id = $1 AND client_id = $2 ORDER BY created_at, id",
            &[instance_id, client_id],
        ),
        pool,
        versioned,
    )
    .await
}

pub async fn user_id_by_identifier(
    pool: &Pool<Db>,
    instance_id: &str,
    kind: IdentifierKind,
    value: &str,
) -> StoreResult<Option<String>> {
    fetch_optional(
        text(
            "SELECT user_id FROM user_identifiers WHERE instance_id = $1 AND kind = $2 AND value = $3",
            &[instance_id, kind.as_str(), &normalize(kind, value)],
        ),
        pool,
        |r| Ok(r.get("user_id")),
    )
    .await
}

pub async fn insert_client(tx: &mut Tx<'_>, instance_id: &str, c: &Client) -> StoreResult<()> {
    let insert = sqlx::query(
        "INSERT INTO clients (instance_id, id, created_at, updated_at, version, token_hash, doc) \
         VALUES ($1, $2, $3, $4, 1, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(instance_id)
    .bind(c.id.as_str())
    .bind(c.created_at)
    .bind(c.updated_at)
    .bind(&c.token_hash)
    .bind(to_doc(c)?);
    execute(insert, &mut **tx).await?;
    Ok(())
}

/// Guarded by `c.version`, like users and sessions.
pub async fn update_client(tx: &mut Tx<'_>, instance_id: &str, c: &Client) -> StoreResult<()> {
    let update = sqlx::query(
        "UPDATE clients SET version = version + 1, updated_at = $1, token_hash = $2, doc = $3 \
         WHERE instance_id = $4 AND id = $5 AND version = $6",
    )
    .bind(c.updated_at)
    .bind(&c.token_hash)
    .bind(to_doc(c)?)
    .bind(instance_id)
    .bind(c.id.as_str())
    .bind(c.version);
    execute_one(update, &mut **tx).await
}

pub async fn put_handshake_nonce(
    pool: &Pool<Db>,
    instance_id: &str,
    nonce_hash: &str,
    payload: &str,
    expire_at: i64,
) -> StoreResult<()> {
    let mut tx = super::query::begin_write(pool).await?;
    // Expired nonces are swept as new ones arrive.
    let sweep = text(
        "DELETE FROM handshake_nonces WHERE instance_id = $1 AND expire_at < $2",
        &[instance_id],
    )
    .bind(expire_at - 3_600_000);
    execute(sweep, &mut *tx).await?;
    let insert = text(
        "INSERT INTO handshake_nonces (instance_id, nonce_hash, payload, expire_at) VALUES ($1, $2, $3, $4)",
        &[instance_id, nonce_hash, payload],
    )
    .bind(expire_at);
    execute(insert, &mut *tx).await?;
    tx.commit().await.map_err(db_err)
}

pub async fn handshake_payload(
    pool: &Pool<Db>,
    instance_id: &str,
    nonce_hash: &str,
    now: i64,
) -> StoreResult<Option<String>> {
    let query = text(
        "SELECT payload FROM handshake_nonces WHERE instance_id = $1 AND nonce_hash = $2 AND expire_at > $3",
        &[instance_id, nonce_hash],
    )
    .bind(now);
    fetch_optional(query, pool, |r| Ok(r.get("payload"))).await
}
