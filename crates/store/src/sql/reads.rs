// Queries, each returning domain records decoded from their `doc` column. Included by each
// backend's module, which defines `Db` (the sqlx driver).

use sqlx::{Pool, QueryBuilder, Row};
use usher_core::ids::{AuditId, EventId, InstanceId, OrganizationId, SecretKeyId};
use usher_core::audit::AuditEntry;
use usher_core::events::OutboxEvent;
use usher_core::instance::{Instance, SecretKeyRecord};
use usher_core::sessions::query::SessionQuery;
use usher_core::sessions::Session;
use usher_core::signing_keys::SigningKeyRecord;
use usher_core::store::{ActiveMembership, SessionForToken, StoreResult};
use usher_core::users::User;
use usher_core::users::identifiers::{IdentifierKind, normalize};
use usher_core::users::query::{Page, UserFilter, UserOrder};

use super::db_err;
use crate::rows::from_doc;
use super::filters::{order_by, push_session_filter, push_user_filter};

pub async fn load_instance(pool: &Pool<Db>) -> StoreResult<Option<Instance>> {
    let row = sqlx::query("SELECT doc FROM instances ORDER BY created_at LIMIT 1")
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.map(|r| from_doc(r.get::<&str, _>("doc"))).transpose()
}

pub async fn secret_keys(
    pool: &Pool<Db>,
    instance_id: &str,
) -> StoreResult<Vec<SecretKeyRecord>> {
    let rows = sqlx::query("SELECT id, hash, hint, created_at FROM secret_keys WHERE instance_id = $1 ORDER BY created_at")
        .bind(instance_id)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|r| SecretKeyRecord {
            id: SecretKeyId::from_stored(r.get::<String, _>("id")),
            instance_id: InstanceId::from_stored(instance_id),
            hash: r.get("hash"),
            hint: r.get("hint"),
            created_at: r.get("created_at"),
        })
        .collect())
}

pub async fn signing_keys(
    pool: &Pool<Db>,
    instance_id: &str,
) -> StoreResult<Vec<SigningKeyRecord>> {
    let rows = sqlx::query("SELECT kid, private_pkcs8, active, created_at FROM signing_keys WHERE instance_id = $1 ORDER BY created_at")
        .bind(instance_id)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|r| SigningKeyRecord {
            kid: r.get("kid"),
            instance_id: InstanceId::from_stored(instance_id),
            private_pkcs8_der: r.get("private_pkcs8"),
            active: r.get::<bool, _>("active"),
            created_at: r.get("created_at"),
        })
        .collect())
}

fn user_from_row(r: &<Db as sqlx::Database>::Row) -> StoreResult<User> {
    let mut user: User = from_doc(r.get::<&str, _>("doc"))?;
    user.version = r.get("version");
    Ok(user)
}

pub async fn get_user(pool: &Pool<Db>, instance_id: &str, id: &str) -> StoreResult<Option<User>> {
    let row = sqlx::query("SELECT doc, version FROM users WHERE instance_id = $1 AND id = $2")
        .bind(instance_id)
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn user_by_identifier(
    pool: &Pool<Db>,
    instance_id: &str,
    kind: IdentifierKind,
    value: &str,
) -> StoreResult<Option<User>> {
    let row = sqlx::query(
        "SELECT u.doc, u.version FROM user_identifiers i \
         JOIN users u ON u.instance_id = i.instance_id AND u.id = i.user_id \
         WHERE i.instance_id = $1 AND i.kind = $2 AND i.value = $3",
    )
    .bind(instance_id)
    .bind(kind.as_str())
    .bind(normalize(kind, value))
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn list_users(
    pool: &Pool<Db>,
    instance_id: &str,
    f: &UserFilter,
    order_page: Option<(UserOrder, &Page)>,
) -> StoreResult<Vec<User>> {
    let mut qb = QueryBuilder::<Db>::new("SELECT doc, version FROM users");
    push_user_filter(&mut qb, instance_id, f);
    if let Some((order, page)) = order_page {
        qb.push(order_by(order));
        qb.push(" LIMIT ")
            .push_bind(page.limit)
            .push(" OFFSET ")
            .push_bind(page.offset);
    }
    let rows = qb.build().fetch_all(pool).await.map_err(db_err)?;
    rows.iter().map(user_from_row).collect()
}

pub async fn count_users(pool: &Pool<Db>, instance_id: &str, f: &UserFilter) -> StoreResult<i64> {
    let mut qb = QueryBuilder::<Db>::new("SELECT COUNT(*) AS n FROM users");
    push_user_filter(&mut qb, instance_id, f);
    let row = qb.build().fetch_one(pool).await.map_err(db_err)?;
    Ok(row.get("n"))
}

fn session_from_row(r: &<Db as sqlx::Database>::Row) -> StoreResult<Session> {
    let mut s: Session = from_doc(r.get::<&str, _>("doc"))?;
    s.version = r.get("version");
    Ok(s)
}

pub async fn get_session(
    pool: &Pool<Db>,
    instance_id: &str,
    id: &str,
) -> StoreResult<Option<Session>> {
    let row = sqlx::query("SELECT doc, version FROM sessions WHERE instance_id = $1 AND id = $2")
        .bind(instance_id)
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.as_ref().map(session_from_row).transpose()
}

pub async fn session_for_token(
    pool: &Pool<Db>,
    instance_id: &str,
    id: &str,
) -> StoreResult<Option<SessionForToken>> {
    // One row per custom permission of the active membership's role (at least one row).
    let rows = sqlx::query(
        "SELECT s.doc, s.version, u.banned, u.locked_until, \
                m.role AS org_role, o.id AS org_id, o.slug AS org_slug, p.key AS org_permission \
         FROM sessions s JOIN users u ON u.instance_id = s.instance_id AND u.id = s.user_id \
         LEFT JOIN organization_memberships m ON m.instance_id = s.instance_id \
              AND m.organization_id = s.last_active_organization_id AND m.user_id = s.user_id \
         LEFT JOIN organizations o ON o.instance_id = m.instance_id AND o.id = m.organization_id \
         LEFT JOIN organization_roles r ON r.instance_id = m.instance_id AND r.key = m.role \
         LEFT JOIN organization_role_permissions rp ON rp.role_id = r.id \
         LEFT JOIN organization_permissions p ON p.instance_id = r.instance_id AND p.key = rp.permission_key \
         WHERE s.instance_id = $1 AND s.id = $2",
    )
    .bind(instance_id)
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let org_id: Option<String> = r.get("org_id");
    let org_role: Option<String> = r.get("org_role");
    let org_slug: Option<String> = r.get("org_slug");
    let active_membership = match (org_id, org_role, org_slug) {
        (Some(organization_id), Some(role), Some(organization_slug)) => Some(ActiveMembership {
            organization_id: OrganizationId::from_stored(organization_id),
            organization_slug,
            role,
            custom_permissions: rows
                .iter()
                .filter_map(|r| r.get::<Option<String>, _>("org_permission"))
                .collect(),
        }),
        _ => None,
    };
    Ok(Some(SessionForToken {
        session: session_from_row(r)?,
        user_banned: r.get::<bool, _>("banned"),
        user_locked_until: r.get("locked_until"),
        active_membership,
    }))
}

pub async fn list_sessions(
    pool: &Pool<Db>,
    instance_id: &str,
    q: &SessionQuery,
) -> StoreResult<(Vec<Session>, i64)> {
    let mut qb = QueryBuilder::<Db>::new("SELECT doc, version FROM sessions");
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
    let mut cq = QueryBuilder::<Db>::new("SELECT COUNT(*) AS n FROM sessions");
    push_session_filter(&mut cq, instance_id, q);
    let total: i64 = cq.build().fetch_one(pool).await.map_err(db_err)?.get("n");
    Ok((sessions, total))
}

pub async fn live_sessions_of_user(
    pool: &Pool<Db>,
    instance_id: &str,
    user_id: &str,
) -> StoreResult<Vec<Session>> {
    let rows = sqlx::query("SELECT doc, version FROM sessions WHERE instance_id = $1 AND user_id = $2 AND status IN ('active','pending') ORDER BY created_at")
        .bind(instance_id)
        .bind(user_id)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.iter().map(session_from_row).collect()
}

pub async fn events_after(
    pool: &Pool<Db>,
    instance_id: &str,
    after_seq: i64,
    limit: i64,
) -> StoreResult<Vec<OutboxEvent>> {
    let rows = sqlx::query("SELECT seq, id, type, data, attributes, created_at FROM events WHERE instance_id = $1 AND seq > $2 ORDER BY seq LIMIT $3")
        .bind(instance_id)
        .bind(after_seq)
        .bind(limit)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.into_iter()
        .map(|r| {
            Ok(OutboxEvent {
                id: EventId::from_stored(r.get::<String, _>("id")),
                instance_id: InstanceId::from_stored(instance_id),
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
    pool: &Pool<Db>,
    instance_id: &str,
    limit: i64,
) -> StoreResult<Vec<AuditEntry>> {
    let rows = sqlx::query("SELECT seq, id, actor, action, target_id, trace_id, client_ip, at FROM audit_log WHERE instance_id = $1 ORDER BY seq DESC LIMIT $2")
        .bind(instance_id)
        .bind(limit)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEntry {
            id: AuditId::from_stored(r.get::<String, _>("id")),
            instance_id: InstanceId::from_stored(instance_id),
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
