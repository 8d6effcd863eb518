//! Writes. A changeset is applied in one transaction: state, outbox events and audit entries
//! commit together or not at all.

use sqlx::{Sqlite, SqlitePool, Transaction};
use usher_core::audit::AuditEntry;
use usher_core::events::OutboxEvent;
use usher_core::instance::{Instance, SecretKeyRecord};
use usher_core::sessions::{Client, Session};
use usher_core::signing_keys::SigningKeyRecord;
use usher_core::store::{Changeset, StoreError, StoreResult, Write};
use usher_core::users::User;
use usher_core::users::identifiers::{IdentifierKind, normalize};

use super::db_err;
use crate::rows::to_doc;

pub async fn create_instance(
    pool: &SqlitePool,
    instance: &Instance,
    secret: &SecretKeyRecord,
    key: &SigningKeyRecord,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    sqlx::query("INSERT INTO instances (id, doc, created_at) VALUES (?, ?, ?)")
        .bind(&instance.id)
        .bind(to_doc(instance)?)
        .bind(instance.created_at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    sqlx::query(
        "INSERT INTO secret_keys (id, instance_id, hash, hint, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&secret.id)
    .bind(&instance.id)
    .bind(&secret.hash)
    .bind(&secret.hint)
    .bind(secret.created_at)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    sqlx::query("INSERT INTO signing_keys (kid, instance_id, private_pkcs8, active, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind(&key.kid)
        .bind(&instance.id)
        .bind(&key.private_pkcs8_der)
        .bind(key.active as i64)
        .bind(key.created_at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    tx.commit().await.map_err(db_err)
}

pub async fn rotate_signing_key(
    pool: &SqlitePool,
    instance_id: &str,
    key: &SigningKeyRecord,
) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    sqlx::query("UPDATE signing_keys SET active = 0 WHERE instance_id = ?")
        .bind(instance_id)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    sqlx::query("INSERT INTO signing_keys (kid, instance_id, private_pkcs8, active, created_at) VALUES (?, ?, ?, 1, ?)")
        .bind(&key.kid)
        .bind(instance_id)
        .bind(&key.private_pkcs8_der)
        .bind(key.created_at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    tx.commit().await.map_err(db_err)
}

pub async fn retire_signing_key(
    pool: &SqlitePool,
    instance_id: &str,
    kid: &str,
) -> StoreResult<bool> {
    let res =
        sqlx::query("DELETE FROM signing_keys WHERE instance_id = ? AND kid = ? AND active = 0")
            .bind(instance_id)
            .bind(kid)
            .execute(pool)
            .await
            .map_err(db_err)?;
    Ok(res.rows_affected() == 1)
}

pub async fn commit(pool: &SqlitePool, instance_id: &str, changes: Changeset) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    for write in &changes.writes {
        match write {
            Write::InsertUser(u) => insert_user(&mut tx, instance_id, u).await?,
            Write::UpdateUser(u) => update_user(&mut tx, instance_id, u).await?,
            Write::DeleteUser { id, version } => {
                delete_user(&mut tx, instance_id, id, *version).await?
            }
            Write::InsertClient(c) => insert_client(&mut tx, instance_id, c).await?,
            Write::InsertSession(s) => insert_session(&mut tx, instance_id, s).await?,
            Write::UpdateSession(s) => update_session(&mut tx, instance_id, s).await?,
            Write::Event(e) => insert_event(&mut tx, instance_id, e).await?,
            Write::Audit(a) => insert_audit(&mut tx, instance_id, a).await?,
        }
    }
    tx.commit().await.map_err(db_err)
}

type Tx<'a> = Transaction<'a, Sqlite>;

fn identifiers_of(u: &User) -> Vec<(IdentifierKind, String)> {
    let mut out = Vec::new();
    out.extend(u.email_addresses.iter().map(|e| {
        (
            IdentifierKind::Email,
            normalize(IdentifierKind::Email, &e.email_address),
        )
    }));
    out.extend(u.phone_numbers.iter().map(|p| {
        (
            IdentifierKind::Phone,
            normalize(IdentifierKind::Phone, &p.phone_number),
        )
    }));
    out.extend(u.username.iter().map(|n| {
        (
            IdentifierKind::Username,
            normalize(IdentifierKind::Username, n),
        )
    }));
    out.extend(u.external_id.iter().map(|x| {
        (
            IdentifierKind::ExternalId,
            normalize(IdentifierKind::ExternalId, x),
        )
    }));
    out
}

async fn write_identifiers(tx: &mut Tx<'_>, instance_id: &str, u: &User) -> StoreResult<()> {
    sqlx::query("DELETE FROM user_identifiers WHERE instance_id = ? AND user_id = ?")
        .bind(instance_id)
        .bind(&u.id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    for (kind, value) in identifiers_of(u) {
        let res = sqlx::query(
            "INSERT INTO user_identifiers (instance_id, kind, value, user_id) VALUES (?, ?, ?, ?)",
        )
        .bind(instance_id)
        .bind(kind.as_str())
        .bind(&value)
        .bind(&u.id)
        .execute(&mut **tx)
        .await;
        match res {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::IdentifierTaken(kind));
            }
            Err(e) => return Err(db_err(e)),
            Ok(_) => {}
        }
    }
    Ok(())
}

async fn insert_user(tx: &mut Tx<'_>, instance_id: &str, u: &User) -> StoreResult<()> {
    write_identifiers(tx, instance_id, u).await?;
    sqlx::query(
        "INSERT INTO users (instance_id, id, version, doc, created_at, updated_at, primary_email, primary_phone, username, \
         first_name, last_name, last_sign_in_at, last_active_at, banned, search) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(instance_id)
    .bind(&u.id)
    .bind(to_doc(u)?)
    .bind(u.created_at)
    .bind(u.updated_at)
    .bind(u.primary_email().map(|e| normalize(IdentifierKind::Email, &e.email_address)))
    .bind(primary_phone(u))
    .bind(u.username.as_deref().map(|n| normalize(IdentifierKind::Username, n)))
    .bind(&u.first_name)
    .bind(&u.last_name)
    .bind(u.last_sign_in_at)
    .bind(u.last_active_at)
    .bind(u.banned as i64)
    .bind(u.search_text())
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

fn primary_phone(u: &User) -> Option<String> {
    let id = u.primary_phone_number_id.as_deref()?;
    u.phone_numbers
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.phone_number.clone())
}

async fn update_user(tx: &mut Tx<'_>, instance_id: &str, u: &User) -> StoreResult<()> {
    let res = sqlx::query(
        "UPDATE users SET version = version + 1, doc = ?, created_at = ?, updated_at = ?, primary_email = ?, primary_phone = ?, \
         username = ?, first_name = ?, last_name = ?, last_sign_in_at = ?, last_active_at = ?, banned = ?, search = ? \
         WHERE instance_id = ? AND id = ? AND version = ?",
    )
    .bind(to_doc(u)?)
    .bind(u.created_at)
    .bind(u.updated_at)
    .bind(u.primary_email().map(|e| normalize(IdentifierKind::Email, &e.email_address)))
    .bind(primary_phone(u))
    .bind(u.username.as_deref().map(|n| normalize(IdentifierKind::Username, n)))
    .bind(&u.first_name)
    .bind(&u.last_name)
    .bind(u.last_sign_in_at)
    .bind(u.last_active_at)
    .bind(u.banned as i64)
    .bind(u.search_text())
    .bind(instance_id)
    .bind(&u.id)
    .bind(u.version)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    if res.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    write_identifiers(tx, instance_id, u).await
}

async fn delete_user(
    tx: &mut Tx<'_>,
    instance_id: &str,
    id: &str,
    version: i64,
) -> StoreResult<()> {
    let res = sqlx::query("DELETE FROM users WHERE instance_id = ? AND id = ? AND version = ?")
        .bind(instance_id)
        .bind(id)
        .bind(version)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    if res.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    sqlx::query("DELETE FROM user_identifiers WHERE instance_id = ? AND user_id = ?")
        .bind(instance_id)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

async fn insert_client(tx: &mut Tx<'_>, instance_id: &str, c: &Client) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO clients (instance_id, id, created_at, updated_at) VALUES (?, ?, ?, ?)",
    )
    .bind(instance_id)
    .bind(&c.id)
    .bind(c.created_at)
    .bind(c.updated_at)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

async fn insert_session(tx: &mut Tx<'_>, instance_id: &str, s: &Session) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (instance_id, id, version, client_id, user_id, status, expire_at, abandon_at, created_at, doc) \
         VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(instance_id)
    .bind(&s.id)
    .bind(&s.client_id)
    .bind(&s.user_id)
    .bind(s.status.as_str())
    .bind(s.expire_at)
    .bind(s.abandon_at)
    .bind(s.created_at)
    .bind(to_doc(s)?)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

async fn update_session(tx: &mut Tx<'_>, instance_id: &str, s: &Session) -> StoreResult<()> {
    let res = sqlx::query(
        "UPDATE sessions SET version = version + 1, status = ?, expire_at = ?, abandon_at = ?, doc = ? \
         WHERE instance_id = ? AND id = ? AND version = ?",
    )
    .bind(s.status.as_str())
    .bind(s.expire_at)
    .bind(s.abandon_at)
    .bind(to_doc(s)?)
    .bind(instance_id)
    .bind(&s.id)
    .bind(s.version)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    if res.rows_affected() != 1 {
        return Err(StoreError::Stale);
    }
    Ok(())
}

async fn insert_event(tx: &mut Tx<'_>, instance_id: &str, e: &OutboxEvent) -> StoreResult<()> {
    sqlx::query("INSERT INTO events (id, instance_id, type, data, attributes, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(&e.id)
        .bind(instance_id)
        .bind(&e.event_type)
        .bind(to_doc(&e.data)?)
        .bind(to_doc(&e.attributes)?)
        .bind(e.created_at)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

async fn insert_audit(tx: &mut Tx<'_>, instance_id: &str, a: &AuditEntry) -> StoreResult<()> {
    sqlx::query("INSERT INTO audit_log (id, instance_id, actor, action, target_id, trace_id, client_ip, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(&a.id)
        .bind(instance_id)
        .bind(&a.actor)
        .bind(&a.action)
        .bind(&a.target_id)
        .bind(&a.trace_id)
        .bind(&a.client_ip)
        .bind(a.at)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}
