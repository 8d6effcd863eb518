//! The instance's configuration as one JSON document, for review and for drift checks: every
//! stored setting (defaults filled in; a node's flags are its own and left out), the branding
//! (`null`: the default) and the session token's custom claims. No secret is part of it.
//! `usher config export|diff|apply` read and write it; applying is one transaction (the
//! settings, branding and claims that differ, with their events and one audit entry).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use usher_core::branding::{self, Branding, BrandingPatch};
use usher_core::events::DomainEvent;
use usher_core::instance_settings::{self, SettingsPatch};
use usher_core::jwt_templates::session_claims as claim_rules;
use usher_core::store::Write;
use usher_core::{CoreError, CoreResult};

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::state::AppState;

/// What `object` says in an export.
pub const OBJECT: &str = "usher_instance_config";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigDocument {
    pub object: String,
    /// Every setting by key (`usher config list` names them).
    pub settings: BTreeMap<String, Value>,
    pub branding: BrandingDocument,
    /// The session token's custom claims (`{}`: none).
    pub session_claims: Map<String, Value>,
}

/// The branding as stored: `null` follows Usher's default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandingDocument {
    pub application_name: Option<String>,
    pub logo_image_url: Option<String>,
    pub primary_color: Option<String>,
}

impl From<&Branding> for BrandingDocument {
    fn from(b: &Branding) -> Self {
        Self {
            application_name: b.application_name.clone(),
            logo_image_url: b.logo_image_url.clone(),
            primary_color: b.primary_color.clone(),
        }
    }
}

/// One difference between a document and the live configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// `settings.<key>`, `branding.<field>` or `session_claims`.
    pub path: String,
    /// The document's value.
    pub wanted: Value,
    pub live: Value,
}

impl ConfigDocument {
    /// Reads an export, refusing anything that is not one.
    pub fn parse(text: &str) -> CoreResult<Self> {
        let doc: ConfigDocument = serde_json::from_str(text)
            .map_err(|e| CoreError::format("document", format!("is not an Usher export: {e}")))?;
        if doc.object != OBJECT {
            return Err(CoreError::value("object", format!("must be {OBJECT}")));
        }
        let known = instance_settings::keys();
        if let Some(k) = doc.settings.keys().find(|k| !known.contains(k)) {
            return Err(CoreError::value(
                format!("settings.{k}"),
                "is not an instance setting",
            ));
        }
        Ok(doc)
    }
}

/// The live configuration as a document.
pub async fn export(state: &AppState) -> CoreResult<ConfigDocument> {
    let ins = &state.instance.id;
    let stored = state.store.instance_settings(ins).await?;
    let resolved = instance_settings::resolve(&stored, &BTreeMap::new());
    let settings = resolved
        .entries()
        .into_iter()
        .map(|(k, v, _)| (k, v))
        .collect();
    Ok(ConfigDocument {
        object: OBJECT.to_string(),
        settings,
        branding: BrandingDocument::from(&state.store.branding(ins).await?),
        session_claims: state.store.session_claims(ins).await?.claims,
    })
}

/// What differs between `wanted` and `live`, in document order. A setting the document leaves
/// out is not compared.
pub fn differences(wanted: &ConfigDocument, live: &ConfigDocument) -> Vec<Difference> {
    let mut out = Vec::new();
    for (k, v) in &wanted.settings {
        let now = live.settings.get(k).cloned().unwrap_or(Value::Null);
        if *v != now {
            out.push(Difference {
                path: format!("settings.{k}"),
                wanted: v.clone(),
                live: now,
            });
        }
    }
    let (w, l) = (&wanted.branding, &live.branding);
    for (field, a, b) in [
        ("application_name", &w.application_name, &l.application_name),
        ("logo_image_url", &w.logo_image_url, &l.logo_image_url),
        ("primary_color", &w.primary_color, &l.primary_color),
    ] {
        if a != b {
            out.push(Difference {
                path: format!("branding.{field}"),
                wanted: a.clone().map_or(Value::Null, Value::from),
                live: b.clone().map_or(Value::Null, Value::from),
            });
        }
    }
    if wanted.session_claims != live.session_claims {
        out.push(Difference {
            path: "session_claims".into(),
            wanted: Value::Object(wanted.session_claims.clone()),
            live: Value::Object(live.session_claims.clone()),
        });
    }
    out
}

/// Makes the live configuration what `wanted` says, validated as the single changes are, in one
/// transaction. Returns the differences found; with `dry_run` nothing is written.
pub async fn apply(
    state: &AppState,
    ctx: &RequestContext,
    wanted: &ConfigDocument,
    dry_run: bool,
) -> CoreResult<Vec<Difference>> {
    // Checked before anything is read, so a bad document fails the dry run too.
    let (claims, _) = claim_rules::validate(&Value::Object(wanted.session_claims.clone()))?;
    let outcome = with_retry(|| async {
        let live = export(state).await?;
        let diffs = differences(wanted, &live);
        let ins = &state.instance.id;
        let now = state.now();
        let mut settings = state.store.instance_settings(ins).await?;
        let patch: SettingsPatch = diffs
            .iter()
            .filter_map(|d| d.path.strip_prefix("settings."))
            .filter_map(|k| Some((k.to_string(), Some(wanted.settings.get(k)?.clone()))))
            .collect();
        let settings_changed = instance_settings::apply(&mut settings, &patch, now)?;
        let mut b = state.store.branding(ins).await?;
        let w = &wanted.branding;
        let branding_patch = BrandingPatch {
            application_name: Some(w.application_name.clone()),
            logo_image_url: Some(w.logo_image_url.clone()),
            primary_color: Some(w.primary_color.clone()),
        };
        let branding_changed = branding::apply(&mut b, &branding_patch, now)?;
        let mut t = state.store.session_claims(ins).await?;
        let claims_changed = t.claims != claims;
        if dry_run || diffs.is_empty() {
            return Ok((diffs, None));
        }
        let mut change = Change::new(state, ctx);
        if settings_changed {
            change
                .write(Write::PutInstanceSettings(settings.clone()))
                .event(DomainEvent::InstanceSettingsUpdated(settings.clone()));
        }
        if branding_changed {
            change
                .write(Write::PutBranding(b.clone()))
                .event(DomainEvent::InstanceBrandingUpdated(b.clone()));
        }
        if claims_changed {
            t.claims = claims.clone();
            t.updated_at = Some(now);
            change.write(Write::PutSessionClaims(t.clone()));
        }
        let paths: Vec<&str> = diffs.iter().map(|d| d.path.as_str()).collect();
        change
            .commit("instance.config.apply", Some(&paths.join(",")))
            .await?;
        let bump = |v: &mut i64, changed: bool| {
            if changed {
                *v += 1;
            }
        };
        bump(&mut settings.version, settings_changed);
        bump(&mut b.version, branding_changed);
        bump(&mut t.version, claims_changed);
        Ok((diffs, Some((settings, b, t))))
    })
    .await?;
    let (diffs, held) = outcome;
    if let Some((settings, b, t)) = held {
        state.replace_settings(&settings);
        state.replace_branding(b);
        state.replace_session_claims(t);
    }
    Ok(diffs)
}
