//! Creating and changing an organization: names, slugs, the membership limit.

use super::model::Organization;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{OrganizationId, UserId};
use crate::users::metadata::{METADATA_MAX_BYTES, deep_merge};
use crate::users::model::Metadata;

/// Clerk's limits: a name of at most 256 characters; a slug of lower-case letters, digits and
/// dashes.
pub const NAME_MAX_CHARS: usize = 256;
pub const SLUG_MAX_CHARS: usize = 256;

/// A request to create an organization, already parsed from its wire form.
#[derive(Debug, Default, Clone)]
pub struct NewOrganization {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub created_by: Option<String>,
    pub max_allowed_memberships: Option<i64>,
    pub public_metadata: Option<Metadata>,
    pub private_metadata: Option<Metadata>,
    pub created_at: Option<Millis>,
    /// Checked against the instance's role sets by the caller (`roles::sets`).
    pub role_set_key: Option<String>,
}

/// A request to change an organization; `None` leaves a field alone.
#[derive(Debug, Default, Clone)]
pub struct OrganizationPatch {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub max_allowed_memberships: Option<i64>,
    pub admin_delete_enabled: Option<bool>,
    pub created_at: Option<Millis>,
    /// Clients of API versions before 2026-05-12 send metadata here; it replaces (as Clerk did).
    pub public_metadata: Option<Metadata>,
    pub private_metadata: Option<Metadata>,
    /// Checked against the instance's role sets and applied by the caller (`roles::sets`).
    pub role_set_key: Option<String>,
}

pub fn validate_name(name: &str) -> CoreResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(CoreError::missing("name"));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(CoreError::format(
            "name",
            format!("must be at most {NAME_MAX_CHARS} characters"),
        ));
    }
    if name.contains('<') || name.contains('>') || name.contains("://") {
        return Err(CoreError::format("name", "may not contain URLs or HTML"));
    }
    if name.chars().any(char::is_control) {
        return Err(CoreError::format(
            "name",
            "may not contain control characters",
        ));
    }
    Ok(name.to_owned())
}

/// Slugs compare lower-cased; only `a-z`, `0-9` and `-` are allowed.
pub fn validate_slug(slug: &str) -> CoreResult<String> {
    let slug = slug.trim().to_lowercase();
    if slug.is_empty() {
        return Err(CoreError::missing("slug"));
    }
    if slug.chars().count() > SLUG_MAX_CHARS {
        return Err(CoreError::format(
            "slug",
            format!("must be at most {SLUG_MAX_CHARS} characters"),
        ));
    }
    if !slug
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(CoreError::format(
            "slug",
            "can contain only lowercase alphanumeric characters and the dash \"-\"",
        ));
    }
    Ok(slug)
}

/// A slug made from a name: letters and digits kept (lower-cased), runs of anything else one dash.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out.truncate(SLUG_MAX_CHARS - 7);
    if out.is_empty() {
        out.push_str("org");
    }
    out
}

/// A generated slug with a random suffix, for when the plain one is taken.
pub fn suffixed(slug: &str) -> String {
    let suffix: String = crate::ids::random_alphanumeric(6).to_lowercase();
    format!("{slug}-{suffix}")
}

fn validate_max(max: i64) -> CoreResult<i64> {
    if max < 0 {
        return Err(CoreError::value(
            "max_allowed_memberships",
            "must be 0 (no limit) or more",
        ));
    }
    Ok(max)
}

pub fn check_metadata_size(public: &Metadata, private: &Metadata) -> CoreResult<()> {
    let size = |m: &Metadata| serde_json::to_vec(m).map(|v| v.len()).unwrap_or(usize::MAX);
    if size(public).saturating_add(size(private)) > METADATA_MAX_BYTES {
        return Err(CoreError::value(
            "public_metadata",
            "metadata may not exceed 8 KB in total",
        ));
    }
    Ok(())
}

/// What a valid creation request makes; `generated_slug` says the slug came from the name (so a
/// taken one may be retried with a suffix).
#[derive(Debug, Clone)]
pub struct ValidatedOrganization {
    pub organization: Organization,
    pub generated_slug: bool,
}

pub fn validate_new(input: NewOrganization, now: Millis) -> CoreResult<ValidatedOrganization> {
    let name = validate_name(input.name.as_deref().unwrap_or_default())?;
    let (slug, generated_slug) = match input.slug.as_deref() {
        Some(s) => (validate_slug(s)?, false),
        None => (slugify(&name), true),
    };
    let max = validate_max(input.max_allowed_memberships.unwrap_or(0))?;
    let public_metadata = input.public_metadata.unwrap_or_default();
    let private_metadata = input.private_metadata.unwrap_or_default();
    check_metadata_size(&public_metadata, &private_metadata)?;
    let created_at = input.created_at.unwrap_or(now);
    Ok(ValidatedOrganization {
        organization: Organization {
            id: OrganizationId::new(),
            name,
            slug,
            image_url: None,
            image_id: None,
            max_allowed_memberships: max,
            admin_delete_enabled: true,
            public_metadata,
            private_metadata,
            created_by: named_user(input.created_by)?,
            role_set_key: input.role_set_key.filter(|k| !k.is_empty()),
            created_at,
            updated_at: now,
            members_count: 0,
            admins_count: 0,
            pending_invitations_count: 0,
            version: 0,
        },
        generated_slug,
    })
}

impl OrganizationPatch {
    /// Checks every field before anything changes, then applies them.
    pub fn apply(&self, org: &mut Organization, now: Millis) -> CoreResult<()> {
        let name = self.name.as_deref().map(validate_name).transpose()?;
        let slug = self.slug.as_deref().map(validate_slug).transpose()?;
        let max = self.max_allowed_memberships.map(validate_max).transpose()?;
        if let Some(name) = name {
            org.name = name;
        }
        if let Some(slug) = slug {
            org.slug = slug;
        }
        if let Some(max) = max {
            org.max_allowed_memberships = max;
        }
        if let Some(enabled) = self.admin_delete_enabled {
            org.admin_delete_enabled = enabled;
        }
        if let Some(at) = self.created_at {
            org.created_at = at;
        }
        if let Some(m) = &self.public_metadata {
            org.public_metadata = m.clone();
        }
        if let Some(m) = &self.private_metadata {
            org.private_metadata = m.clone();
        }
        check_metadata_size(&org.public_metadata, &org.private_metadata)?;
        org.updated_at = now;
        Ok(())
    }
}

/// Metadata given for an organization or a membership: merged (PATCH, `null` deletes) or
/// replaced (PUT), each field only if given.
#[derive(Debug, Default, Clone)]
pub struct MetadataChange {
    pub public: Option<Metadata>,
    pub private: Option<Metadata>,
}

impl MetadataChange {
    pub fn apply(
        &self,
        public: &mut Metadata,
        private: &mut Metadata,
        merge: bool,
    ) -> CoreResult<()> {
        for (target, given) in [(&mut *public, &self.public), (&mut *private, &self.private)] {
            match (given, merge) {
                (Some(patch), true) => deep_merge(target, patch),
                (Some(replacement), false) => *target = replacement.clone(),
                (None, _) => {}
            }
        }
        check_metadata_size(public, private)
    }
}

/// A user id given by a request (a creator, an inviter): one that is not an id of its kind names
/// no user. Empty is none.
pub(crate) fn named_user(id: Option<String>) -> CoreResult<Option<UserId>> {
    match id.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => UserId::parse(&s)
            .map(Some)
            .map_err(|_| CoreError::NotFound { resource: "user" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(validate_slug("Acme-Corp2").unwrap(), "acme-corp2");
        assert!(validate_slug("acme corp").is_err());
        assert!(validate_slug("acme_corp").is_err());
        assert!(validate_slug("ácme").is_err());
        assert!(validate_slug("").is_err());
        assert!(validate_slug(&"a".repeat(SLUG_MAX_CHARS + 1)).is_err());
        assert_eq!(slugify("  Acme, Inc. — Europe "), "acme-inc-europe");
        assert_eq!(slugify("!!!"), "org");
        assert!(validate_slug(&suffixed(&slugify("Acme"))).is_ok());
    }

    #[test]
    fn names() {
        assert_eq!(validate_name("  Acme  ").unwrap(), "Acme");
        assert!(validate_name(" ").is_err());
        assert!(validate_name("<b>x</b>").is_err());
        assert!(validate_name("see https://x.example").is_err());
        assert!(validate_name(&"n".repeat(NAME_MAX_CHARS + 1)).is_err());
        assert!(validate_name(&"n".repeat(NAME_MAX_CHARS)).is_ok());
    }

    #[test]
    fn creation_and_patch() {
        let v = validate_new(
            NewOrganization {
                name: Some("Acme Corp".into()),
                ..Default::default()
            },
            1000,
        )
        .unwrap();
        assert!(v.generated_slug);
        assert_eq!(v.organization.slug, "acme-corp");
        assert!(v.organization.id.starts_with("org_"));
        let mut org = v.organization;
        let bad = OrganizationPatch {
            name: Some("New".into()),
            max_allowed_memberships: Some(-1),
            ..Default::default()
        };
        assert!(bad.apply(&mut org, 2000).is_err());
        assert_eq!(
            org.name, "Acme Corp",
            "nothing changes when a field is invalid"
        );
        OrganizationPatch {
            slug: Some("acme".into()),
            max_allowed_memberships: Some(3),
            ..Default::default()
        }
        .apply(&mut org, 2000)
        .unwrap();
        assert_eq!(
            (org.slug.as_str(), org.max_allowed_memberships),
            ("acme", 3)
        );
        assert_eq!(org.updated_at, 2000);
    }
}
