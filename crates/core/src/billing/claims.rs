//! What a session token says of plans: `pla` (the user's plan `u:<slug>` and the active
//! organization's `o:<slug>`) and the `u:` entries of `fea` (the user's plan's features; the
//! organization's go among the `o:` entries, which `o.fpm` indexes: see `roles::claims`).
//! `@clerk/backend`'s `has({ plan })` and `has({ feature })` read them.

/// A payer's plan as a token carries it: the plan's slug and its features' slugs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entitlement {
    pub plan: String,
    pub features: Vec<String>,
}

impl Entitlement {
    /// From the store's compact form: the plan slug and the comma-separated feature slugs.
    pub fn from_stored(plan: String, features: &str) -> Self {
        Self {
            plan,
            features: features
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// The plans a token is minted with: the user's, and the active organization's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entitlements {
    pub user: Option<Entitlement>,
    pub organization: Option<Entitlement>,
}

impl Entitlements {
    /// `pla`: `u:<slug>`, then `o:<slug>`; none without a plan.
    pub fn pla(&self) -> Option<String> {
        let parts: Vec<String> = [("u", &self.user), ("o", &self.organization)]
            .into_iter()
            .filter_map(|(scope, e)| e.as_ref().map(|e| format!("{scope}:{}", e.plan)))
            .collect();
        (!parts.is_empty()).then(|| parts.join(","))
    }

    /// The user's features, `u:<slug>` each.
    pub fn user_features(&self) -> Vec<String> {
        self.user
            .iter()
            .flat_map(|e| e.features.iter().map(|f| format!("u:{f}")))
            .collect()
    }

    /// The organization plan's feature slugs (unscoped: `roles::claims` scopes them).
    pub fn organization_features(&self) -> &[String] {
        self.organization
            .as_ref()
            .map_or(&[][..], |e| e.features.as_slice())
    }

    /// Without the organization's plan (a token with no active organization).
    pub fn user_only(&self) -> Self {
        Self {
            user: self.user.clone(),
            organization: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pla_and_user_features() {
        let e = Entitlements {
            user: Some(Entitlement::from_stored("pro".into(), "export,api")),
            organization: Some(Entitlement::from_stored("team".into(), "")),
        };
        assert_eq!(e.pla().as_deref(), Some("u:pro,o:team"));
        assert_eq!(e.user_features(), ["u:export", "u:api"]);
        assert!(e.organization_features().is_empty());
        assert_eq!(e.user_only().pla().as_deref(), Some("u:pro"));
        assert_eq!(Entitlements::default().pla(), None);
    }
}
