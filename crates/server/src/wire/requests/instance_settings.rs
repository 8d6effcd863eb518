//! `PATCH /v1/instance`, `/v1/instance/restrictions`, `/v1/instance/organization_settings` and
//! Usher's `/v1/instance/settings`: each turned into a patch of the stored settings. A Clerk
//! field Usher has no setting for is accepted and ignored when it changes nothing Usher does
//! (cosmetic or development-only), and refused when asking for it would leave the caller
//! believing in a behaviour Usher does not have (an allowlist, fixed creator roles, …).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;
use usher_core::CoreError;
use usher_core::CoreResult;
use usher_core::instance_settings::SettingsPatch;

use super::fields;

fn set(patch: &mut SettingsPatch, key: &str, v: Option<impl Into<Value>>) {
    if let Some(v) = v {
        patch.insert(key.to_string(), Some(v.into()));
    }
}

/// `PATCH /v1/instance` (Clerk answers 204).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceRequest {
    /// Whether new passwords are checked against breached ones: Usher's bundled list.
    #[serde(default, deserialize_with = "fields::boolean::deserialize")]
    hibp: Option<bool>,
    /// The Frontend API's allowed origins, stored (exact origins, no wildcard); a node started
    /// with `--allowed-origins` keeps its flag's list.
    #[serde(default)]
    allowed_origins: Option<Vec<String>>,
    // Accepted and ignored: test addresses, the clerk-js version, the support address, the
    // development origin and dev-browser syncing change nothing Usher does.
    #[serde(default, deserialize_with = "fields::boolean::deserialize")]
    test_mode: Option<bool>,
    #[serde(default, deserialize_with = "fields::string::deserialize")]
    support_email: Option<String>,
    #[serde(default, deserialize_with = "fields::string::deserialize")]
    clerk_js_version: Option<String>,
    #[serde(default, deserialize_with = "fields::string::deserialize")]
    development_origin: Option<String>,
    #[serde(default, deserialize_with = "fields::boolean::deserialize")]
    cookieless_dev: Option<bool>,
    #[serde(default, deserialize_with = "fields::boolean::deserialize")]
    url_based_session_syncing: Option<bool>,
    #[serde(default, deserialize_with = "fields::string::deserialize")]
    preferred_sign_in_strategy_when_password_required: Option<String>,
}

impl InstanceRequest {
    /// The patch (the origins checked when it is applied).
    pub fn into_patch(self) -> CoreResult<SettingsPatch> {
        if let Some(s) = &self.preferred_sign_in_strategy_when_password_required
            && !matches!(s.as_str(), "password" | "otp" | "")
        {
            return Err(CoreError::value(
                "preferred_sign_in_strategy_when_password_required",
                "must be password, otp or empty",
            ));
        }
        let _ignored = (
            self.test_mode,
            self.support_email,
            self.clerk_js_version,
            self.development_origin,
            self.cookieless_dev,
            self.url_based_session_syncing,
        );
        let mut patch = SettingsPatch::new();
        set(&mut patch, "reject_breached_passwords", self.hibp);
        set(
            &mut patch,
            usher_core::instance_settings::ALLOWED_ORIGINS,
            self.allowed_origins,
        );
        Ok(patch)
    }
}

/// `PATCH /v1/instance/restrictions`: the allowlist, the blocklist and the two email
/// restrictions are stored settings. Usher checks them at sign-up and when an identifier is
/// added, never at sign-in: `allowlist_blocklist_disabled_on_sign_in` is accepted whatever its
/// value and changes nothing.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestrictionsRequest {
    #[serde(default, deserialize_with = "fields::boolean::deserialize")]
    allowlist: Option<bool>,
    #[serde(default, deserialize_with = "fields::boolean::deserialize")]
    blocklist: Option<bool>,
    #[serde(default, deserialize_with = "fields::boolean::deserialize")]
    allowlist_blocklist_disabled_on_sign_in: Option<bool>,
    #[serde(default, deserialize_with = "fields::boolean::deserialize")]
    block_email_subaddresses: Option<bool>,
    #[serde(default, deserialize_with = "fields::boolean::deserialize")]
    block_disposable_email_domains: Option<bool>,
}

impl RestrictionsRequest {
    pub fn into_patch(self) -> SettingsPatch {
        let _on_sign_in = self.allowlist_blocklist_disabled_on_sign_in;
        let mut patch = SettingsPatch::new();
        set(&mut patch, "allowlist_enabled", self.allowlist);
        set(&mut patch, "blocklist_enabled", self.blocklist);
        set(
            &mut patch,
            "block_email_subaddresses",
            self.block_email_subaddresses,
        );
        set(
            &mut patch,
            "block_disposable_email_domains",
            self.block_disposable_email_domains,
        );
        patch
    }
}

/// The domain enrollment modes Usher's organization domains offer (all three, always).
pub const ENROLLMENT_MODES: [&str; 3] = [
    "manual_invitation",
    "automatic_invitation",
    "automatic_suggestion",
];

/// `PATCH /v1/instance/organization_settings`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationSettingsRequest {
    #[serde(default, deserialize_with = "fields::boolean::deserialize")]
    enabled: Option<bool>,
    #[serde(default, deserialize_with = "fields::int::deserialize")]
    max_allowed_memberships: Option<i64>,
    #[serde(default, deserialize_with = "fields::boolean::deserialize")]
    admin_delete_enabled: Option<bool>,
    #[serde(default, deserialize_with = "fields::boolean::deserialize")]
    domains_enabled: Option<bool>,
    /// Organizations always have slugs in Usher: only `false` is accepted.
    #[serde(default, deserialize_with = "fields::boolean::deserialize")]
    slug_disabled: Option<bool>,
    /// Usher offers every mode; a known mode is accepted, the list itself is not kept.
    #[serde(default)]
    domains_enrollment_modes: Option<Vec<String>>,
    /// The creator is always `org:admin` and domain enrollees `org:member`: refused.
    #[serde(default, deserialize_with = "fields::string::deserialize")]
    creator_role_id: Option<String>,
    #[serde(default, deserialize_with = "fields::string::deserialize")]
    domains_default_role_id: Option<String>,
}

impl OrganizationSettingsRequest {
    pub fn into_patch(self) -> CoreResult<SettingsPatch> {
        if self.slug_disabled == Some(true) {
            return Err(CoreError::value(
                "slug_disabled",
                "is not available: organizations always have a slug",
            ));
        }
        for mode in self.domains_enrollment_modes.iter().flatten() {
            if !ENROLLMENT_MODES.contains(&mode.as_str()) {
                return Err(CoreError::value(
                    "domains_enrollment_modes",
                    "must hold manual_invitation, automatic_invitation or automatic_suggestion",
                ));
            }
        }
        for (param, given) in [
            ("creator_role_id", &self.creator_role_id),
            ("domains_default_role_id", &self.domains_default_role_id),
        ] {
            if given.is_some() {
                return Err(CoreError::value(
                    param,
                    "is not available: creators are org:admin and domain enrollees org:member",
                ));
            }
        }
        let mut patch = SettingsPatch::new();
        set(&mut patch, "organizations_enabled", self.enabled);
        set(
            &mut patch,
            "organization_max_allowed_memberships",
            self.max_allowed_memberships,
        );
        set(
            &mut patch,
            "organization_admin_delete",
            self.admin_delete_enabled,
        );
        set(
            &mut patch,
            "organization_domains_enabled",
            self.domains_enabled,
        );
        Ok(patch)
    }
}

/// `PATCH /v1/instance/settings` (Usher's): settings by key; `null` puts a key's default back.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct SettingsRequest(BTreeMap<String, Value>);

impl From<SettingsRequest> for SettingsPatch {
    fn from(r: SettingsRequest) -> Self {
        r.0.into_iter()
            .map(|(k, v)| (k, Some(v).filter(|v| !v.is_null())))
            .collect()
    }
}
