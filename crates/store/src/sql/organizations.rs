// Organizations and memberships: reads, and the writes `commit` applies. Included by each
// backend's module, which defines `Db`.

use sqlx::{Pool, QueryBuilder, Row, Transaction};
use usher_core::organizations::query::{
    MembershipOrderField, MembershipQuery, OrganizationOrderField, OrganizationQuery,
};
use usher_core::clock::Millis;
use usher_core::ids::{OrganizationId, UserId};
use usher_core::organizations::{Organization, OrganizationMembership};
use usher_core::store::{StoreError, StoreResult};

use super::query::{
    DbRow, delete_versioned, exactly_one, execute, execute_one, execute_unique, exists, fetch_all,
    fetch_optional, paged, text, versioned,
};
use crate::rows::{from_doc, like_contains, to_doc};

type Tx<'a> = Transaction<'a, Db>;

macro_rules! org_columns {
    () => {
        "doc, version, members_count, admins_count"
    };
}

fn org_from_row(r: &DbRow) -> StoreResult<Organization> {
    let mut org: Organization = versioned(r)?;
    org.members_count = r.get("members_count");
    org.admins_count = r.get("admins_count");
    Ok(org)
}

fn org_search(org: &Organization) -> String {
    format!("{}\n{}", org.name, org.slug).to_lowercase()
}

pub async fn get(pool: &Pool<Db>, instance_id: &str, id: &str) -> StoreResult<Option<Organization>> {
    fetch_optional(
        text(
            concat!(
                "SELECT ",
                org_columns!(),
                " FROM organizations WHERE instance_id = $1 AND id = $2"
            ),
            &[instance_id, id],
        ),
        pool,
        org_from_row,
    )
    .await
}

pub async fn by_ids(
    pool: &Pool<Db>,
    instance_id: &str,
    ids: &[OrganizationId],
) -> StoreResult<Vec<Organization>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Db>::new(concat!(
        "SELECT ",
        org_columns!(),
        " FROM organizations WHERE instance_id = "
    ));
    qb.push_bind(instance_id.to_owned()).push(" AND id IN (");
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(id.to_string());
    }
    qb.push(")");
    fetch_all(qb.build(), pool, org_from_row).await
}

pub async fn by_slug(
    pool: &Pool<Db>,
    instance_id: &str,
    slug: &str,
) -> StoreResult<Option<Organization>> {
    fetch_optional(
        text(
            concat!(
                "SELECT ",
                org_columns!(),
                " FROM organizations WHERE instance_id = $1 AND slug = $2"
            ),
            &[instance_id, &slug.to_lowercase()],
        ),
        pool,
        org_from_row,
    )
    .await
}

fn push_org_filter(qb: &mut QueryBuilder<Db>, instance_id: &str, q: &OrganizationQuery) {
    qb.push(" FROM organizations WHERE instance_id = ")
        .push_bind(instance_id.to_owned());
    if let Some(text) = q.query.as_deref().filter(|t| !t.is_empty()) {
        qb.push(" AND (id = ")
            .push_bind(text.to_owned())
            .push(" OR search LIKE ")
            .push_bind(like_contains(&text.to_lowercase()))
            .push(" ESCAPE '\\')");
    }
    super::filters::push_id_list(qb, "id", false, &q.organization_ids);
    super::filters::push_id_list(qb, "id", true, &q.exclude_organization_ids);
    for (users, negate) in [(&q.user_ids, false), (&q.exclude_user_ids, true)] {
        if users.is_empty() {
            continue;
        }
        qb.push(if negate { " AND id NOT IN" } else { " AND id IN" })
            .push(" (SELECT organization_id FROM organization_memberships WHERE instance_id = ")
            .push_bind(instance_id.to_owned())
            .push(" AND user_id IN (");
        let mut sep = qb.separated(", ");
        for u in users.iter() {
            sep.push_bind(u.clone());
        }
        qb.push("))");
    }
}

pub async fn list(
    pool: &Pool<Db>,
    instance_id: &str,
    q: &OrganizationQuery,
) -> StoreResult<(Vec<Organization>, i64)> {
    let column = match q.order.field {
        OrganizationOrderField::CreatedAt => "created_at",
        OrganizationOrderField::Name => "name",
        OrganizationOrderField::MembersCount => "members_count",
    };
    let dir = if q.order.descending { "DESC" } else { "ASC" };
    paged(
        pool,
        org_columns!(),
        |qb| push_org_filter(qb, instance_id, q),
        &format!(" ORDER BY {column} {dir}, id {dir}"),
        &q.page,
        org_from_row,
    )
    .await
}

pub async fn get_membership(
    pool: &Pool<Db>,
    instance_id: &str,
    organization_id: &str,
    user_id: &str,
) -> StoreResult<Option<OrganizationMembership>> {
    fetch_optional(
        text(
            "SELECT doc, version FROM organization_memberships \
             WHERE instance_id = $1 AND organization_id = $2 AND user_id = $3",
            &[instance_id, organization_id, user_id],
        ),
        pool,
        versioned,
    )
    .await
}

fn push_membership_filter(qb: &mut QueryBuilder<Db>, instance_id: &str, q: &MembershipQuery) {
    qb.push(
        " FROM organization_memberships m LEFT JOIN users u \
         ON u.instance_id = m.instance_id AND u.id = m.user_id WHERE m.instance_id = ",
    )
    .push_bind(instance_id.to_owned());
    if let Some(org) = &q.organization_id {
        qb.push(" AND m.organization_id = ").push_bind(org.to_string());
    }
    if let Some(user) = &q.user_id {
        qb.push(" AND m.user_id = ").push_bind(user.to_string());
    }
    super::filters::push_id_list(qb, "m.user_id", false, &q.user_ids);
    super::filters::push_id_list(qb, "m.user_id", true, &q.exclude_user_ids);
    super::filters::push_id_list(qb, "m.role", false, &q.roles);
    if let Some(text) = q.query.as_deref().filter(|t| !t.is_empty()) {
        qb.push(" AND (m.user_id = ")
            .push_bind(text.to_owned())
            .push(" OR u.search LIKE ")
            .push_bind(like_contains(&text.to_lowercase()))
            .push(" ESCAPE '\\')");
    }
}

pub async fn list_memberships(
    pool: &Pool<Db>,
    instance_id: &str,
    q: &MembershipQuery,
) -> StoreResult<(Vec<OrganizationMembership>, i64)> {
    let column = match q.order.field {
        MembershipOrderField::CreatedAt => "m.created_at",
        MembershipOrderField::EmailAddress => "u.primary_email",
        MembershipOrderField::PhoneNumber => "u.primary_phone",
        MembershipOrderField::Username => "u.username",
        MembershipOrderField::FirstName => "u.first_name",
        MembershipOrderField::LastName => "u.last_name",
    };
    let dir = if q.order.descending { "DESC" } else { "ASC" };
    // Missing values last either way, as PostgreSQL and SQLite order NULLs differently.
    let order_by = format!(
        " ORDER BY CASE WHEN {column} IS NULL THEN 1 ELSE 0 END, {column} {dir}, m.id {dir}"
    );
    paged(
        pool,
        "m.doc, m.version",
        |qb| push_membership_filter(qb, instance_id, q),
        &order_by,
        &q.page,
        versioned,
    )
    .await
}

/// Every membership of `user_ids` joined with its organization, which carries its count of
/// pending, unexpired invitations: one query for a whole response.
pub async fn memberships_of_users(
    pool: &Pool<Db>,
    instance_id: &str,
    user_ids: &[UserId],
    now: Millis,
) -> StoreResult<Vec<(OrganizationMembership, Organization)>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT m.doc AS membership_doc, m.version AS membership_version, \
         o.doc, o.version, o.members_count, o.admins_count, \
         (SELECT COUNT(*) FROM organization_invitations i \
          WHERE i.instance_id = o.instance_id AND i.organization_id = o.id \
          AND i.status = 'pending' AND i.expires_at > ",
    );
    qb.push_bind(now)
        .push(
            ") AS pending_invitations_count \
             FROM organization_memberships m JOIN organizations o \
             ON o.instance_id = m.instance_id AND o.id = m.organization_id \
             WHERE m.instance_id = ",
        )
        .push_bind(instance_id.to_owned())
        .push(" AND m.user_id IN (");
    let mut sep = qb.separated(", ");
    for u in user_ids {
        sep.push_bind(u.to_string());
    }
    qb.push(") ORDER BY m.created_at DESC, m.id DESC");
    fetch_all(qb.build(), pool, |r| {
        let mut m: OrganizationMembership = from_doc(r.get::<&str, _>("membership_doc"))?;
        m.version = r.get("membership_version");
        let mut org = org_from_row(r)?;
        org.pending_invitations_count = r.get("pending_invitations_count");
        Ok((m, org))
    })
    .await
}

pub async fn insert(tx: &mut Tx<'_>, instance_id: &str, org: &Organization) -> StoreResult<()> {
    let insert = text(
        "INSERT INTO organizations (instance_id, id, version, doc, name, slug, search, \
         max_allowed_memberships, members_count, admins_count, created_at, role_set_key) \
         VALUES ($1, $2, 1, $3, $4, $5, $6, $7, 0, 0, $8, $9)",
        &[instance_id, org.id.as_str(), &to_doc(org)?, &org.name, &org.slug, &org_search(org)],
    )
    .bind(org.max_allowed_memberships)
    .bind(org.created_at)
    .bind(org.role_set_key.as_deref());
    execute_unique(insert, &mut **tx, StoreError::SlugTaken).await?;
    Ok(())
}

pub async fn update(tx: &mut Tx<'_>, instance_id: &str, org: &Organization) -> StoreResult<()> {
    let update = text(
        "UPDATE organizations SET version = version + 1, doc = $1, name = $2, slug = $3, search = $4, \
         max_allowed_memberships = $5, created_at = $6, role_set_key = $7 \
         WHERE instance_id = $8 AND id = $9 AND version = $10",
        &[&to_doc(org)?, &org.name, &org.slug, &org_search(org)],
    )
    .bind(org.max_allowed_memberships)
    .bind(org.created_at)
    .bind(org.role_set_key.as_deref())
    .bind(instance_id)
    .bind(org.id.as_str())
    .bind(org.version);
    exactly_one(execute_unique(update, &mut **tx, StoreError::SlugTaken).await?)
}

pub async fn delete(tx: &mut Tx<'_>, instance_id: &str, id: &str, version: i64) -> StoreResult<()> {
    delete_versioned(&mut **tx, "organizations", instance_id, id, version).await?;
    execute(
        text(
            "DELETE FROM organization_memberships WHERE instance_id = $1 AND organization_id = $2",
            &[instance_id, id],
        ),
        &mut **tx,
    )
    .await?;
    super::organization_suggestions::delete_of_organization(tx, instance_id, id).await?;
    super::api_keys::delete_of_subject(tx, instance_id, id).await?;
    super::billing::delete_of_payer(tx, instance_id, id).await?;
    super::organization_domains::delete_of_organization(tx, instance_id, id).await
}

pub async fn insert_membership(
    tx: &mut Tx<'_>,
    instance_id: &str,
    m: &OrganizationMembership,
) -> StoreResult<()> {
    let admin: i64 = m.is_admin().into();
    // The row lock this takes orders concurrent additions; each re-checks the limit after the
    // one before it committed.
    let counted = sqlx::query(
        "UPDATE organizations SET members_count = members_count + 1, admins_count = admins_count + $1 \
         WHERE instance_id = $2 AND id = $3 \
         AND (max_allowed_memberships = 0 OR members_count < max_allowed_memberships)",
    )
    .bind(admin)
    .bind(instance_id)
    .bind(m.organization_id.as_str());
    if execute(counted, &mut **tx).await? != 1 {
        let org = text(
            "SELECT 1 FROM organizations WHERE instance_id = $1 AND id = $2",
            &[instance_id, m.organization_id.as_str()],
        );
        return Err(if exists(org, &mut **tx).await? {
            StoreError::MembershipQuotaExceeded
        } else {
            StoreError::Stale
        });
    }
    let insert = text(
        "INSERT INTO organization_memberships (instance_id, id, version, organization_id, user_id, role, is_admin, doc, created_at) \
         VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8)",
        &[
            instance_id,
            m.id.as_str(),
            m.organization_id.as_str(),
            m.user_id.as_str(),
            &m.role,
        ],
    )
    .bind(m.is_admin())
    .bind(to_doc(m)?)
    .bind(m.created_at);
    execute_unique(insert, &mut **tx, StoreError::AlreadyMember).await?;
    Ok(())
}

/// Moves the organization's admin count by `delta`; a decrement only while another admin stays
/// (unless `allow_none`).
async fn count_admins(
    tx: &mut Tx<'_>,
    instance_id: &str,
    organization_id: &str,
    delta: i64,
    members_delta: i64,
    allow_none: bool,
) -> StoreResult<()> {
    const UPDATE: &str = "UPDATE organizations SET admins_count = admins_count + $1, \
        members_count = members_count + $2 WHERE instance_id = $3 AND id = $4";
    const UPDATE_KEEPING_AN_ADMIN: &str = "UPDATE organizations SET admins_count = admins_count + $1, \
        members_count = members_count + $2 WHERE instance_id = $3 AND id = $4 AND admins_count > 1";
    let guarded = delta < 0 && !allow_none;
    let update = sqlx::query(if guarded { UPDATE_KEEPING_AN_ADMIN } else { UPDATE })
        .bind(delta)
        .bind(members_delta)
        .bind(instance_id)
        .bind(organization_id);
    match execute(update, &mut **tx).await? {
        1 => Ok(()),
        _ if guarded => Err(StoreError::LastAdmin),
        _ => Err(StoreError::Stale),
    }
}

pub async fn update_membership(
    tx: &mut Tx<'_>,
    instance_id: &str,
    m: &OrganizationMembership,
) -> StoreResult<()> {
    let was_admin = fetch_optional(
        text(
            "SELECT is_admin FROM organization_memberships WHERE instance_id = $1 AND id = $2 AND version = $3",
            &[instance_id, m.id.as_str()],
        )
        .bind(m.version),
        &mut **tx,
        |r| Ok(r.get::<bool, _>("is_admin")),
    )
    .await?;
    let Some(was_admin) = was_admin else {
        return Err(StoreError::Stale);
    };
    let update = sqlx::query(
        "UPDATE organization_memberships SET version = version + 1, role = $1, is_admin = $2, doc = $3 \
         WHERE instance_id = $4 AND id = $5 AND version = $6",
    )
    .bind(&m.role)
    .bind(m.is_admin())
    .bind(to_doc(m)?)
    .bind(instance_id)
    .bind(m.id.as_str())
    .bind(m.version);
    execute_one(update, &mut **tx).await?;
    match (was_admin, m.is_admin()) {
        (true, false) => count_admins(tx, instance_id, &m.organization_id, -1, 0, false).await,
        (false, true) => count_admins(tx, instance_id, &m.organization_id, 1, 0, false).await,
        _ => Ok(()),
    }
}

pub async fn delete_membership(
    tx: &mut Tx<'_>,
    instance_id: &str,
    organization_id: &str,
    id: &str,
    version: i64,
    keep_an_admin: bool,
) -> StoreResult<()> {
    let deleted = fetch_optional(
        text(
            "DELETE FROM organization_memberships \
             WHERE instance_id = $1 AND organization_id = $2 AND id = $3 AND version = $4 RETURNING is_admin",
            &[instance_id, organization_id, id],
        )
        .bind(version),
        &mut **tx,
        |r| Ok(i64::from(r.get::<bool, _>("is_admin"))),
    )
    .await?;
    let Some(admin) = deleted else {
        return Err(StoreError::Stale);
    };
    count_admins(tx, instance_id, organization_id, -admin, -1, !keep_an_admin).await
}
