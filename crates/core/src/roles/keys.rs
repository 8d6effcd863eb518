//! Role and permission keys: `org:<name>` and `org:<feature>:<action>`, each segment lowercase
//! letters, digits and underscores, as Clerk's Backend API documents them.

use crate::error::{CoreError, CoreResult};

const ORG_PREFIX: &str = "org:";
/// Permissions whose feature starts with this are Clerk's own and cannot be created.
pub const SYSTEM_FEATURE_PREFIX: &str = "sys_";
/// A bound on each segment, so keys stay small enough to travel in every session token.
pub const MAX_SEGMENT_LEN: usize = 64;

fn valid_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_SEGMENT_LEN
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// A well-formed role key, `org:<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleKey(String);

impl RoleKey {
    pub fn parse(param: &str, raw: &str) -> CoreResult<Self> {
        match raw.strip_prefix(ORG_PREFIX) {
            Some(name) if valid_segment(name) => Ok(RoleKey(raw.to_owned())),
            _ => Err(CoreError::format(
                param,
                "must start with 'org:' followed by lowercase letters, digits and underscores",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name after `org:`: what a session token's `o.rol` carries.
    pub fn name(&self) -> &str {
        &self.0[ORG_PREFIX.len()..]
    }
}

/// A well-formed permission key, `org:<feature>:<action>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionKey {
    key: String,
    colon: usize,
}

impl PermissionKey {
    /// Any well-formed key, system ones included (for reading and assigning).
    pub fn parse(param: &str, raw: &str) -> CoreResult<Self> {
        let invalid = || {
            CoreError::format(
                param,
                "must have the format 'org:<feature>:<action>' with lowercase letters, digits and underscores",
            )
        };
        let rest = raw.strip_prefix(ORG_PREFIX).ok_or_else(invalid)?;
        let (feature, action) = rest.split_once(':').ok_or_else(invalid)?;
        if !valid_segment(feature) || !valid_segment(action) {
            return Err(invalid());
        }
        Ok(PermissionKey {
            key: raw.to_owned(),
            colon: ORG_PREFIX.len() + feature.len(),
        })
    }

    /// A key an instance may create: well-formed and outside the reserved `org:sys_` space.
    pub fn parse_custom(param: &str, raw: &str) -> CoreResult<Self> {
        let key = Self::parse(param, raw)?;
        if key.is_system() {
            return Err(CoreError::value(
                param,
                "the 'org:sys_' prefix is reserved for system permissions",
            ));
        }
        Ok(key)
    }

    pub fn as_str(&self) -> &str {
        &self.key
    }

    pub fn feature(&self) -> &str {
        &self.key[ORG_PREFIX.len()..self.colon]
    }

    pub fn action(&self) -> &str {
        &self.key[self.colon + 1..]
    }

    pub fn is_system(&self) -> bool {
        self.feature().starts_with(SYSTEM_FEATURE_PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_keys() {
        let k = RoleKey::parse("key", "org:billing_2").unwrap();
        assert_eq!(k.name(), "billing_2");
        for bad in [
            "billing",
            "org:",
            "org:Billing",
            "org:bill-ing",
            "org:a:b",
            "ORG:x",
            "org: x",
            "org:é",
        ] {
            let err = RoleKey::parse("key", bad).unwrap_err();
            assert!(
                matches!(err, CoreError::ParamFormatInvalid { ref param, .. } if param == "key"),
                "{bad}: {err:?}"
            );
        }
        assert!(RoleKey::parse("key", &format!("org:{}", "a".repeat(MAX_SEGMENT_LEN))).is_ok());
        assert!(
            RoleKey::parse("key", &format!("org:{}", "a".repeat(MAX_SEGMENT_LEN + 1))).is_err()
        );
    }

    #[test]
    fn permission_keys() {
        let k = PermissionKey::parse("key", "org:invoices:read_all").unwrap();
        assert_eq!((k.feature(), k.action()), ("invoices", "read_all"));
        assert!(!k.is_system());
        let sys = PermissionKey::parse("key", "org:sys_memberships:manage").unwrap();
        assert!(sys.is_system());
        assert!(matches!(
            PermissionKey::parse_custom("key", "org:sys_memberships:manage"),
            Err(CoreError::ParamValueInvalid { .. })
        ));
        for bad in [
            "org:invoices",
            "org:invoices:",
            "org::read",
            "org:a:b:c",
            "invoices:read",
            "org:Invoices:read",
            "org:in voices:read",
        ] {
            assert!(
                matches!(
                    PermissionKey::parse("key", bad),
                    Err(CoreError::ParamFormatInvalid { .. })
                ),
                "{bad}"
            );
        }
    }
}
