// The shapes the query files share: binding text keys, mapping rows, the optimistic-version
// check, unique-key refusals and the paged list. Included by each backend's module, which
// defines `Db`.

use serde::de::DeserializeOwned;
use sqlx::query::Query;
use sqlx::{Executor, Pool, QueryBuilder, Row};
use usher_core::actor_tokens::ActorToken;
use usher_core::api_keys::SealedSecret;
use usher_core::branding::Branding;
use usher_core::events::OutboxEvent;
use usher_core::jwt_templates::session_claims::SessionClaimsTemplate;
use usher_core::audit::AuditEntry;
use usher_core::ids::{AuditId, EventId, InstanceId};
use usher_core::organizations::domains::OrganizationDomain;
use usher_core::organizations::invitations::OrganizationInvitation;
use usher_core::organizations::membership_requests::MembershipRequest;
use usher_core::organizations::suggestions::OrganizationSuggestion;
use usher_core::organizations::{Organization, OrganizationMembership};
use usher_core::sessions::Session;
use usher_core::sign_in_tokens::SignInToken;
use usher_core::store::{StoreError, StoreResult};
use usher_core::users::User;
use usher_core::users::query::Page;
use usher_core::webhooks::WebhookEndpoint;

use super::db_err;
use crate::rows::from_doc;

pub type DbRow = <Db as sqlx::Database>::Row;

/// Begins a transaction that will write, the way the backend needs (`BEGIN_WRITE`).
pub async fn begin_write(pool: &Pool<Db>) -> StoreResult<sqlx::Transaction<'static, Db>> {
    pool.begin_with(BEGIN_WRITE).await.map_err(db_err)
}
pub type DbQuery<'q> = Query<'q, Db, <Db as sqlx::Database>::Arguments>;

/// `sql` with `params` bound in order as `$1`, `$2`, …; more parameters of other types can be
/// bound onto the result.
pub fn text(sql: &'static str, params: &[&str]) -> DbQuery<'static> {
    params.iter().fold(sqlx::query(sql), |q, p| q.bind(*p))
}

/// The one row `query` finds, mapped by `map`; none is the database's error.
pub async fn fetch_one<'c, T>(
    query: DbQuery<'_>,
    ex: impl Executor<'c, Database = Db>,
    map: impl FnOnce(&DbRow) -> StoreResult<T>,
) -> StoreResult<T> {
    map(&query.fetch_one(ex).await.map_err(db_err)?)
}

/// The row `query` finds, if any, mapped by `map`.
pub async fn fetch_optional<'c, T>(
    query: DbQuery<'_>,
    ex: impl Executor<'c, Database = Db>,
    map: impl FnOnce(&DbRow) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    let row = query.fetch_optional(ex).await.map_err(db_err)?;
    row.as_ref().map(map).transpose()
}

/// The `sealed` secret of the row `id` of `table`, if the row is there.
pub async fn sealed_secret(
    pool: &Pool<Db>,
    table: &'static str,
    instance_id: &str,
    id: &str,
) -> StoreResult<Option<SealedSecret>> {
    // `table` is one of ours, never input.
    let sql = format!("SELECT sealed FROM {table} WHERE instance_id = $1 AND id = $2");
    let select = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(instance_id).bind(id);
    fetch_optional(select, pool, |r| Ok(SealedSecret(r.get("sealed")))).await
}

/// The row `sql` finds by a key (`… WHERE instance_id = $1 AND <key column> = $2`), if any,
/// mapped by `map`.
pub async fn fetch_by_key<'c, T>(
    ex: impl Executor<'c, Database = Db>,
    sql: &'static str,
    instance_id: &str,
    key: &str,
    map: impl FnOnce(&DbRow) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    fetch_optional(text(sql, &[instance_id, key]), ex, map).await
}

/// Every row `query` finds, mapped by `map`; the first row that fails to map fails the call.
pub async fn fetch_all<'c, T>(
    query: DbQuery<'_>,
    ex: impl Executor<'c, Database = Db>,
    map: impl FnMut(&DbRow) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let rows = query.fetch_all(ex).await.map_err(db_err)?;
    rows.iter().map(map).collect()
}

/// Whether `query` finds a row.
pub async fn exists<'c>(
    query: DbQuery<'_>,
    ex: impl Executor<'c, Database = Db>,
) -> StoreResult<bool> {
    Ok(fetch_optional(query, ex, |_| Ok(())).await?.is_some())
}

/// Runs a statement; the rows it affected.
pub async fn execute<'c>(
    query: DbQuery<'_>,
    ex: impl Executor<'c, Database = Db>,
) -> StoreResult<u64> {
    Ok(query.execute(ex).await.map_err(db_err)?.rows_affected())
}

/// Runs a write guarded by the version the caller read: if it did not change exactly one row,
/// another writer got there first (or the row is gone), so the caller's copy is stale.
pub async fn execute_one<'c>(
    query: DbQuery<'_>,
    ex: impl Executor<'c, Database = Db>,
) -> StoreResult<()> {
    exactly_one(execute(query, ex).await?)
}

/// Deletes the row `id` of `table` at the version the caller read (see `execute_one`).
pub async fn delete_versioned<'c>(
    ex: impl Executor<'c, Database = Db>,
    table: &'static str,
    instance_id: &str,
    id: &str,
    version: i64,
) -> StoreResult<()> {
    // `table` is one of ours, never input.
    let sql = format!("DELETE FROM {table} WHERE instance_id = $1 AND id = $2 AND version = $3");
    let delete = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(instance_id)
        .bind(id)
        .bind(version);
    execute_one(delete, ex).await
}

/// The verdict of a version-guarded write that changed `rows` rows (see `execute_one`).
pub fn exactly_one(rows: u64) -> StoreResult<()> {
    match rows {
        1 => Ok(()),
        _ => Err(StoreError::Stale),
    }
}

/// Maps a unique key's refusal to `taken` (which key it was means something to the caller), any
/// other failure to the database's error.
pub fn taken_as(taken: StoreError) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => taken,
        other => db_err(other),
    }
}

/// `execute`, with a unique key's refusal reported as `taken`.
pub async fn execute_unique<'c>(
    query: DbQuery<'_>,
    ex: impl Executor<'c, Database = Db>,
    taken: StoreError,
) -> StoreResult<u64> {
    Ok(query.execute(ex).await.map_err(taken_as(taken))?.rows_affected())
}

/// A record kept as a JSON `doc` beside a `version` column: the column is the truth (the
/// document's copy, if it has one, is the version it was written over).
pub trait Versioned: DeserializeOwned {
    fn set_version(&mut self, version: i64);
}

macro_rules! versioned {
    ($($t:ty),* $(,)?) => {
        $(impl Versioned for $t {
            fn set_version(&mut self, version: i64) {
                self.version = version;
            }
        })*
    };
}

versioned!(
    usher_core::api_keys::ApiKey,
    usher_core::invitations::Invitation,
    usher_core::waitlist::WaitlistEntry,
    usher_core::billing::Plan,
    usher_core::billing::SubscriptionItem,
    usher_core::machines::Machine,
    usher_core::machines::M2mToken,
    ActorToken,
    Branding,
    MembershipRequest,
    Organization,
    OrganizationDomain,
    OrganizationInvitation,
    OrganizationMembership,
    OrganizationSuggestion,
    Session,
    SessionClaimsTemplate,
    SignInToken,
    usher_core::instance_settings::StoredSettings,
    User,
    WebhookEndpoint,
);

/// The versioned record `id` of `table` (read from its `doc` and `version` columns), if the row
/// is there.
pub async fn versioned_by_id<'c, T: Versioned>(
    ex: impl Executor<'c, Database = Db>,
    table: &'static str,
    instance_id: &str,
    id: &str,
) -> StoreResult<Option<T>> {
    // `table` is one of ours, never input.
    let sql = format!("SELECT doc, version FROM {table} WHERE instance_id = $1 AND id = $2");
    let select = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(instance_id).bind(id);
    fetch_optional(select, ex, versioned).await
}

/// Reads a row's `doc` and `version` columns into `T`.
pub fn versioned<T: Versioned>(r: &DbRow) -> StoreResult<T> {
    let mut x: T = from_doc(r.get::<&str, _>("doc"))?;
    x.set_version(r.get("version"));
    Ok(x)
}

/// An `events` row (`seq`, `id`, `type`, `data`, `attributes`, `created_at`) of `instance_id`,
/// read by the outbox and by the webhook queue alike.
pub fn outbox_event(r: &DbRow, instance_id: &str) -> StoreResult<OutboxEvent> {
    Ok(OutboxEvent {
        id: EventId::from_stored(r.get::<String, _>("id")),
        instance_id: InstanceId::from_stored(instance_id),
        event_type: r.get("type"),
        data: from_doc(r.get::<&str, _>("data"))?,
        attributes: from_doc(r.get::<&str, _>("attributes"))?,
        created_at: r.get("created_at"),
        seq: r.get("seq"),
    })
}

/// An `audit_log` row (`seq`, `id`, `actor`, `action`, `target_id`, `trace_id`, `client_ip`,
/// `at`) of `instance_id`, read by the audit log, its export and the operators' view alike.
pub fn audit_entry(r: &DbRow, instance_id: &str) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
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
}

/// One page of a list and the total it was cut from, with the filter written once:
/// `SELECT {columns}` and `SELECT COUNT(*) AS n` each followed by what `from_where` pushes (the
/// `FROM` and `WHERE` clauses); the page then takes `order_by` and `LIMIT`/`OFFSET`.
pub async fn paged<T>(
    pool: &Pool<Db>,
    columns: &str,
    from_where: impl Fn(&mut QueryBuilder<Db>),
    order_by: &str,
    page: &Page,
    map: impl FnMut(&DbRow) -> StoreResult<T>,
) -> StoreResult<(Vec<T>, i64)> {
    let mut qb = QueryBuilder::<Db>::new(format!("SELECT {columns}"));
    from_where(&mut qb);
    qb.push(order_by)
        .push(" LIMIT ")
        .push_bind(page.limit)
        .push(" OFFSET ")
        .push_bind(page.offset);
    let items = fetch_all(qb.build(), pool, map).await?;
    let mut cq = QueryBuilder::<Db>::new("SELECT COUNT(*) AS n");
    from_where(&mut cq);
    let total = fetch_one(cq.build(), pool, |r| Ok(r.get("n"))).await?;
    Ok((items, total))
}

/// `paged` for a list of versioned records shown newest first (by `created_at`, then `id`).
pub async fn newest_first<T: Versioned>(
    pool: &Pool<Db>,
    from_where: impl Fn(&mut QueryBuilder<Db>),
    page: &Page,
) -> StoreResult<(Vec<T>, i64)> {
    let order_by = " ORDER BY created_at DESC, id DESC";
    paged(pool, "doc, version", from_where, order_by, page, versioned).await
}
