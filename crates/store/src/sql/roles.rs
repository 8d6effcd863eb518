// Custom organization roles and permissions. Included by each backend's module, which defines
// `Db`.

use sqlx::{Pool, Row, Transaction};
use usher_core::ids::{PermissionId, RoleId};
use usher_core::roles::model::{Permission, PermissionType, RoleRecord};
use usher_core::store::{StoreError, StoreResult};

use super::db_err;

fn taken(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::KeyTaken { what },
        other => db_err(other),
    }
}

pub async fn permissions(pool: &Pool<Db>, instance_id: &str) -> StoreResult<Vec<Permission>> {
    let rows = sqlx::query(
        "SELECT id, key, name, description, created_at, updated_at FROM organization_permissions \
         WHERE instance_id = $1 ORDER BY key",
    )
    .bind(instance_id)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    Ok(rows
        .iter()
        .map(|r| Permission {
            id: PermissionId::from_stored(r.get::<String, _>("id")),
            key: r.get("key"),
            name: r.get("name"),
            description: r.get("description"),
            kind: PermissionType::User,
            created_at: r.get("created_at"),
            updated_at: r.get("updated_at"),
        })
        .collect())
}

pub async fn roles(pool: &Pool<Db>, instance_id: &str) -> StoreResult<Vec<RoleRecord>> {
    let rows = sqlx::query(
        "SELECT id, key, name, description, created_at, updated_at FROM organization_roles \
         WHERE instance_id = $1 ORDER BY key",
    )
    .bind(instance_id)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    let grants = sqlx::query(
        "SELECT rp.role_id, rp.permission_key FROM organization_role_permissions rp \
         JOIN organization_roles r ON r.id = rp.role_id WHERE r.instance_id = $1 \
         ORDER BY rp.permission_key",
    )
    .bind(instance_id)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    Ok(rows
        .iter()
        .map(|r| {
            let id: String = r.get("id");
            RoleRecord {
                permission_keys: grants
                    .iter()
                    .filter(|g| g.get::<&str, _>("role_id") == id)
                    .map(|g| g.get("permission_key"))
                    .collect(),
                id: RoleId::from_stored(id),
                key: r.get("key"),
                name: r.get("name"),
                description: r.get("description"),
                created_at: r.get("created_at"),
                updated_at: r.get("updated_at"),
            }
        })
        .collect())
}

pub async fn put_permission(
    tx: &mut Transaction<'_, Db>,
    instance_id: &str,
    p: &Permission,
) -> StoreResult<()> {
    // A changed key must follow into the roles that hold the permission.
    let old: Option<String> = sqlx::query(
        "SELECT key FROM organization_permissions WHERE id = $1 AND instance_id = $2",
    )
    .bind(p.id.as_str())
    .bind(instance_id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_err)?
    .map(|r| r.get("key"));
    sqlx::query(
        "INSERT INTO organization_permissions \
         (id, instance_id, key, name, description, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (id) DO UPDATE SET key = excluded.key, name = excluded.name, \
         description = excluded.description, updated_at = excluded.updated_at",
    )
    .bind(p.id.as_str())
    .bind(instance_id)
    .bind(&p.key)
    .bind(&p.name)
    .bind(&p.description)
    .bind(p.created_at)
    .bind(p.updated_at)
    .execute(&mut **tx)
    .await
    .map_err(taken("permission"))?;
    if let Some(old) = old.filter(|k| *k != p.key) {
        sqlx::query(
            "UPDATE organization_role_permissions SET permission_key = $1 WHERE permission_key = $2 \
             AND role_id IN (SELECT id FROM organization_roles WHERE instance_id = $3)",
        )
        .bind(&p.key)
        .bind(&old)
        .bind(instance_id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

pub async fn delete_permission(
    tx: &mut Transaction<'_, Db>,
    instance_id: &str,
    id: &str,
) -> StoreResult<()> {
    let key: Option<String> =
        sqlx::query("DELETE FROM organization_permissions WHERE id = $1 AND instance_id = $2 RETURNING key")
            .bind(id)
            .bind(instance_id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_err)?
            .map(|r| r.get("key"));
    if let Some(key) = key {
        sqlx::query(
            "DELETE FROM organization_role_permissions WHERE permission_key = $1 \
             AND role_id IN (SELECT id FROM organization_roles WHERE instance_id = $2)",
        )
        .bind(&key)
        .bind(instance_id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

pub async fn put_role(
    tx: &mut Transaction<'_, Db>,
    instance_id: &str,
    r: &RoleRecord,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO organization_roles \
         (id, instance_id, key, name, description, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (id) DO UPDATE SET key = excluded.key, name = excluded.name, \
         description = excluded.description, updated_at = excluded.updated_at",
    )
    .bind(r.id.as_str())
    .bind(instance_id)
    .bind(&r.key)
    .bind(&r.name)
    .bind(&r.description)
    .bind(r.created_at)
    .bind(r.updated_at)
    .execute(&mut **tx)
    .await
    .map_err(taken("role"))?;
    sqlx::query("DELETE FROM organization_role_permissions WHERE role_id = $1")
        .bind(r.id.as_str())
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    let mut keys: Vec<&String> = r.permission_keys.iter().collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        sqlx::query(
            "INSERT INTO organization_role_permissions (role_id, permission_key) VALUES ($1, $2)",
        )
        .bind(r.id.as_str())
        .bind(key)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

pub async fn delete_role(tx: &mut Transaction<'_, Db>, instance_id: &str, id: &str) -> StoreResult<()> {
    let owned = sqlx::query("SELECT 1 FROM organization_roles WHERE id = $1 AND instance_id = $2")
        .bind(id)
        .bind(instance_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
    if owned.is_none() {
        return Ok(());
    }
    sqlx::query("DELETE FROM organization_role_permissions WHERE role_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    sqlx::query("DELETE FROM organization_roles WHERE id = $1 AND instance_id = $2")
        .bind(id)
        .bind(instance_id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}
