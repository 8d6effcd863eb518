// Queries, each returning domain records decoded from their `doc` column. Included by each
// backend's module, which defines `Db` (the sqlx driver).

use sqlx::{Pool, QueryBuilder, Row};
use usher_core::audit::AuditEntry;
use usher_core::events::OutboxEvent;
use usher_core::ids::{IdentificationId, InstanceId, OrganizationId, SecretKeyId};
use usher_core::instance::{Instance, SecretKeyRecord};
use usher_core::sessions::Session;
use usher_core::sessions::query::SessionQuery;
use usher_core::signing_keys::SigningKeyRecord;
use usher_core::store::{ActiveMembership, SessionForToken, StoreResult};
use usher_core::users::User;
use usher_core::users::identifiers::{IdentifierKind, normalize};
use usher_core::users::query::{Page, UserFilter, UserOrder};

use super::db_err;
use super::filters::{order_by, push_session_filter, push_user_filter, user_search};
use super::query::{
    audit_entry, fetch_all, fetch_one, fetch_optional, newest_first, outbox_event, text, versioned,
};
use crate::rows::from_doc;

pub async fn load_instance(pool: &Pool<Db>) -> StoreResult<Option<Instance>> {
    fetch_optional(
        sqlx::query("SELECT doc FROM instances ORDER BY created_at LIMIT 1"),
        pool,
        |r| from_doc(r.get::<&str, _>("doc")),
    )
    .await
}

pub async fn secret_keys(pool: &Pool<Db>, instance_id: &str) -> StoreResult<Vec<SecretKeyRecord>> {
    fetch_all(
        text(
            "SELECT id, name, hash, hint, created_at, expires_at FROM secret_keys WHERE instance_id = $1 ORDER BY created_at, id",
            &[instance_id],
        ),
        pool,
        |r| {
            Ok(SecretKeyRecord {
                id: SecretKeyId::from_stored(r.get::<String, _>("id")),
                instance_id: InstanceId::from_stored(instance_id),
                name: r.get("name"),
                hash: r.get("hash"),
                hint: r.get("hint"),
                created_at: r.get("created_at"),
                expires_at: r.get("expires_at"),
            })
        },
    )
    .await
}

pub async fn signing_keys(
    pool: &Pool<Db>,
    instance_id: &str,
) -> StoreResult<Vec<SigningKeyRecord>> {
    fetch_all(
        text(
            "SELECT kid, private_pkcs8, active, created_at FROM signing_keys WHERE instance_id = $1 ORDER BY created_at",
            &[instance_id],
        ),
        pool,
        |r| {
            Ok(SigningKeyRecord {
                kid: r.get("kid"),
                instance_id: InstanceId::from_stored(instance_id),
                private_pkcs8_der: r.get("private_pkcs8"),
                active: r.get::<bool, _>("active"),
                created_at: r.get("created_at"),
            })
        },
    )
    .await
}

pub async fn users_by_ids(
    pool: &Pool<Db>,
    instance_id: &str,
    ids: &[usher_core::ids::UserId],
) -> StoreResult<Vec<User>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Db>::new("SELECT doc, version FROM users WHERE instance_id = ");
    qb.push_bind(instance_id.to_owned()).push(" AND id IN (");
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(id.to_string());
    }
    qb.push(")");
    fetch_all(qb.build(), pool, versioned).await
}

/// The users' documents are searched for the id as a JSON string (`"id":"idn_…"`); the user
/// found is checked to hold it as an email address or phone number. Ids are random KSUIDs, so
/// the match names one identification.
pub async fn user_by_identification_id(
    pool: &Pool<Db>,
    instance_id: &str,
    id: &IdentificationId,
) -> StoreResult<Option<User>> {
    let pattern = format!(
        "%\"id\":\"{}\"%",
        id.as_str()
            .replace('!', "!!")
            .replace('%', "!%")
            .replace('_', "!_")
    );
    let found = fetch_all(
        text(
            "SELECT doc, version FROM users WHERE instance_id = $1 AND doc LIKE $2 ESCAPE '!'",
            &[instance_id, &pattern],
        ),
        pool,
        versioned,
    )
    .await?;
    Ok(found.into_iter().find(|u: &User| {
        u.email_addresses.iter().any(|e| &e.id == id) || u.phone_numbers.iter().any(|p| &p.id == id)
    }))
}

pub async fn user_by_identifier(
    pool: &Pool<Db>,
    instance_id: &str,
    kind: IdentifierKind,
    value: &str,
) -> StoreResult<Option<User>> {
    fetch_optional(
        text(
            "SELECT u.doc, u.version FROM user_identifiers i \
             JOIN users u ON u.instance_id = i.instance_id AND u.id = i.user_id \
             WHERE i.instance_id = $1 AND i.kind = $2 AND i.value = $3",
            &[instance_id, kind.as_str(), &normalize(kind, value)],
        ),
        pool,
        versioned,
    )
    .await
}

pub async fn list_users(
    pool: &Pool<Db>,
    instance_id: &str,
    f: &UserFilter,
    order: UserOrder,
    page: &Page,
) -> StoreResult<Vec<User>> {
    let search = user_search(pool, f).await?;
    let mut qb = QueryBuilder::<Db>::new("SELECT doc, version");
    push_user_filter(&mut qb, instance_id, f, &search);
    qb.push(order_by(order))
        .push(" LIMIT ")
        .push_bind(page.limit)
        .push(" OFFSET ")
        .push_bind(page.offset);
    fetch_all(qb.build(), pool, versioned).await
}

/// The users matching `f`: all of them, or with `cap` no more than `cap + 1` (the inner read
/// stops there).
pub async fn count_users(
    pool: &Pool<Db>,
    instance_id: &str,
    f: &UserFilter,
    cap: Option<i64>,
) -> StoreResult<i64> {
    let search = user_search(pool, f).await?;
    let mut qb = match cap {
        None => QueryBuilder::<Db>::new("SELECT COUNT(*) AS n"),
        Some(_) => QueryBuilder::<Db>::new("SELECT COUNT(*) AS n FROM (SELECT 1 AS one"),
    };
    push_user_filter(&mut qb, instance_id, f, &search);
    if let Some(cap) = cap {
        qb.push(" LIMIT ")
            .push_bind(cap.max(0).saturating_add(1))
            .push(") AS matched");
    }
    fetch_one(qb.build(), pool, |r| Ok(r.get("n"))).await
}

pub async fn session_for_token(
    pool: &Pool<Db>,
    instance_id: &str,
    id: &str,
) -> StoreResult<Option<SessionForToken>> {
    // One row: the active membership's custom role's permissions come aggregated, so a role
    // with many of them does not repeat the session's document once per permission.
    let row = text(
        "SELECT s.doc, s.version, u.banned, u.locked_until, \
                m.role AS org_role, o.id AS org_id, o.slug AS org_slug, \
                (SELECT string_agg(p.key, ',') FROM organization_roles r \
                 JOIN organization_role_permissions rp ON rp.role_id = r.id \
                 JOIN organization_permissions p ON p.instance_id = r.instance_id \
                      AND p.key = rp.permission_key \
                 WHERE r.instance_id = m.instance_id AND r.key = m.role) AS org_permissions, \
                (SELECT p.slug || ':' || p.feature_slugs FROM billing_plans p \
                 WHERE p.instance_id = s.instance_id AND p.id = COALESCE(\
                   (SELECT i.plan_id FROM billing_subscription_items i \
                    WHERE i.instance_id = s.instance_id AND i.payer_id = s.user_id \
                      AND i.status = 'active'), \
                   (SELECT d.id FROM billing_plans d WHERE d.instance_id = s.instance_id \
                    AND d.for_payer_type = 'user' AND d.is_default))) AS user_plan, \
                (SELECT p.slug || ':' || p.feature_slugs FROM billing_plans p \
                 WHERE p.instance_id = s.instance_id AND p.id = COALESCE(\
                   (SELECT i.plan_id FROM billing_subscription_items i \
                    WHERE i.instance_id = s.instance_id AND i.payer_id = o.id \
                      AND i.status = 'active'), \
                   (SELECT d.id FROM billing_plans d WHERE d.instance_id = s.instance_id \
                    AND d.for_payer_type = 'org' AND d.is_default))) AS org_plan \
         FROM sessions s JOIN users u ON u.instance_id = s.instance_id AND u.id = s.user_id \
         LEFT JOIN organization_memberships m ON m.instance_id = s.instance_id \
              AND m.organization_id = s.last_active_organization_id AND m.user_id = s.user_id \
         LEFT JOIN organizations o ON o.instance_id = m.instance_id AND o.id = m.organization_id \
         WHERE s.instance_id = $1 AND s.id = $2",
        &[instance_id, id],
    )
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    let Some(r) = row else {
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
            custom_permissions: r
                .get::<Option<String>, _>("org_permissions")
                .map(|keys| keys.split(',').map(str::to_owned).collect())
                .unwrap_or_default(),
            organization_plan: super::billing::entitlement_of(r.get("org_plan")),
        }),
        _ => None,
    };
    Ok(Some(SessionForToken {
        session: versioned(&r)?,
        user_banned: r.get::<bool, _>("banned"),
        user_locked_until: r.get("locked_until"),
        active_membership,
        user_plan: super::billing::entitlement_of(r.get("user_plan")),
    }))
}

pub async fn list_sessions(
    pool: &Pool<Db>,
    instance_id: &str,
    q: &SessionQuery,
) -> StoreResult<(Vec<Session>, i64)> {
    newest_first(pool, |qb| push_session_filter(qb, instance_id, q), &q.page).await
}

pub async fn live_sessions_of_user(
    pool: &Pool<Db>,
    instance_id: &str,
    user_id: &str,
) -> StoreResult<Vec<Session>> {
    fetch_all(
        text(
            "SELECT doc, version FROM sessions WHERE instance_id = $1 AND user_id = $2 AND status IN ('active','pending') ORDER BY created_at",
            &[instance_id, user_id],
        ),
        pool,
        versioned,
    )
    .await
}

/// The events committed since `since` (by their `created_at`) that withdraw sessions from
/// degraded mode's snapshots (`degraded::REVOCATION_EVENT_TYPES`), oldest first: the
/// `events_by_created` index's range.
pub async fn revocation_events_since(
    pool: &Pool<Db>,
    instance_id: &str,
    since: i64,
    limit: i64,
) -> StoreResult<Vec<OutboxEvent>> {
    let [a, b, c, d, e, f] = usher_core::degraded::REVOCATION_EVENT_TYPES;
    let query = text(
        "SELECT seq, id, type, data, attributes, created_at FROM events WHERE instance_id = $1 AND type IN ($2, $3, $4, $5, $6, $7) AND created_at >= $8 ORDER BY seq LIMIT $9",
        &[instance_id, a, b, c, d, e, f],
    )
    .bind(since)
    .bind(limit);
    fetch_all(query, pool, |r| outbox_event(r, instance_id)).await
}

pub async fn events_after(
    pool: &Pool<Db>,
    instance_id: &str,
    after_seq: i64,
    limit: i64,
) -> StoreResult<Vec<OutboxEvent>> {
    let query = text(
        "SELECT seq, id, type, data, attributes, created_at FROM events WHERE instance_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        &[instance_id],
    )
    .bind(after_seq)
    .bind(limit);
    fetch_all(query, pool, |r| outbox_event(r, instance_id)).await
}

pub async fn audit_log(
    pool: &Pool<Db>,
    instance_id: &str,
    limit: i64,
) -> StoreResult<Vec<AuditEntry>> {
    let query = text(
        "SELECT seq, id, actor, action, target_id, trace_id, client_ip, at FROM audit_log WHERE instance_id = $1 ORDER BY seq DESC LIMIT $2",
        &[instance_id],
    )
    .bind(limit);
    fetch_all(query, pool, |r| audit_entry(r, instance_id))
    .await
}
