//! Creating, changing and deleting an instance's custom roles and permissions (the Backend API's
//! Organization Roles and Organization Permissions): what a request may change, decided against
//! everything the instance has. The built-in ones (`org:admin`, `org:member`, `org:sys_*`) can be
//! read and granted, never changed or deleted.

use super::assign::RoleCatalog;
use super::keys::{PermissionKey, RoleKey};
use super::model::{Permission, PermissionType, Role, RoleRecord};
use super::system;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{PermissionId, RoleId};
use crate::order_by::{OrderBy, order_fields};
use crate::text;

pub const ROLE: &str = "organization role";
pub const PERMISSION: &str = "permission";

/// Names and descriptions are shown in dashboards and carried in webhooks: keep them bounded.
const MAX_NAME_LEN: usize = 256;
const MAX_DESCRIPTION_LEN: usize = 1024;

/// Every role and permission of an instance, built-in and custom, as one view.
#[derive(Debug, Clone)]
pub struct Inventory {
    pub permissions: Vec<Permission>,
    pub catalog: RoleCatalog,
}

impl Inventory {
    pub fn new(
        instance_id: &str,
        instance_created_at: Millis,
        custom_permissions: Vec<Permission>,
        roles: Vec<RoleRecord>,
    ) -> Self {
        let catalog =
            RoleCatalog::from_records(instance_id, instance_created_at, &custom_permissions, roles);
        let mut permissions = system::system_permissions(instance_id, instance_created_at);
        permissions.extend(custom_permissions);
        Inventory {
            permissions,
            catalog,
        }
    }

    pub fn permission(&self, id: &str) -> CoreResult<&Permission> {
        self.permissions
            .iter()
            .find(|p| p.id == id)
            .ok_or(CoreError::NotFound {
                resource: PERMISSION,
            })
    }

    pub fn role(&self, id: &str) -> CoreResult<&Role> {
        self.catalog
            .roles()
            .iter()
            .find(|r| r.id == id)
            .ok_or(CoreError::NotFound { resource: ROLE })
    }

    /// A stored role with its permissions resolved against this inventory.
    pub fn resolve(&self, r: RoleRecord) -> Role {
        let resolved = self
            .permissions
            .iter()
            .filter(|p| r.permission_keys.contains(&p.key))
            .cloned()
            .collect();
        r.into_role(resolved)
    }

    /// The custom roles that grant permission `key`.
    pub fn roles_granting(&self, key: &str) -> Vec<&Role> {
        self.catalog
            .roles()
            .iter()
            .filter(|r| !system::is_system_role(&r.key) && r.has_permission(key))
            .collect()
    }

    fn permission_key_taken(&self, key: &str, except_id: &str) -> bool {
        self.permissions
            .iter()
            .any(|p| p.key == key && p.id != except_id)
    }

    fn role_key_taken(&self, key: &str, except_id: &str) -> bool {
        self.catalog
            .roles()
            .iter()
            .any(|r| r.key == key && r.id != except_id)
    }

    /// Permission ids as a request names them, resolved to their keys: each must exist, and is
    /// kept once.
    fn permission_keys(&self, ids: &[String]) -> CoreResult<Vec<String>> {
        let mut keys: Vec<String> = Vec::with_capacity(ids.len());
        for id in ids {
            let key = &self.permission(id)?.key;
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
        keys.sort();
        Ok(keys)
    }
}

pub(crate) fn name(param: &str, raw: &str) -> CoreResult<String> {
    text::required_name(param, raw, MAX_NAME_LEN)
}

pub(crate) fn description(raw: &str) -> CoreResult<String> {
    text::at_most("description", raw, MAX_DESCRIPTION_LEN)?;
    Ok(raw.to_owned())
}

fn read_only(what: &'static str) -> CoreError {
    CoreError::SystemReadOnly { what }
}

#[derive(Debug, Clone, Default)]
pub struct NewPermission {
    pub name: String,
    pub key: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct PermissionPatch {
    pub name: Option<String>,
    pub key: Option<String>,
    pub description: Option<String>,
}

pub fn create_permission(
    inv: &Inventory,
    input: NewPermission,
    now: Millis,
) -> CoreResult<Permission> {
    let name = name("name", &input.name)?;
    let key = PermissionKey::parse_custom("key", &input.key)?;
    let description = description(input.description.as_deref().unwrap_or_default())?;
    if inv.permission_key_taken(key.as_str(), "") {
        return Err(CoreError::KeyTaken { what: PERMISSION });
    }
    Ok(Permission {
        id: PermissionId::new(),
        key: key.as_str().to_owned(),
        name,
        description,
        kind: PermissionType::User,
        created_at: now,
        updated_at: now,
    })
}

/// The permission after `patch`; a new key follows into the roles that grant it (the store
/// renames their grants in the same write).
pub fn update_permission(
    inv: &Inventory,
    id: &str,
    patch: PermissionPatch,
    now: Millis,
) -> CoreResult<Permission> {
    let mut p = inv.permission(id)?.clone();
    if p.is_system() {
        return Err(read_only("system permissions"));
    }
    if let Some(raw) = patch.name {
        p.name = name("name", &raw)?;
    }
    if let Some(raw) = patch.key {
        let key = PermissionKey::parse_custom("key", &raw)?;
        if inv.permission_key_taken(key.as_str(), &p.id) {
            return Err(CoreError::KeyTaken { what: PERMISSION });
        }
        p.key = key.as_str().to_owned();
    }
    if let Some(raw) = patch.description {
        p.description = description(&raw)?;
    }
    p.updated_at = now;
    Ok(p)
}

pub fn check_permission_deletable(inv: &Inventory, id: &str) -> CoreResult<Permission> {
    let p = inv.permission(id)?;
    if p.is_system() {
        return Err(read_only("system permissions"));
    }
    Ok(p.clone())
}

#[derive(Debug, Clone, Default)]
pub struct NewRole {
    pub name: String,
    pub key: String,
    pub description: Option<String>,
    /// Permission ids.
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RolePatch {
    pub name: Option<String>,
    pub key: Option<String>,
    /// `Some(None)`: cleared.
    pub description: Option<Option<String>>,
    /// Permission ids; replaces the role's permissions when given.
    pub permissions: Option<Vec<String>>,
}

fn record(role: &Role) -> RoleRecord {
    let mut permission_keys: Vec<String> = role.permissions.iter().map(|p| p.key.clone()).collect();
    permission_keys.sort();
    RoleRecord {
        id: role.id.clone(),
        key: role.key.clone(),
        name: role.name.clone(),
        description: role.description.clone(),
        permission_keys,
        created_at: role.created_at,
        updated_at: role.updated_at,
    }
}

fn custom_role<'i>(inv: &'i Inventory, id: &str) -> CoreResult<&'i Role> {
    let role = inv.role(id)?;
    if system::is_system_role(&role.key) {
        return Err(read_only("system roles"));
    }
    Ok(role)
}

pub fn create_role(inv: &Inventory, input: NewRole, now: Millis) -> CoreResult<RoleRecord> {
    let name = name("name", &input.name)?;
    let key = RoleKey::parse("key", &input.key)?;
    let description = input.description.as_deref().map(description).transpose()?;
    let permission_keys = inv.permission_keys(&input.permissions)?;
    if inv.role_key_taken(key.as_str(), "") {
        return Err(CoreError::KeyTaken { what: "role" });
    }
    Ok(RoleRecord {
        id: RoleId::new(),
        key: key.as_str().to_owned(),
        name,
        description,
        permission_keys,
        created_at: now,
        updated_at: now,
    })
}

pub fn update_role(
    inv: &Inventory,
    id: &str,
    patch: RolePatch,
    now: Millis,
) -> CoreResult<RoleRecord> {
    let mut r = record(custom_role(inv, id)?);
    if let Some(raw) = patch.name {
        r.name = name("name", &raw)?;
    }
    if let Some(raw) = patch.key {
        let key = RoleKey::parse("key", &raw)?;
        if inv.role_key_taken(key.as_str(), &r.id) {
            return Err(CoreError::KeyTaken { what: "role" });
        }
        r.key = key.as_str().to_owned();
    }
    if let Some(d) = patch.description {
        r.description = d.as_deref().map(description).transpose()?;
    }
    if let Some(ids) = patch.permissions {
        r.permission_keys = inv.permission_keys(&ids)?;
    }
    r.updated_at = now;
    Ok(r)
}

/// The record of custom role `role_id`, to change, and the key of permission `permission_id`,
/// to grant or take away: either missing is not found.
fn role_and_permission_key<'a>(
    inv: &'a Inventory,
    role_id: &str,
    permission_id: &str,
) -> CoreResult<(RoleRecord, &'a String)> {
    let r = record(custom_role(inv, role_id)?);
    Ok((r, &inv.permission(permission_id)?.key))
}

/// The role with one more permission; granting one it holds is a conflict, as in Clerk.
pub fn assign_permission(
    inv: &Inventory,
    role_id: &str,
    permission_id: &str,
    now: Millis,
) -> CoreResult<RoleRecord> {
    let (mut r, key) = role_and_permission_key(inv, role_id, permission_id)?;
    if r.permission_keys.contains(key) {
        return Err(CoreError::AlreadyAssigned { what: PERMISSION });
    }
    r.permission_keys.push(key.clone());
    r.permission_keys.sort();
    r.updated_at = now;
    Ok(r)
}

pub fn remove_permission(
    inv: &Inventory,
    role_id: &str,
    permission_id: &str,
    now: Millis,
) -> CoreResult<RoleRecord> {
    let (mut r, key) = role_and_permission_key(inv, role_id, permission_id)?;
    let before = r.permission_keys.len();
    r.permission_keys.retain(|k| k != key);
    if r.permission_keys.len() == before {
        return Err(CoreError::value(
            "permission_id",
            "the role does not have this permission",
        ));
    }
    r.updated_at = now;
    Ok(r)
}

/// The role to delete. Whether members or invitations still hold it is the caller's to check
/// (memberships live elsewhere).
pub fn check_role_deletable(inv: &Inventory, id: &str) -> CoreResult<Role> {
    Ok(custom_role(inv, id)?.clone())
}

order_fields! {
    /// What a list request orders by: `[+|-]created_at|name|key`.
    pub enum OrderField {
        CreatedAt = "created_at",
        Name = "name",
        Key = "key",
    }
    default CreatedAt;
    unknown(_) => CoreError::value(
        "order_by",
        "must be one of created_at, name or key, optionally signed with + or -",
    );
}

/// How roles and permissions are listed: `-created_at` by default.
pub type ListOrder = OrderBy<OrderField>;

/// What a list shows of a role or permission.
pub trait Listed {
    fn id(&self) -> &str;
    fn key(&self) -> &str;
    fn name(&self) -> &str;
    fn created_at(&self) -> Millis;
}

/// Roles and permissions name these fields alike.
macro_rules! listed {
    ($($t:ty),+) => {$(
        impl Listed for $t {
            fn id(&self) -> &str {
                &self.id
            }
            fn key(&self) -> &str {
                &self.key
            }
            fn name(&self) -> &str {
                &self.name
            }
            fn created_at(&self) -> Millis {
                self.created_at
            }
        }
    )+};
}

listed!(Role, Permission);

/// Clerk's list semantics: `query` matches an id exactly or a name or key in part (any case);
/// ties in the order fall back to the key, so pages are stable. Returns the page and the total.
pub fn list<T: Listed + Clone>(
    items: &[T],
    query: Option<&str>,
    order: ListOrder,
    limit: i64,
    offset: i64,
) -> (Vec<T>, i64) {
    let needle = query.map(str::to_lowercase);
    let mut hits: Vec<&T> = items
        .iter()
        .filter(|i| match (&needle, query) {
            (Some(n), Some(q)) => {
                i.id() == q
                    || i.name().to_lowercase().contains(n.as_str())
                    || i.key().to_lowercase().contains(n.as_str())
            }
            _ => true,
        })
        .collect();
    hits.sort_by(|a, b| {
        let primary = match order.field {
            OrderField::CreatedAt => a.created_at().cmp(&b.created_at()),
            OrderField::Name => a.name().cmp(b.name()),
            OrderField::Key => a.key().cmp(b.key()),
        };
        let primary = if order.descending {
            primary.reverse()
        } else {
            primary
        };
        primary.then_with(|| a.key().cmp(b.key()))
    });
    let total = hits.len() as i64;
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    let take = usize::try_from(limit).unwrap_or(0);
    (
        hits.into_iter().skip(skip).take(take).cloned().collect(),
        total,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A permission to create, without a description.
    fn new_permission(name: &str, key: &str) -> NewPermission {
        NewPermission {
            name: name.into(),
            key: key.into(),
            description: None,
        }
    }

    fn inv() -> Inventory {
        Inventory::new("ins_a", 1, Vec::new(), Vec::new())
    }

    fn with(inv: &Inventory, p: Permission, r: Option<RoleRecord>) -> Inventory {
        let mut perms: Vec<Permission> = inv
            .permissions
            .iter()
            .filter(|p| !p.is_system())
            .cloned()
            .collect();
        perms.push(p);
        Inventory::new("ins_a", 1, perms, r.into_iter().collect())
    }

    #[test]
    fn permissions_are_validated_and_system_ones_are_read_only() {
        let base = inv();
        let p = create_permission(
            &base,
            new_permission(" Read invoices ", "org:invoices:read"),
            7,
        )
        .unwrap();
        assert_eq!(
            (p.name.as_str(), p.description.as_str()),
            ("Read invoices", "")
        );
        let inv = with(&base, p.clone(), None);
        let dup = new_permission("x", "org:invoices:read");
        assert_eq!(
            create_permission(&inv, dup, 8).unwrap_err(),
            CoreError::KeyTaken { what: PERMISSION }
        );
        let sys_id = inv.permissions[0].id.clone();
        assert!(matches!(
            update_permission(&inv, &sys_id, PermissionPatch::default(), 9),
            Err(CoreError::SystemReadOnly { .. })
        ));
        assert!(matches!(
            check_permission_deletable(&inv, &sys_id),
            Err(CoreError::SystemReadOnly { .. })
        ));
        assert!(matches!(
            create_permission(&inv, new_permission(" ", "org:a:b"), 9),
            Err(CoreError::ParamValueInvalid { .. })
        ));
    }

    #[test]
    fn roles_resolve_permission_ids_and_guard_system_roles() {
        let base = inv();
        let p = create_permission(&base, new_permission("Read", "org:invoices:read"), 7).unwrap();
        let inv1 = with(&base, p.clone(), None);
        let sys_perm = inv1.permissions[2].clone();
        let r = create_role(
            &inv1,
            NewRole {
                name: "Billing".into(),
                key: "org:billing".into(),
                description: None,
                permissions: vec![p.id.to_string(), sys_perm.id.to_string(), p.id.to_string()],
            },
            8,
        )
        .unwrap();
        assert_eq!(r.permission_keys.len(), 2);
        assert!(matches!(
            create_role(
                &inv1,
                NewRole {
                    name: "A".into(),
                    key: "org:admin".into(),
                    ..Default::default()
                },
                8
            ),
            Err(CoreError::KeyTaken { .. })
        ));
        assert!(matches!(
            create_role(
                &inv1,
                NewRole {
                    name: "A".into(),
                    key: "org:x".into(),
                    permissions: vec!["perm_nope".into()],
                    ..Default::default()
                },
                8
            ),
            Err(CoreError::NotFound { .. })
        ));
        let inv2 = with(&base, p.clone(), Some(r.clone()));
        assert_eq!(
            assign_permission(&inv2, &r.id, &p.id, 9).unwrap_err(),
            CoreError::AlreadyAssigned { what: PERMISSION }
        );
        let removed = remove_permission(&inv2, &r.id, &p.id, 9).unwrap();
        assert_eq!(removed.permission_keys, vec![sys_perm.key.clone()]);
        let admin_id = inv2.catalog.roles()[0].id.clone();
        assert!(matches!(
            update_role(&inv2, &admin_id, RolePatch::default(), 9),
            Err(CoreError::SystemReadOnly { .. })
        ));
        assert!(matches!(
            check_role_deletable(&inv2, &admin_id),
            Err(CoreError::SystemReadOnly { .. })
        ));
        assert_eq!(inv2.roles_granting(&p.key).len(), 1);
    }

    #[test]
    fn lists_filter_order_and_page() {
        let inv = inv();
        let (all, total) = list(&inv.permissions, None, ListOrder::default(), 500, 0);
        assert_eq!(total, 8);
        assert_eq!(all.len(), 8);
        let by_key = ListOrder::parse("key").unwrap();
        let (page, total) = list(&inv.permissions, Some("MEMBERSHIPS"), by_key, 1, 1);
        assert_eq!(total, 2);
        assert_eq!(page[0].key, "org:sys_memberships:read");
        let (exact, _) = list(&inv.permissions, Some(&all[3].id), by_key, 10, 0);
        assert_eq!(exact.len(), 1);
        assert!(ListOrder::parse("-updated_at").is_err());
        assert!(ListOrder::parse("-name").unwrap().descending);
    }
}
