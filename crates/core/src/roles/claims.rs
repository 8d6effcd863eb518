//! The active organization in a v2 session token: the `o` claim and the organization features
//! of `fea`, in Clerk's compact form.
//!
//! A permission `org:<feature>:<action>` is split in two. `fea` lists the features (`o:<feature>`,
//! comma-separated), `o.per` the distinct actions, and `o.fpm` one decimal bitmask per feature, in
//! `fea`'s order, whose bit *i* (least significant first) grants `per[i]`: `fea "o:members"`,
//! `per "manage,read"`, `fpm "3"` is `org:members:manage` and `org:members:read`. `o.rol` is the
//! role key without `org:`. System permissions are left out, as Clerk leaves them out.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::keys::PermissionKey;

/// The organization a session token is minted for, and what the member may do in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveOrganization {
    pub id: String,
    pub slug: String,
    /// The membership's role key, `org:<name>`.
    pub role_key: String,
    /// The role's permission keys; system and malformed ones are not encoded.
    pub permissions: Vec<String>,
}

/// The `o` claim. Field order is the order on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrganizationClaim {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub fpm: String,
    pub id: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub per: String,
    pub rol: String,
    pub slg: String,
}

/// What an active organization adds to the claims: `o`, and `fea` when it has features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedOrganization {
    pub o: OrganizationClaim,
    pub fea: Option<String>,
}

pub fn encode_claims(org: &ActiveOrganization) -> EncodedOrganization {
    encode_claims_with(org, &[])
}

/// `encode_claims`, with the features of the organization's plan among `fea`'s `o:` entries: a
/// plan feature no permission names gets the empty mask, so `fpm` stays aligned with `fea`.
pub fn encode_claims_with(
    org: &ActiveOrganization,
    plan_features: &[String],
) -> EncodedOrganization {
    // feature → its actions; sorted so one role always yields one encoding.
    let mut features: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in plan_features {
        features.entry(f.clone()).or_default();
    }
    for raw in &org.permissions {
        let Ok(key) = PermissionKey::parse("permission", raw) else {
            continue;
        };
        if key.is_system() {
            continue;
        }
        features
            .entry(key.feature().to_owned())
            .or_default()
            .insert(key.action().to_owned());
    }
    let actions: Vec<&str> = features
        .values()
        .flatten()
        .map(String::as_str)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let masks: Vec<String> = features
        .values()
        .map(|granted| {
            let bits: Vec<bool> = actions.iter().map(|a| granted.contains(*a)).collect();
            bits_to_decimal(&bits)
        })
        .collect();
    let fea = (!features.is_empty()).then(|| {
        features
            .keys()
            .map(|f| format!("o:{f}"))
            .collect::<Vec<_>>()
            .join(",")
    });
    let rol = org
        .role_key
        .strip_prefix("org:")
        .unwrap_or(&org.role_key)
        .to_owned();
    EncodedOrganization {
        o: OrganizationClaim {
            // Masks index `per`: with no action at all there is nothing to index.
            fpm: if actions.is_empty() {
                String::new()
            } else {
                masks.join(",")
            },
            id: org.id.clone(),
            per: actions.join(","),
            rol,
            slg: org.slug.clone(),
        },
        fea,
    }
}

/// The decimal text of the number whose bit *i* is `bits[i]`, of any width: a role may grant
/// more distinct actions than a machine word has bits.
pub fn bits_to_decimal(bits: &[bool]) -> String {
    // Little-endian limbs of nine decimal digits each.
    const LIMB: u64 = 1_000_000_000;
    let mut limbs: Vec<u64> = vec![0];
    for &bit in bits.iter().rev() {
        let mut carry = u64::from(bit);
        for limb in &mut limbs {
            let v = *limb * 2 + carry;
            *limb = v % LIMB;
            carry = v / LIMB;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    let mut out = String::new();
    let mut iter = limbs.iter().rev();
    if let Some(top) = iter.next() {
        out.push_str(&top.to_string());
    }
    for limb in iter {
        out.push_str(&format!("{limb:09}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(role: &str, permissions: &[&str]) -> ActiveOrganization {
        ActiveOrganization {
            id: "org_1".into(),
            slug: "acme".into(),
            role_key: role.into(),
            permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    #[test]
    fn one_feature() {
        let e = encode_claims(&org(
            "org:admin",
            &["org:members:read", "org:members:manage"],
        ));
        assert_eq!(e.fea.as_deref(), Some("o:members"));
        assert_eq!(e.o.per, "manage,read");
        assert_eq!(e.o.fpm, "3");
        assert_eq!(e.o.rol, "admin");
        assert_eq!(e.o.slg, "acme");
        assert_eq!(
            serde_json::to_string(&e.o).unwrap(),
            r#"{"fpm":"3","id":"org_1","per":"manage,read","rol":"admin","slg":"acme"}"#
        );
    }

    #[test]
    fn features_share_the_action_list() {
        let e = encode_claims(&org(
            "org:billing",
            &[
                "org:members:read",
                "org:invoices:create",
                "org:invoices:read",
                "org:reports:export",
            ],
        ));
        assert_eq!(e.fea.as_deref(), Some("o:invoices,o:members,o:reports"));
        assert_eq!(e.o.per, "create,export,read");
        // invoices: create(1) + read(4); members: read(4); reports: export(2).
        assert_eq!(e.o.fpm, "5,4,2");
    }

    #[test]
    fn system_duplicate_and_malformed_permissions_are_left_out() {
        let e = encode_claims(&org(
            "org:admin",
            &[
                "org:sys_memberships:manage",
                "org:sys_profile:delete",
                "org:members:read",
                "org:members:read",
                "not-a-key",
            ],
        ));
        assert_eq!(e.fea.as_deref(), Some("o:members"));
        assert_eq!((e.o.per.as_str(), e.o.fpm.as_str()), ("read", "1"));
    }

    #[test]
    fn no_permissions_leaves_out_per_fpm_and_fea() {
        let e = encode_claims(&org("org:member", &["org:sys_memberships:read"]));
        assert_eq!(e.fea, None);
        assert_eq!(
            serde_json::to_string(&e.o).unwrap(),
            r#"{"id":"org_1","rol":"member","slg":"acme"}"#
        );
    }

    #[test]
    fn plan_features_join_the_permission_features_in_order() {
        let plan = vec!["sso".to_owned(), "members".to_owned()];
        let e = encode_claims_with(&org("org:admin", &["org:members:read"]), &plan);
        assert_eq!(e.fea.as_deref(), Some("o:members,o:sso"));
        assert_eq!((e.o.per.as_str(), e.o.fpm.as_str()), ("read", "1,0"));
        let e = encode_claims_with(&org("org:member", &[]), &plan);
        assert_eq!(e.fea.as_deref(), Some("o:members,o:sso"));
        assert_eq!((e.o.per.as_str(), e.o.fpm.as_str()), ("", ""));
    }

    #[test]
    fn masks_wider_than_a_machine_word_are_exact() {
        assert_eq!(bits_to_decimal(&[]), "0");
        assert_eq!(bits_to_decimal(&[false, true]), "2");
        for width in [1usize, 53, 54, 64, 100, 127] {
            let bits: Vec<bool> = (0..width).map(|i| i % 3 != 1 || i + 1 == width).collect();
            let expected: u128 = bits
                .iter()
                .enumerate()
                .filter(|(_, b)| **b)
                .map(|(i, _)| 1u128 << i)
                .sum();
            assert_eq!(
                bits_to_decimal(&bits),
                expected.to_string(),
                "width {width}"
            );
        }
        // 2^200, beyond u128.
        let mut bits = vec![false; 201];
        bits[200] = true;
        assert_eq!(
            bits_to_decimal(&bits),
            "1606938044258990275541962092341162602522202993782792835301376"
        );
    }
}
