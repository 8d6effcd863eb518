//! Role sets (the Backend API's Role Sets): a named set of roles that an organization is tied
//! to. Only roles of the organization's set may be given in it; the set also names the role new
//! members get by default and the role an organization's creator gets. One set may be the
//! instance's `initial` one, which new organizations get. An instance that never created a set
//! has none stored, and its organizations may hold every role (as before role sets existed).

use serde::{Deserialize, Serialize};

use super::assign::RoleCatalog;
use super::manage::{description, name};
use super::system;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::RoleSetId;
use crate::order_by;

pub const ROLE_SET: &str = "role set";
pub const KEY_PREFIX: &str = "role_set:";
/// Clerk's bound on the roles of one set.
pub const MAX_ROLES: usize = 10;
const MAX_KEY_LEN: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoleSetType {
    Initial,
    Custom,
}

impl RoleSetType {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleSetType::Initial => "initial",
            RoleSetType::Custom => "custom",
        }
    }

    pub fn parse(param: &str, raw: &str) -> CoreResult<Self> {
        match raw {
            "initial" => Ok(RoleSetType::Initial),
            "custom" => Ok(RoleSetType::Custom),
            _ => Err(CoreError::value(param, "must be 'initial' or 'custom'")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSet {
    pub id: RoleSetId,
    /// `role_set:<name>`, already validated.
    pub key: String,
    pub name: String,
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub kind: RoleSetType,
    /// Role keys, in the order they were added.
    pub role_keys: Vec<String>,
    pub default_role_key: String,
    pub creator_role_key: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl RoleSet {
    pub fn contains(&self, role_key: &str) -> bool {
        self.role_keys.iter().any(|k| k == role_key)
    }

    pub fn is_initial(&self) -> bool {
        self.kind == RoleSetType::Initial
    }
}

/// Checks a role set key: `role_set:` then lower-case letters, digits and `_`.
pub fn parse_key(param: &str, raw: &str) -> CoreResult<String> {
    let rest = raw.strip_prefix(KEY_PREFIX).unwrap_or_default();
    if rest.is_empty()
        || raw.len() > MAX_KEY_LEN
        || !rest
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(CoreError::format(
            param,
            "must be 'role_set:' followed by lower-case letters, digits and '_'",
        ));
    }
    Ok(raw.to_owned())
}

/// The key a set without one gets: its name lower-cased, every run of other characters one `_`.
pub fn key_from_name(name: &str) -> String {
    let mut rest = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            rest.push(c.to_ascii_lowercase());
        } else if !rest.ends_with('_') && !rest.is_empty() {
            rest.push('_');
        }
    }
    let mut rest = rest.trim_end_matches('_').to_owned();
    rest.truncate(MAX_KEY_LEN - KEY_PREFIX.len());
    if rest.is_empty() {
        rest.push_str("set");
    }
    format!("{KEY_PREFIX}{}", rest.trim_end_matches('_'))
}

/// The set a path names, by id or by key.
pub fn find<'s>(sets: &'s [RoleSet], key_or_id: &str) -> CoreResult<&'s RoleSet> {
    sets.iter()
        .find(|s| s.id == key_or_id || s.key == key_or_id)
        .ok_or(CoreError::NotFound { resource: ROLE_SET })
}

/// Checks that `key` (as request parameter `param`) is a role membership or invitation of an
/// organization in `set` may carry; `None` (no set stored) allows every role of the instance.
pub fn check_member_role(set: Option<&RoleSet>, param: &str, key: &str) -> CoreResult<()> {
    match set {
        Some(set) if !set.contains(key) => Err(CoreError::value(
            param,
            format!(
                "'{}' is not a role of the organization's role set",
                key.chars().take(64).collect::<String>()
            ),
        )),
        _ => Ok(()),
    }
}

/// The set a new organization is tied to: the one it asks for, else the initial one, else none.
pub fn for_new_organization(
    sets: &[RoleSet],
    requested: Option<&str>,
) -> CoreResult<Option<String>> {
    match requested.filter(|k| !k.is_empty()) {
        Some(key) => sets
            .iter()
            .find(|s| s.key == key)
            .map(|s| Some(s.key.clone()))
            .ok_or_else(|| CoreError::value("role_set_key", "is not a role set of this instance")),
        None => Ok(sets.iter().find(|s| s.is_initial()).map(|s| s.key.clone())),
    }
}

/// Role keys as a request names them: each a role of the instance, kept once, 1 to 10.
fn role_keys(catalog: &RoleCatalog, param: &str, raw: &[String]) -> CoreResult<Vec<String>> {
    let mut keys: Vec<String> = Vec::with_capacity(raw.len());
    for key in raw {
        if catalog.get(key).is_none() {
            return Err(CoreError::value(
                param,
                format!(
                    "'{}' is not a role of this instance",
                    key.chars().take(64).collect::<String>()
                ),
            ));
        }
        if !keys.contains(key) {
            keys.push(key.clone());
        }
    }
    if keys.is_empty() || keys.len() > MAX_ROLES {
        return Err(CoreError::value(
            param,
            format!("must name between 1 and {MAX_ROLES} roles"),
        ));
    }
    Ok(keys)
}

/// The default and creator roles must be roles of the set; a creator must be able to run the
/// organization it creates.
/// Gives the set the default and creator roles named (either may be left as it is), then checks
/// its special roles.
fn set_special_roles(
    set: &mut RoleSet,
    catalog: &RoleCatalog,
    default_role_key: Option<String>,
    creator_role_key: Option<String>,
) -> CoreResult<()> {
    if let Some(k) = default_role_key {
        set.default_role_key = k;
    }
    if let Some(k) = creator_role_key {
        set.creator_role_key = k;
    }
    check_special_roles(set, catalog)
}

fn check_special_roles(set: &RoleSet, catalog: &RoleCatalog) -> CoreResult<()> {
    // Every organization keeps a member with `org:admin` (its creator starts with it, and the
    // last one is never removed or demoted), so every set must offer it.
    if !set.contains(system::ADMIN) {
        return Err(CoreError::value(
            "roles",
            format!("a role set must include '{}'", system::ADMIN),
        ));
    }
    if !set.contains(&set.default_role_key) {
        return Err(CoreError::value(
            "default_role_key",
            "must be one of the role set's roles",
        ));
    }
    if !set.contains(&set.creator_role_key) {
        return Err(CoreError::value(
            "creator_role_key",
            "must be one of the role set's roles",
        ));
    }
    if !catalog
        .get(&set.creator_role_key)
        .is_some_and(|r| r.is_creator_eligible())
    {
        return Err(CoreError::value(
            "creator_role_key",
            "must be a role that can manage and delete the organization",
        ));
    }
    Ok(())
}

fn key_taken(sets: &[RoleSet], key: &str, except: &RoleSetId) -> bool {
    sets.iter().any(|s| s.key == key && s.id != *except)
}

/// When `set` becomes initial, the former initial set becomes custom.
fn demote_other_initial(sets: &[RoleSet], set: &RoleSet, now: Millis) -> Vec<RoleSet> {
    if !set.is_initial() {
        return Vec::new();
    }
    sets.iter()
        .filter(|s| s.is_initial() && s.id != set.id)
        .map(|s| RoleSet {
            kind: RoleSetType::Custom,
            updated_at: now,
            ..s.clone()
        })
        .collect()
}

#[derive(Debug, Clone, Default)]
pub struct NewRoleSet {
    pub name: String,
    pub key: Option<String>,
    pub description: Option<String>,
    pub default_role_key: String,
    pub creator_role_key: String,
    pub kind: Option<String>,
    pub roles: Vec<String>,
}

/// The sets to store: the new one first, then any set it took `initial` from.
pub fn create(
    sets: &[RoleSet],
    catalog: &RoleCatalog,
    input: NewRoleSet,
    now: Millis,
) -> CoreResult<Vec<RoleSet>> {
    let name = name("name", &input.name)?;
    let key = match input.key.as_deref() {
        Some(raw) => parse_key("key", raw)?,
        None => key_from_name(&name),
    };
    let description = input.description.as_deref().map(description).transpose()?;
    let kind = match input.kind.as_deref() {
        Some(raw) => RoleSetType::parse("type", raw)?,
        None => RoleSetType::Custom,
    };
    let set = RoleSet {
        id: RoleSetId::new(),
        key,
        name,
        description,
        kind,
        role_keys: role_keys(catalog, "roles", &input.roles)?,
        default_role_key: input.default_role_key,
        creator_role_key: input.creator_role_key,
        created_at: now,
        updated_at: now,
    };
    check_special_roles(&set, catalog)?;
    if key_taken(sets, &set.key, &set.id) {
        return Err(CoreError::KeyTaken { what: ROLE_SET });
    }
    let mut out = vec![set];
    out.extend(demote_other_initial(sets, &out[0], now));
    Ok(out)
}

#[derive(Debug, Clone, Default)]
pub struct RoleSetPatch {
    pub name: Option<String>,
    pub key: Option<String>,
    /// `Some(None)`: cleared.
    pub description: Option<Option<String>>,
    /// Only `initial` may be set: a set stops being initial when another becomes it.
    pub kind: Option<String>,
    pub default_role_key: Option<String>,
    pub creator_role_key: Option<String>,
}

/// The changed set first, then any set it took `initial` from. A new key is returned with the
/// old one, for the organizations tied to the set.
pub fn update(
    sets: &[RoleSet],
    catalog: &RoleCatalog,
    key_or_id: &str,
    patch: RoleSetPatch,
    now: Millis,
) -> CoreResult<Vec<RoleSet>> {
    let mut set = find(sets, key_or_id)?.clone();
    if let Some(raw) = patch.name {
        set.name = name("name", &raw)?;
    }
    if let Some(raw) = patch.key {
        let key = parse_key("key", &raw)?;
        if key_taken(sets, &key, &set.id) {
            return Err(CoreError::KeyTaken { what: ROLE_SET });
        }
        set.key = key;
    }
    if let Some(d) = patch.description {
        set.description = d.as_deref().map(description).transpose()?;
    }
    if let Some(raw) = patch.kind {
        if raw != "initial" {
            return Err(CoreError::value("type", "may only be set to 'initial'"));
        }
        set.kind = RoleSetType::Initial;
    }
    set_special_roles(
        &mut set,
        catalog,
        patch.default_role_key,
        patch.creator_role_key,
    )?;
    set.updated_at = now;
    let mut out = vec![set];
    out.extend(demote_other_initial(sets, &out[0], now));
    Ok(out)
}

#[derive(Debug, Clone, Default)]
pub struct AddRoles {
    pub role_keys: Vec<String>,
    pub default_role_key: Option<String>,
    pub creator_role_key: Option<String>,
}

pub fn add_roles(
    sets: &[RoleSet],
    catalog: &RoleCatalog,
    key_or_id: &str,
    input: AddRoles,
    now: Millis,
) -> CoreResult<RoleSet> {
    let mut set = find(sets, key_or_id)?.clone();
    for key in role_keys(catalog, "role_keys", &input.role_keys)? {
        if set.contains(&key) {
            return Err(CoreError::value(
                "role_keys",
                format!("'{key}' is already in the role set"),
            ));
        }
        set.role_keys.push(key);
    }
    if set.role_keys.len() > MAX_ROLES {
        return Err(CoreError::value(
            "role_keys",
            format!("a role set holds at most {MAX_ROLES} roles"),
        ));
    }
    set_special_roles(
        &mut set,
        catalog,
        input.default_role_key,
        input.creator_role_key,
    )?;
    set.updated_at = now;
    Ok(set)
}

/// Removes `role_key` from the set; members holding it get `to_role_key` (the caller moves
/// them), and it takes over as default or creator role where the removed one was.
pub fn replace_role(
    sets: &[RoleSet],
    catalog: &RoleCatalog,
    key_or_id: &str,
    role_key: &str,
    to_role_key: &str,
    now: Millis,
) -> CoreResult<RoleSet> {
    let mut set = find(sets, key_or_id)?.clone();
    if !set.contains(role_key) {
        return Err(CoreError::value(
            "role_key",
            "is not a role of the role set",
        ));
    }
    if role_key == system::ADMIN {
        return Err(CoreError::value(
            "role_key",
            format!("'{}' stays in every role set", system::ADMIN),
        ));
    }
    if !set.contains(to_role_key) {
        return Err(CoreError::value(
            "to_role_key",
            "is not a role of the role set",
        ));
    }
    if role_key == to_role_key {
        return Err(CoreError::value("to_role_key", "must differ from role_key"));
    }
    set.role_keys.retain(|k| k != role_key);
    if set.default_role_key == role_key {
        set.default_role_key = to_role_key.to_owned();
    }
    if set.creator_role_key == role_key {
        set.creator_role_key = to_role_key.to_owned();
    }
    check_special_roles(&set, catalog)?;
    set.updated_at = now;
    Ok(set)
}

/// Replacing (deleting) a set: where its organizations go and how their members' roles map.
#[derive(Debug, Clone)]
pub struct Replacement {
    pub source: RoleSet,
    /// The destination, made initial when the source was.
    pub dest: RoleSet,
    /// Source role key to destination role key, for every role members hold that the
    /// destination lacks.
    pub mappings: Vec<(String, String)>,
}

/// `held` is every role key members of the source's organizations hold. Each one the
/// destination lacks needs a mapping to a role the destination has.
pub fn replace(
    sets: &[RoleSet],
    key_or_id: &str,
    dest_key: &str,
    mappings: &[(String, String)],
    held: &[String],
    now: Millis,
) -> CoreResult<Replacement> {
    let source = find(sets, key_or_id)?.clone();
    let mut dest = sets
        .iter()
        .find(|s| s.key == dest_key || s.id == dest_key)
        .cloned()
        .ok_or_else(|| {
            CoreError::value("dest_role_set_key", "is not a role set of this instance")
        })?;
    if dest.id == source.id {
        return Err(CoreError::value(
            "dest_role_set_key",
            "must differ from the role set replaced",
        ));
    }
    for (from, to) in mappings {
        if !dest.contains(to) {
            return Err(CoreError::value(
                "reassignment_mappings",
                format!("'{to}' (for '{from}') is not a role of the destination role set"),
            ));
        }
    }
    let mut needed = Vec::new();
    for role in held {
        if dest.contains(role) {
            continue;
        }
        match mappings.iter().find(|(from, _)| from == role) {
            Some(m) => needed.push(m.clone()),
            None => {
                return Err(CoreError::value(
                    "reassignment_mappings",
                    format!("members hold '{role}', which the destination role set lacks: map it"),
                ));
            }
        }
    }
    if source.is_initial() && !dest.is_initial() {
        dest.kind = RoleSetType::Initial;
        dest.updated_at = now;
    }
    Ok(Replacement {
        source,
        dest,
        mappings: needed,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SetOrder {
    #[default]
    CreatedDesc,
    CreatedAsc,
    NameAsc,
    NameDesc,
    KeyAsc,
    KeyDesc,
}

impl SetOrder {
    pub fn parse(raw: &str) -> CoreResult<Self> {
        let (desc, field) = order_by::split_sign(raw);
        Ok(match (field, desc) {
            ("created_at", true) => SetOrder::CreatedDesc,
            ("created_at", false) => SetOrder::CreatedAsc,
            ("name", false) => SetOrder::NameAsc,
            ("name", true) => SetOrder::NameDesc,
            ("key", false) => SetOrder::KeyAsc,
            ("key", true) => SetOrder::KeyDesc,
            _ => {
                return Err(CoreError::value(
                    "order_by",
                    "must be created_at, name or key, optionally prefixed with + or -",
                ));
            }
        })
    }
}

/// A page of sets: `query` matches an id exactly, a name or key partially (case-insensitive).
pub fn list(
    sets: &[RoleSet],
    query: Option<&str>,
    order: SetOrder,
    limit: i64,
    offset: i64,
) -> (Vec<RoleSet>, i64) {
    let q = query.map(str::to_lowercase).filter(|q| !q.is_empty());
    let mut hits: Vec<RoleSet> = sets
        .iter()
        .filter(|s| match &q {
            None => true,
            Some(q) => {
                s.id == q.as_str()
                    || s.name.to_lowercase().contains(q.as_str())
                    || s.key.contains(q.as_str())
            }
        })
        .cloned()
        .collect();
    hits.sort_by(|a, b| match order {
        SetOrder::CreatedDesc => (b.created_at, &b.id).cmp(&(a.created_at, &a.id)),
        SetOrder::CreatedAsc => (a.created_at, &a.id).cmp(&(b.created_at, &b.id)),
        SetOrder::NameAsc => a.name.cmp(&b.name),
        SetOrder::NameDesc => b.name.cmp(&a.name),
        SetOrder::KeyAsc => a.key.cmp(&b.key),
        SetOrder::KeyDesc => b.key.cmp(&a.key),
    });
    let total = hits.len() as i64;
    let page = hits
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    (page, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> RoleCatalog {
        RoleCatalog::system("ins_a", 0)
    }

    fn new(name: &str, kind: Option<&str>) -> NewRoleSet {
        NewRoleSet {
            name: name.into(),
            default_role_key: "org:member".into(),
            creator_role_key: "org:admin".into(),
            kind: kind.map(Into::into),
            roles: vec!["org:admin".into(), "org:member".into()],
            ..Default::default()
        }
    }

    #[test]
    fn keys_come_from_names_and_are_checked() {
        assert_eq!(key_from_name("Sales Team #2"), "role_set:sales_team_2");
        assert_eq!(key_from_name("!!"), "role_set:set");
        assert!(parse_key("key", "role_set:ok_1").is_ok());
        for bad in ["ok", "role_set:", "role_set:Upper", "role_set:a-b"] {
            assert!(matches!(
                parse_key("key", bad),
                Err(CoreError::ParamFormatInvalid { .. })
            ));
        }
    }

    #[test]
    fn one_set_is_initial_and_roles_must_belong() {
        let first = create(&[], &catalog(), new("First", Some("initial")), 1).unwrap();
        assert_eq!(first.len(), 1);
        let second = create(&first, &catalog(), new("Second", Some("initial")), 2).unwrap();
        assert_eq!(
            second.len(),
            2,
            "the former initial set is returned, now custom"
        );
        assert_eq!(second[1].kind, RoleSetType::Custom);
        assert!(matches!(
            create(&first, &catalog(), new("First", None), 3),
            Err(CoreError::KeyTaken { .. })
        ));
        let mut bad = new("Bad", None);
        bad.creator_role_key = "org:member".into();
        assert!(matches!(
            create(&[], &catalog(), bad, 1),
            Err(CoreError::ParamValueInvalid { ref param, .. }) if param == "creator_role_key"
        ));
        let mut only_member = new("Members", None);
        only_member.roles = vec!["org:member".into()];
        assert!(create(&[], &catalog(), only_member, 1).is_err());
        let set = &first[0];
        assert!(check_member_role(Some(set), "role", "org:member").is_ok());
        assert!(check_member_role(None, "role", "org:anything").is_ok());
    }

    #[test]
    fn replacing_needs_a_mapping_for_every_held_role_the_destination_lacks() {
        let mut sets = create(&[], &catalog(), new("Source", Some("initial")), 1).unwrap();
        let mut dest = new("Dest", None);
        dest.roles = vec!["org:admin".into()];
        dest.default_role_key = "org:admin".into();
        sets.extend(create(&sets, &catalog(), dest, 2).unwrap());
        let held = vec!["org:member".to_owned()];
        assert!(replace(&sets, "role_set:source", "role_set:dest", &[], &held, 3).is_err());
        let mapped = [("org:member".to_owned(), "org:admin".to_owned())];
        let r = replace(&sets, "role_set:source", "role_set:dest", &mapped, &held, 3).unwrap();
        assert!(
            r.dest.is_initial(),
            "the initial set's replacement becomes initial"
        );
        assert_eq!(r.mappings, mapped.to_vec());
    }
}
