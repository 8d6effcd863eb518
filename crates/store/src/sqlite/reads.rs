//! Queries. Each returns domain records decoded from their `doc` column.

use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};
use usher_core::audit::AuditEntry;
use usher_core::events::OutboxEvent;
use usher_core::instance::{Instance, SecretKeyRecord};
use usher_core::sessions::query::SessionQuery;
use usher_core::sessions::{Session, SessionStatus};
use usher_core::signing_keys::SigningKeyRecord;
use usher_core::store::{SessionForToken, StoreResult};
use usher_core::users::User;
use usher_core::users::identifiers::{IdentifierKind, normalize};
use usher_core::users::query::{Page, UserFilter, UserOrder, UserOrderField};

use super::db_err;
use crate::rows::{from_doc, like_contains};

pub async fn load_instance(pool: &SqlitePool) -> StoreResult<Option<Instance>> {
    let row = sqlx::query("SELECT doc FROM instances ORDER BY created_at LIMIT 1")
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.map(|r| from_doc(r.get::<&str, _>("doc"))).transpose()
}

pub async fn secret_keys(
    pool: &SqlitePool,
    instance_id: &str,
) -> StoreResult<Vec<SecretKeyRecord>> {
    let rows = sqlx::query("SELECT id, hash, hint, created_at FROM secret_keys WHERE instance_id = ? ORDER BY created_at")
        .bind(instance_id)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|r| SecretKeyRecord {
            id: r.get("id"),
            instance_id: instance_id.to_owned(),
            hash: r.get("hash"),
            hint: r.get("hint"),
            created_at: r.get("created_at"),
        })
        .collect())
}

pub async fn signing_keys(
    pool: &SqlitePool,
    instance_id: &str,
) -> StoreResult<Vec<SigningKeyRecord>> {
    let rows = sqlx::query("SELECT kid, private_pkcs8, active, created_at FROM signing_keys WHERE instance_id = ? ORDER BY created_at")
        .bind(instance_id)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|r| SigningKeyRecord {
            kid: r.get("kid"),
            instance_id: instance_id.to_owned(),
            private_pkcs8_der: r.get("private_pkcs8"),
            active: r.get::<i64, _>("active") != 0,
            created_at: r.get("created_at"),
        })
        .collect())
}

fn user_from_row(r: &sqlx::sqlite::SqliteRow) -> StoreResult<User> {
    let mut user: User = from_doc(r.get::<&str, _>("doc"))?;
    user.version = r.get("version");
    Ok(user)
}

pub async fn get_user(pool: &SqlitePool, instance_id: &str, id: &str) -> StoreResult<Option<User>> {
    let row = sqlx::query("SELECT doc, version FROM users WHERE instance_id = ? AND id = ?")
        .bind(instance_id)
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.as_ref().map(user_from_row).transpose()
}

fn push_identifier_filter(
    qb: &mut QueryBuilder<Sqlite>,
    instance_id: &str,
    kind: IdentifierKind,
    values: &[String],
) {
    if values.is_empty() {
        return;
    }
    qb.push(" AND id IN (SELECT user_id FROM user_identifiers WHERE instance_id = ")
        .push_bind(instance_id.to_owned())
        .push(" AND kind = ")
        .push_bind(kind.as_str())
        .push(" AND value IN (");
    let mut sep = qb.separated(", ");
    for v in values {
        sep.push_bind(normalize(kind, v));
    }
    qb.push("))");
}

fn push_id_list(qb: &mut QueryBuilder<Sqlite>, column: &str, negate: bool, values: &[String]) {
    if values.is_empty() {
        return;
    }
    qb.push(format!(
        " AND {column} {}IN (",
        if negate { "NOT " } else { "" }
    ));
    let mut sep = qb.separated(", ");
    for v in values {
        sep.push_bind(v.clone());
    }
    qb.push(")");
}

fn push_user_filter(qb: &mut QueryBuilder<Sqlite>, instance_id: &str, f: &UserFilter) {
    qb.push(" WHERE instance_id = ")
        .push_bind(instance_id.to_owned());
    push_identifier_filter(qb, instance_id, IdentifierKind::Email, &f.email_addresses);
    push_identifier_filter(qb, instance_id, IdentifierKind::Phone, &f.phone_numbers);
    push_identifier_filter(qb, instance_id, IdentifierKind::Username, &f.usernames);
    push_identifier_filter(qb, instance_id, IdentifierKind::ExternalId, &f.external_ids);
    if !f.exclude_external_ids.is_empty() {
        qb.push(" AND id NOT IN (SELECT user_id FROM user_identifiers WHERE instance_id = ")
            .push_bind(instance_id.to_owned())
            .push(" AND kind = 'external_id' AND value IN (");
        let mut sep = qb.separated(", ");
        for v in &f.exclude_external_ids {
            sep.push_bind(v.clone());
        }
        qb.push("))");
    }
    push_id_list(qb, "id", false, &f.user_ids);
    push_id_list(qb, "id", true, &f.exclude_user_ids);
    if let Some(q) = &f.query {
        qb.push(" AND search LIKE ")
            .push_bind(like_contains(&q.to_lowercase()))
            .push(" ESCAPE '\\'");
    }
    if let Some(b) = f.banned {
        qb.push(" AND banned = ").push_bind(b as i64);
    }
    let ranges = [
        ("last_active_at", ">=", f.last_active_at_since),
        ("created_at", "<", f.created_at_before),
        ("created_at", ">", f.created_at_after),
        ("last_sign_in_at", "<", f.last_sign_in_at_before),
        ("last_sign_in_at", ">", f.last_sign_in_at_after),
    ];
    for (col, op, v) in ranges {
        if let Some(v) = v {
            qb.push(format!(" AND {col} {op} ")).push_bind(v);
        }
    }
}

fn order_column(field: UserOrderField) -> &'static str {
    match field {
        UserOrderField::CreatedAt => "created_at",
        UserOrderField::UpdatedAt => "updated_at",
        UserOrderField::EmailAddress => "primary_email",
        UserOrderField::PhoneNumber => "primary_phone",
        UserOrderField::Username => "username",
        UserOrderField::FirstName => "first_name COLLATE NOCASE",
        UserOrderField::LastName => "last_name COLLATE NOCASE",
        UserOrderField::LastSignInAt => "last_sign_in_at",
        UserOrderField::LastActiveAt => "last_active_at",
    }
}

pub async fn list_users(
    pool: &SqlitePool,
    instance_id: &str,
    f: &UserFilter,
    order_page: Option<(UserOrder, &Page)>,
) -> StoreResult<Vec<User>> {
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT doc, version FROM users");
    push_user_filter(&mut qb, instance_id, f);
    if let Some((order, page)) = order_page {
        let dir = if order.descending { "DESC" } else { "ASC" };
        qb.push(format!(
            " ORDER BY {} {dir} NULLS LAST, id {dir}",
            order_column(order.field)
        ));
        qb.push(" LIMIT ")
            .push_bind(page.limit)
            .push(" OFFSET ")
            .push_bind(page.offset);
    }
    let rows = qb.build().fetch_all(pool).await.map_err(db_err)?;
    rows.iter().map(user_from_row).collect()
}

pub async fn count_users(pool: &SqlitePool, instance_id: &str, f: &UserFilter) -> StoreResult<i64> {
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) AS n FROM users");
    push_user_filter(&mut qb, instance_id, f);
    let row = qb.build().fetch_one(pool).await.map_err(db_err)?;
    Ok(row.get("n"))
}

fn session_from_row(r: &sqlx::sqlite::SqliteRow) -> StoreResult<Session> {
    let mut s: Session = from_doc(r.get::<&str, _>("doc"))?;
    s.version = r.get("version");
    Ok(s)
}

pub async fn get_session(
    pool: &SqlitePool,
    instance_id: &str,
    id: &str,
) -> StoreResult<Option<Session>> {
    let row = sqlx::query("SELECT doc, version FROM sessions WHERE instance_id = ? AND id = ?")
        .bind(instance_id)
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.as_ref().map(session_from_row).transpose()
}

pub async fn session_for_token(
    pool: &SqlitePool,
    instance_id: &str,
    id: &str,
) -> StoreResult<Option<SessionForToken>> {
    let row = sqlx::query(
        "SELECT s.doc, s.version, u.banned, json_extract(u.doc, '$.locked_until') AS locked_until \
         FROM sessions s JOIN users u ON u.instance_id = s.instance_id AND u.id = s.user_id \
         WHERE s.instance_id = ? AND s.id = ?",
    )
    .bind(instance_id)
    .bind(id)
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(SessionForToken {
        session: session_from_row(&r)?,
        user_banned: r.get::<i64, _>("banned") != 0,
        user_locked_until: r.get("locked_until"),
    }))
}

fn push_status_filter(qb: &mut QueryBuilder<Sqlite>, status: SessionStatus, now: i64) {
    // Stored live sessions whose time has run out count as expired or abandoned.
    match status {
        SessionStatus::Active | SessionStatus::Pending => {
            qb.push(" AND status = ").push_bind(status.as_str());
            qb.push(" AND expire_at > ")
                .push_bind(now)
                .push(" AND abandon_at > ")
                .push_bind(now);
        }
        SessionStatus::Expired => {
            qb.push(
                " AND (status = 'expired' OR (status IN ('active','pending') AND expire_at <= ",
            )
            .push_bind(now)
            .push("))");
        }
        SessionStatus::Abandoned => {
            qb.push(
                " AND (status = 'abandoned' OR (status IN ('active','pending') AND expire_at > ",
            )
            .push_bind(now)
            .push(" AND abandon_at <= ")
            .push_bind(now)
            .push("))");
        }
        other => {
            qb.push(" AND status = ").push_bind(other.as_str());
        }
    }
}

fn push_session_filter(qb: &mut QueryBuilder<Sqlite>, instance_id: &str, q: &SessionQuery) {
    qb.push(" WHERE instance_id = ")
        .push_bind(instance_id.to_owned());
    if let Some(u) = &q.filter.user_id {
        qb.push(" AND user_id = ").push_bind(u.clone());
    }
    if let Some(c) = &q.filter.client_id {
        qb.push(" AND client_id = ").push_bind(c.clone());
    }
    if let Some(s) = q.filter.status {
        push_status_filter(qb, s, q.now);
    }
}

pub async fn list_sessions(
    pool: &SqlitePool,
    instance_id: &str,
    q: &SessionQuery,
) -> StoreResult<(Vec<Session>, i64)> {
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT doc, version FROM sessions");
    push_session_filter(&mut qb, instance_id, q);
    qb.push(" ORDER BY created_at DESC, id DESC LIMIT ")
        .push_bind(q.page.limit)
        .push(" OFFSET ")
        .push_bind(q.page.offset);
    let rows = qb.build().fetch_all(pool).await.map_err(db_err)?;
    let sessions = rows
        .iter()
        .map(session_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    let mut cq = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) AS n FROM sessions");
    push_session_filter(&mut cq, instance_id, q);
    let total: i64 = cq.build().fetch_one(pool).await.map_err(db_err)?.get("n");
    Ok((sessions, total))
}

pub async fn live_sessions_of_user(
    pool: &SqlitePool,
    instance_id: &str,
    user_id: &str,
) -> StoreResult<Vec<Session>> {
    let rows = sqlx::query("SELECT doc, version FROM sessions WHERE instance_id = ? AND user_id = ? AND status IN ('active','pending') ORDER BY created_at")
        .bind(instance_id)
        .bind(user_id)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.iter().map(session_from_row).collect()
}

pub async fn events_after(
    pool: &SqlitePool,
    instance_id: &str,
    after_seq: i64,
    limit: i64,
) -> StoreResult<Vec<OutboxEvent>> {
    let rows = sqlx::query("SELECT seq, id, type, data, attributes, created_at FROM events WHERE instance_id = ? AND seq > ? ORDER BY seq LIMIT ?")
        .bind(instance_id)
        .bind(after_seq)
        .bind(limit)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.into_iter()
        .map(|r| {
            Ok(OutboxEvent {
                id: r.get("id"),
                instance_id: instance_id.to_owned(),
                event_type: r.get("type"),
                data: from_doc(r.get::<&str, _>("data"))?,
                attributes: from_doc(r.get::<&str, _>("attributes"))?,
                created_at: r.get("created_at"),
                seq: r.get("seq"),
            })
        })
        .collect()
}

pub async fn audit_log(
    pool: &SqlitePool,
    instance_id: &str,
    limit: i64,
) -> StoreResult<Vec<AuditEntry>> {
    let rows = sqlx::query("SELECT seq, id, actor, action, target_id, trace_id, client_ip, at FROM audit_log WHERE instance_id = ? ORDER BY seq DESC LIMIT ?")
        .bind(instance_id)
        .bind(limit)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.get("id"),
            instance_id: instance_id.to_owned(),
            actor: r.get("actor"),
            action: r.get("action"),
            target_id: r.get("target_id"),
            trace_id: r.get("trace_id"),
            client_ip: r.get("client_ip"),
            at: r.get("at"),
            seq: r.get("seq"),
        })
        .collect())
}
