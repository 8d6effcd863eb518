// Custom organization roles and permissions. Included by each backend's module, which defines
// `Db`.

use sqlx::{Pool, Row, Transaction};
use usher_core::ids::{PermissionId, RoleId};
use usher_core::roles::model::{Permission, PermissionType, RoleRecord};
use usher_core::store::{StoreError, StoreResult};

use super::query::{execute, execute_unique, exists, fetch_all, fetch_optional, text};

type Tx<'a> = Transaction<'a, Db>;

pub async fn permissions(pool: &Pool<Db>, instance_id: &str) -> StoreResult<Vec<Permission>> {
    fetch_all(
        text(
            "SELECT id, key, name, description, created_at, updated_at FROM organization_permissions \
             WHERE instance_id = $1 ORDER BY key",
            &[instance_id],
        ),
        pool,
        |r| {
            Ok(Permission {
                id: PermissionId::from_stored(r.get::<String, _>("id")),
                key: r.get("key"),
                name: r.get("name"),
                description: r.get("description"),
                kind: PermissionType::User,
                created_at: r.get("created_at"),
                updated_at: r.get("updated_at"),
            })
        },
    )
    .await
}

pub async fn roles(pool: &Pool<Db>, instance_id: &str) -> StoreResult<Vec<RoleRecord>> {
    let grants: Vec<(String, String)> = fetch_all(
        text(
            "SELECT rp.role_id, rp.permission_key FROM organization_role_permissions rp \
             JOIN organization_roles r ON r.id = rp.role_id WHERE r.instance_id = $1 \
             ORDER BY rp.permission_key",
            &[instance_id],
        ),
        pool,
        |g| Ok((g.get("role_id"), g.get("permission_key"))),
    )
    .await?;
    fetch_all(
        text(
            "SELECT id, key, name, description, created_at, updated_at FROM organization_roles \
             WHERE instance_id = $1 ORDER BY key",
            &[instance_id],
        ),
        pool,
        |r| {
            let id: String = r.get("id");
            Ok(RoleRecord {
                permission_keys: grants
                    .iter()
                    .filter(|(role_id, _)| *role_id == id)
                    .map(|(_, key)| key.clone())
                    .collect(),
                id: RoleId::from_stored(id),
                key: r.get("key"),
                name: r.get("name"),
                description: r.get("description"),
                created_at: r.get("created_at"),
                updated_at: r.get("updated_at"),
            })
        },
    )
    .await
}

pub async fn put_permission(tx: &mut Tx<'_>, instance_id: &str, p: &Permission) -> StoreResult<()> {
    // A changed key must follow into the roles that hold the permission.
    let old: Option<String> = fetch_optional(
        text(
            "SELECT key FROM organization_permissions WHERE id = $1 AND instance_id = $2",
            &[p.id.as_str(), instance_id],
        ),
        &mut **tx,
        |r| Ok(r.get("key")),
    )
    .await?;
    let upsert = text(
        "INSERT INTO organization_permissions \
         (id, instance_id, key, name, description, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (id) DO UPDATE SET key = excluded.key, name = excluded.name, \
         description = excluded.description, updated_at = excluded.updated_at",
        &[p.id.as_str(), instance_id, &p.key, &p.name, &p.description],
    )
    .bind(p.created_at)
    .bind(p.updated_at);
    execute_unique(upsert, &mut **tx, StoreError::KeyTaken { what: "permission" }).await?;
    if let Some(old) = old.filter(|k| *k != p.key) {
        let rename = text(
            "UPDATE organization_role_permissions SET permission_key = $1 WHERE permission_key = $2 \
             AND role_id IN (SELECT id FROM organization_roles WHERE instance_id = $3)",
            &[&p.key, &old, instance_id],
        );
        execute(rename, &mut **tx).await?;
    }
    Ok(())
}

pub async fn delete_permission(tx: &mut Tx<'_>, instance_id: &str, id: &str) -> StoreResult<()> {
    let key: Option<String> = fetch_optional(
        text(
            "DELETE FROM organization_permissions WHERE id = $1 AND instance_id = $2 RETURNING key",
            &[id, instance_id],
        ),
        &mut **tx,
        |r| Ok(r.get("key")),
    )
    .await?;
    if let Some(key) = key {
        let grants = text(
            "DELETE FROM organization_role_permissions WHERE permission_key = $1 \
             AND role_id IN (SELECT id FROM organization_roles WHERE instance_id = $2)",
            &[&key, instance_id],
        );
        execute(grants, &mut **tx).await?;
    }
    Ok(())
}

pub async fn put_role(tx: &mut Tx<'_>, instance_id: &str, r: &RoleRecord) -> StoreResult<()> {
    let upsert = text(
        "INSERT INTO organization_roles \
         (id, instance_id, key, name, description, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (id) DO UPDATE SET key = excluded.key, name = excluded.name, \
         description = excluded.description, updated_at = excluded.updated_at",
        &[r.id.as_str(), instance_id, &r.key, &r.name],
    )
    .bind(r.description.as_deref())
    .bind(r.created_at)
    .bind(r.updated_at);
    execute_unique(upsert, &mut **tx, StoreError::KeyTaken { what: "role" }).await?;
    delete_grants(tx, r.id.as_str()).await?;
    let mut keys: Vec<&String> = r.permission_keys.iter().collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let grant = text(
            "INSERT INTO organization_role_permissions (role_id, permission_key) VALUES ($1, $2)",
            &[r.id.as_str(), key],
        );
        execute(grant, &mut **tx).await?;
    }
    Ok(())
}

/// Deletes a custom role no member holds and no pending invitation grants; otherwise
/// [`StoreError::RoleInUse`]. Checked in the deleting transaction, so a role assigned before it
/// commits is seen.
pub async fn delete_role(tx: &mut Tx<'_>, instance_id: &str, id: &str) -> StoreResult<()> {
    let owned = text(
        "SELECT key FROM organization_roles WHERE id = $1 AND instance_id = $2",
        &[id, instance_id],
    );
    let Some(key) = fetch_optional(owned, &mut **tx, |r| Ok(r.get::<String, _>("key"))).await?
    else {
        return Ok(());
    };
    let held = text(
        "SELECT 1 FROM organization_memberships WHERE instance_id = $1 AND role = $2 \
         UNION ALL SELECT 1 FROM organization_invitations \
         WHERE instance_id = $1 AND role = $2 AND status = 'pending' LIMIT 1",
        &[instance_id, &key],
    );
    if exists(held, &mut **tx).await? {
        return Err(StoreError::RoleInUse);
    }
    delete_grants(tx, id).await?;
    let role = text(
        "DELETE FROM organization_roles WHERE id = $1 AND instance_id = $2",
        &[id, instance_id],
    );
    execute(role, &mut **tx).await?;
    Ok(())
}

async fn delete_grants(tx: &mut Tx<'_>, role_id: &str) -> StoreResult<()> {
    let grants = text(
        "DELETE FROM organization_role_permissions WHERE role_id = $1",
        &[role_id],
    );
    execute(grants, &mut **tx).await?;
    Ok(())
}
