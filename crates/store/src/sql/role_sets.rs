// Role sets, and the organizations and members tied to one. Included by each backend's module,
// which defines `Db`.

use sqlx::{Pool, QueryBuilder, Row, Transaction};
use usher_core::organizations::OrganizationMembership;
use usher_core::roles::sets::RoleSet;
use usher_core::store::{StoreError, StoreResult};

use super::query::{execute_one, execute_unique, fetch_all, text, versioned};
use crate::rows::{from_doc, to_doc};

type Tx<'a> = Transaction<'a, Db>;

pub async fn role_sets(pool: &Pool<Db>, instance_id: &str) -> StoreResult<Vec<RoleSet>> {
    fetch_all(
        text(
            "SELECT doc FROM organization_role_sets WHERE instance_id = $1 \
             ORDER BY created_at DESC, id DESC",
            &[instance_id],
        ),
        pool,
        |r| from_doc(r.get::<&str, _>("doc")),
    )
    .await
}

/// The memberships, in organizations tied to set `key`, whose role is one of `roles`.
pub async fn members_holding(
    pool: &Pool<Db>,
    instance_id: &str,
    key: &str,
    roles: &[String],
) -> StoreResult<Vec<OrganizationMembership>> {
    if roles.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Db>::new(
        "SELECT m.doc, m.version FROM organization_memberships m JOIN organizations o \
         ON o.instance_id = m.instance_id AND o.id = m.organization_id WHERE m.instance_id = ",
    );
    qb.push_bind(instance_id.to_owned())
        .push(" AND o.role_set_key = ")
        .push_bind(key.to_owned())
        .push(" AND m.role IN (");
    let mut sep = qb.separated(", ");
    for r in roles {
        sep.push_bind(r.clone());
    }
    qb.push(") ORDER BY m.created_at, m.id");
    fetch_all(qb.build(), pool, versioned).await
}

/// Every role members of organizations tied to set `key` hold.
pub async fn roles_held(pool: &Pool<Db>, instance_id: &str, key: &str) -> StoreResult<Vec<String>> {
    fetch_all(
        text(
            "SELECT DISTINCT m.role FROM organization_memberships m JOIN organizations o \
             ON o.instance_id = m.instance_id AND o.id = m.organization_id \
             WHERE m.instance_id = $1 AND o.role_set_key = $2 ORDER BY m.role",
            &[instance_id, key],
        ),
        pool,
        |r| Ok(r.get("role")),
    )
    .await
}

pub async fn put(tx: &mut Tx<'_>, instance_id: &str, set: &RoleSet) -> StoreResult<()> {
    // A new key follows into the organizations tied to the set (their documents too).
    let old: Option<String> = super::query::fetch_optional(
        text(
            "SELECT key FROM organization_role_sets WHERE id = $1 AND instance_id = $2",
            &[set.id.as_str(), instance_id],
        ),
        &mut **tx,
        |r| Ok(r.get("key")),
    )
    .await?;
    let upsert = text(
        "INSERT INTO organization_role_sets (id, instance_id, key, doc, created_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (id) DO UPDATE SET key = excluded.key, doc = excluded.doc",
        &[set.id.as_str(), instance_id, &set.key, &to_doc(set)?],
    )
    .bind(set.created_at);
    execute_unique(upsert, &mut **tx, StoreError::KeyTaken { what: "role set" }).await?;
    if let Some(old) = old.filter(|k| *k != set.key) {
        move_organizations(tx, instance_id, &old, &set.key).await?;
    }
    Ok(())
}

/// Removes set `id`; its organizations move to set `dest_key` in the same write.
pub async fn replace(
    tx: &mut Tx<'_>,
    instance_id: &str,
    id: &str,
    dest_key: &str,
) -> StoreResult<()> {
    let key: Option<String> = super::query::fetch_optional(
        text(
            "DELETE FROM organization_role_sets WHERE id = $1 AND instance_id = $2 RETURNING key",
            &[id, instance_id],
        ),
        &mut **tx,
        |r| Ok(r.get("key")),
    )
    .await?;
    let Some(key) = key else {
        return Err(StoreError::Stale);
    };
    move_organizations(tx, instance_id, &key, dest_key).await
}

/// Points every organization tied to `from` at `to`, in its column and its document.
async fn move_organizations(
    tx: &mut Tx<'_>,
    instance_id: &str,
    from: &str,
    to: &str,
) -> StoreResult<()> {
    let orgs: Vec<usher_core::organizations::Organization> = fetch_all(
        text(
            "SELECT doc, version FROM organizations WHERE instance_id = $1 AND role_set_key = $2",
            &[instance_id, from],
        ),
        &mut **tx,
        versioned,
    )
    .await?;
    for mut org in orgs {
        org.role_set_key = Some(to.to_owned());
        execute_one(
            text(
                "UPDATE organizations SET version = version + 1, doc = $1, role_set_key = $2 \
                 WHERE instance_id = $3 AND id = $4",
                &[&to_doc(&org)?, to, instance_id, org.id.as_str()],
            ),
            &mut **tx,
        )
        .await?;
    }
    Ok(())
}
