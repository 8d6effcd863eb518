// Dashboard operators, their sessions, and the audit log as the dashboard pages through it.
// Included by each backend's module, which defines `Db`.

use sqlx::{Pool, QueryBuilder, Row, Transaction};
use usher_core::audit::AuditEntry;
use usher_core::ids::{OperatorId, OperatorSessionId};
use usher_core::operators::{AuditQuery, Operator, OperatorCredentials, OperatorSession, Role};
use usher_core::store::{StoreError, StoreResult};
use usher_core::users::model::PasswordDigest;

use super::query::{
    DbRow, audit_entry, execute, execute_one, execute_unique, fetch_all, fetch_by_key,
    fetch_optional, paged, text,
};

type Tx<'a> = Transaction<'a, Db>;

fn operator(r: &DbRow) -> StoreResult<Operator> {
    let role: String = r.get("role");
    Ok(Operator {
        id: OperatorId::from_stored(r.get::<String, _>("id")),
        email: r.get("email"),
        role: Role::parse(&role).map_err(|e| StoreError::backend("reading an operator's role", e))?,
        disabled: r.get("disabled"),
        created_at: r.get("created_at"),
    })
}

fn credentials(r: &DbRow) -> StoreResult<OperatorCredentials> {
    Ok(OperatorCredentials {
        operator: operator(r)?,
        password_digest: PasswordDigest(r.get("password_digest")),
        totp_sealed: r.get("totp_sealed"),
        last_totp_step: r.get("last_totp_step"),
    })
}

pub async fn list(pool: &Pool<Db>, instance_id: &str) -> StoreResult<Vec<Operator>> {
    let q = sqlx::query(
        "SELECT id, email, role, disabled, created_at FROM operators WHERE instance_id = $1 \
         ORDER BY created_at, id",
    )
    .bind(instance_id.to_owned());
    fetch_all(q, pool, operator).await
}

/// The query of one operator's credentials, found by `column`.
macro_rules! credentials_where {
    ($column:literal) => {
        concat!(
            "SELECT id, email, role, disabled, created_at, password_digest, totp_sealed, ",
            "last_totp_step FROM operators WHERE instance_id = $1 AND ",
            $column,
            " = $2"
        )
    };
}

pub async fn by_email(
    pool: &Pool<Db>,
    instance_id: &str,
    email: &str,
) -> StoreResult<Option<OperatorCredentials>> {
    fetch_by_key(pool, credentials_where!("email"), instance_id, email, credentials).await
}

pub async fn by_id(
    pool: &Pool<Db>,
    instance_id: &str,
    id: &str,
) -> StoreResult<Option<OperatorCredentials>> {
    fetch_by_key(pool, credentials_where!("id"), instance_id, id, credentials).await
}

pub async fn use_totp_step(
    pool: &Pool<Db>,
    instance_id: &str,
    id: &str,
    step: i64,
) -> StoreResult<bool> {
    let q = text(
        "UPDATE operators SET last_totp_step = $3 WHERE instance_id = $1 AND id = $2 \
         AND (last_totp_step IS NULL OR last_totp_step < $3)",
        &[instance_id, id],
    )
    .bind(step);
    Ok(execute(q, pool).await? == 1)
}

pub async fn insert(tx: &mut Tx<'_>, instance_id: &str, c: &OperatorCredentials) -> StoreResult<()> {
    let o = &c.operator;
    let q = text(
        "INSERT INTO operators (instance_id, id, email, role, password_digest, totp_sealed, \
         last_totp_step, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[instance_id, o.id.as_str(), &o.email, o.role.as_str(), &c.password_digest.0, &c.totp_sealed],
    )
    .bind(c.last_totp_step)
    .bind(o.disabled)
    .bind(o.created_at);
    execute_unique(q, &mut **tx, StoreError::KeyTaken { what: "operator email address" }).await?;
    Ok(())
}

pub async fn reset(tx: &mut Tx<'_>, instance_id: &str, c: &OperatorCredentials) -> StoreResult<()> {
    let id = c.operator.id.as_str();
    let q = text(
        "UPDATE operators SET password_digest = $3, totp_sealed = $4, last_totp_step = NULL \
         WHERE instance_id = $1 AND id = $2",
        &[instance_id, id, &c.password_digest.0, &c.totp_sealed],
    );
    execute_one(q, &mut **tx).await?;
    execute(
        text(
            "DELETE FROM operator_sessions WHERE instance_id = $1 AND operator_id = $2",
            &[instance_id, id],
        ),
        &mut **tx,
    )
    .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx<'_>, instance_id: &str, id: &str) -> StoreResult<()> {
    execute(
        text(
            "DELETE FROM operator_sessions WHERE instance_id = $1 AND operator_id = $2",
            &[instance_id, id],
        ),
        &mut **tx,
    )
    .await?;
    execute_one(
        text("DELETE FROM operators WHERE instance_id = $1 AND id = $2", &[instance_id, id]),
        &mut **tx,
    )
    .await
}

fn session(r: &DbRow) -> StoreResult<OperatorSession> {
    Ok(OperatorSession {
        id: OperatorSessionId::from_stored(r.get::<String, _>("id")),
        operator_id: OperatorId::from_stored(r.get::<String, _>("operator_id")),
        token_digest: r.get("token_digest"),
        verified: r.get("verified"),
        created_at: r.get("created_at"),
        last_seen: r.get("last_seen"),
        expires_at: r.get("expires_at"),
        ip: r.get("ip"),
        user_agent: r.get("user_agent"),
    })
}

pub async fn insert_session(
    pool: &Pool<Db>,
    instance_id: &str,
    s: &OperatorSession,
) -> StoreResult<()> {
    let q = text(
        "INSERT INTO operator_sessions (instance_id, id, operator_id, token_digest, verified, \
         created_at, last_seen, expires_at, ip, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[instance_id, s.id.as_str(), s.operator_id.as_str(), &s.token_digest],
    )
    .bind(s.verified)
    .bind(s.created_at)
    .bind(s.last_seen)
    .bind(s.expires_at)
    .bind(s.ip.clone())
    .bind(s.user_agent.clone());
    execute_unique(q, pool, StoreError::KeyTaken { what: "operator session" }).await?;
    Ok(())
}

pub async fn session_by_digest(
    pool: &Pool<Db>,
    instance_id: &str,
    digest: &str,
) -> StoreResult<Option<OperatorSession>> {
    fetch_optional(
        text(
            "SELECT id, operator_id, token_digest, verified, created_at, last_seen, expires_at, \
             ip, user_agent FROM operator_sessions WHERE instance_id = $1 AND token_digest = $2",
            &[instance_id, digest],
        ),
        pool,
        session,
    )
    .await
}

pub async fn update_session(
    pool: &Pool<Db>,
    instance_id: &str,
    s: &OperatorSession,
) -> StoreResult<()> {
    let q = text(
        "UPDATE operator_sessions SET token_digest = $3, verified = $4, last_seen = $5, \
         expires_at = $6 WHERE instance_id = $1 AND id = $2",
        &[instance_id, s.id.as_str(), &s.token_digest],
    )
    .bind(s.verified)
    .bind(s.last_seen)
    .bind(s.expires_at);
    execute_one(q, pool).await
}

pub async fn delete_session(pool: &Pool<Db>, instance_id: &str, id: &str) -> StoreResult<()> {
    execute(
        text(
            "DELETE FROM operator_sessions WHERE instance_id = $1 AND id = $2",
            &[instance_id, id],
        ),
        pool,
    )
    .await?;
    Ok(())
}

fn push_audit_filter(qb: &mut QueryBuilder<Db>, instance_id: &str, q: &AuditQuery) {
    qb.push(" FROM audit_log WHERE instance_id = ")
        .push_bind(instance_id.to_owned());
    for (column, value) in [
        (" AND actor = ", &q.actor),
        (" AND action = ", &q.action),
        (" AND target_id = ", &q.target_id),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            qb.push(column).push_bind(v.to_owned());
        }
    }
}

pub async fn audit_entries(
    pool: &Pool<Db>,
    instance_id: &str,
    q: &AuditQuery,
) -> StoreResult<(Vec<AuditEntry>, i64)> {
    let columns = "seq, id, actor, action, target_id, trace_id, client_ip, at";
    paged(
        pool,
        columns,
        |qb| push_audit_filter(qb, instance_id, q),
        " ORDER BY seq DESC",
        &q.page,
        |r| audit_entry(r, instance_id),
    )
    .await
}
