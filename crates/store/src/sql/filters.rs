// The SQL that filters and orders lists. Included by each backend's module, which defines `Db`
// (the sqlx driver), so the same words mean the same rows in SQLite and PostgreSQL.

use sqlx::{Pool, QueryBuilder, Row};
use usher_core::sessions::SessionStatus;
use usher_core::sessions::query::SessionQuery;
use usher_core::store::StoreResult;
use usher_core::users::identifiers::{IdentifierKind, normalize};
use usher_core::users::query::{UserFilter, UserOrder, UserOrderField};

use super::query::fetch_one;
use crate::rows::like_contains;

/// How a user list's `query` (a substring of the users' `search` column) is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum UserSearch {
    /// `search LIKE '%…%'` alone. On PostgreSQL that is also the indexed route: the planner
    /// answers it through the `pg_trgm` GIN index (migration 0046) when the pattern has a
    /// trigram and the index narrows it.
    Scan,
    /// SQLite: the candidates the FTS5 trigram table `users_search` finds for this phrase (every
    /// trigram of the query, in a row), read by rowid, and `search LIKE` still checked on each,
    /// so the answer is exactly the scan's.
    Trigrams(String),
}

/// More candidates than this and SQLite walks the users instead: a query so common that
/// reading the candidates one by one (and sorting them for a page) costs more than the scan,
/// whose page stops at its first matches.
const TRIGRAM_CANDIDATES_MAX: i64 = 2_000;

/// Decides how `f.query` is answered, before the list or its count is read (see [`UserSearch`]).
/// SQLite asks its trigram table how many candidates the query has, up to the bound: one indexed
/// read that stops there.
pub(super) async fn user_search(pool: &Pool<Db>, f: &UserFilter) -> StoreResult<UserSearch> {
    let Some(q) = f.trigram_query() else {
        return Ok(UserSearch::Scan);
    };
    if <Db as sqlx::Database>::NAME != "SQLite" {
        return Ok(UserSearch::Scan);
    }
    let phrase = format!("\"{}\"", q.replace('"', "\"\""));
    let probe = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT rowid FROM users_search WHERE users_search MATCH $1 LIMIT $2)",
    )
    .bind(phrase.clone())
    .bind(TRIGRAM_CANDIDATES_MAX + 1);
    let n: i64 = fetch_one(probe, pool, |r| Ok(r.get("n"))).await?;
    Ok(if n > TRIGRAM_CANDIDATES_MAX {
        UserSearch::Scan
    } else {
        UserSearch::Trigrams(phrase)
    })
}

pub(super) fn push_identifier_filter(
    qb: &mut QueryBuilder<Db>,
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

pub(super) fn push_id_list(qb: &mut QueryBuilder<Db>, column: &str, negate: bool, values: &[impl AsRef<str>]) {
    if values.is_empty() {
return;
    }
    qb.push(format!(
" AND {column} {}IN (",
if negate { "NOT " } else { "" }
    ));
    let mut sep = qb.separated(", ");
    for v in values {
sep.push_bind(v.as_ref().to_owned());
    }
    qb.push(")");
}

/// `FROM users WHERE …`: what a user list and its count share, `search` the route
/// [`user_search`] chose for the filter.
pub(super) fn push_user_filter(
    qb: &mut QueryBuilder<Db>,
    instance_id: &str,
    f: &UserFilter,
    search: &UserSearch,
) {
    match search {
        UserSearch::Scan => {
            qb.push(" FROM users WHERE instance_id = ");
        }
        UserSearch::Trigrams(phrase) => {
            // `+instance_id`: not the index on it, so the planner reads the candidates by rowid
            // instead of walking every user of the instance and looking each up in them.
            qb.push(" FROM users WHERE rowid IN (SELECT rowid FROM users_search WHERE users_search MATCH ")
                .push_bind(phrase.clone())
                .push(") AND +instance_id = ");
        }
    }
    qb.push_bind(instance_id.to_owned());
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
        if q.contains('\0') {
            // No stored search text holds a NUL (ids, names and identifiers refuse control
            // characters; PostgreSQL's text cannot hold one), so nobody matches; bound, SQLite
            // would cut the pattern there and PostgreSQL refuse it.
            qb.push(" AND 1 = 0");
        } else {
            qb.push(" AND search LIKE ")
                .push_bind(like_contains(&q.to_lowercase()))
                .push(" ESCAPE '\\'");
        }
    }
    if let Some(b) = f.banned {
qb.push(" AND banned = ").push_bind(b);
    }
    match f.locked_at {
Some((true, at)) => {
    qb.push(" AND locked_until > ").push_bind(at);
}
Some((false, at)) => {
    qb.push(" AND (locked_until IS NULL OR locked_until <= ")
        .push_bind(at)
        .push(")");
}
None => {}
    }
    let ranges = [
("last_active_at", ">=", f.last_active_at_since),
("last_active_at", "<", f.last_active_at_before),
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

pub(super) fn order_column(field: UserOrderField) -> &'static str {
    match field {
        UserOrderField::CreatedAt => "created_at",
        UserOrderField::UpdatedAt => "updated_at",
        UserOrderField::EmailAddress => "primary_email",
        UserOrderField::PhoneNumber => "primary_phone",
        UserOrderField::Username => "username",
        UserOrderField::FirstName => "lower(first_name)",
        UserOrderField::LastName => "lower(last_name)",
        UserOrderField::LastSignInAt => "last_sign_in_at",
        UserOrderField::LastActiveAt => "last_active_at",
    }
}

/// `ORDER BY` for a user list. Nullable columns put their nulls last; the timestamps that are
/// never null are ordered plainly, so PostgreSQL can walk the `(instance_id, created_at, id)`
/// index instead of sorting every user for each page.
pub(super) fn order_by(order: UserOrder) -> String {
    let dir = if order.descending { "DESC" } else { "ASC" };
    let nulls = match order.field {
        UserOrderField::CreatedAt | UserOrderField::UpdatedAt => "",
        _ => " NULLS LAST",
    };
    format!(" ORDER BY {} {dir}{nulls}, id {dir}", order_column(order.field))
}


pub(super) fn push_status_filter(qb: &mut QueryBuilder<Db>, status: SessionStatus, now: i64) {
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

/// `FROM sessions WHERE …`: what a session list and its count share.
pub(super) fn push_session_filter(qb: &mut QueryBuilder<Db>, instance_id: &str, q: &SessionQuery) {
    qb.push(" FROM sessions WHERE instance_id = ")
.push_bind(instance_id.to_owned());
    if let Some(u) = &q.filter.user_id {
qb.push(" AND user_id = ").push_bind(u.to_string());
    }
    if let Some(c) = &q.filter.client_id {
qb.push(" AND client_id = ").push_bind(c.to_string());
    }
    if let Some(s) = q.filter.status {
push_status_filter(qb, s, q.now);
    }
}

