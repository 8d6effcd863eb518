//! Social and enterprise sign-in providers: added, listed and removed by `usher oauth` (each
//! write with its audit entry, in one transaction). The client secret is sealed with the
//! instance's API-key sealing key (AES-256-GCM) under the associated data
//! `oauth-client-secret:<provider id>`, so it opens for that provider only.

use usher_core::api_keys::SealedSecret;
use usher_core::ids::new_id;
use usher_core::oauth::provider::{self, ID_PREFIX, check_endpoint_url, normalize_scopes};
use usher_core::oauth::{OAuthProvider, Preset};
use usher_core::store::Write;
use usher_core::{CoreError, CoreResult};

use crate::app::Change;
use crate::app::context::RequestContext;
use crate::app::found;
use crate::state::AppState;

/// What `usher oauth add` takes.
#[derive(Debug, Clone)]
pub struct NewProvider {
    pub preset: Preset,
    /// A custom provider's key (`acme` → `oauth_custom_acme`).
    pub key: Option<String>,
    /// The button's label; the preset's name by default.
    pub name: Option<String>,
    /// A custom provider's `…/.well-known/openid-configuration` (or its issuer URL).
    pub discovery_url: Option<String>,
    pub client_id: String,
    pub client_secret: String,
    pub scopes: Option<String>,
}

fn seal_context(id: &str) -> String {
    format!("oauth-client-secret:{id}")
}

/// The provider's client secret, opened.
pub async fn client_secret(state: &AppState, p: &OAuthProvider) -> CoreResult<String> {
    state.api_key_keys().await?.open(
        &seal_context(&p.id),
        &SealedSecret(p.client_secret_sealed.clone()),
    )
}

fn default_name(preset: Preset, key: Option<&str>) -> String {
    match preset {
        Preset::Google => "Google".into(),
        Preset::Github => "GitHub".into(),
        Preset::Microsoft => "Microsoft".into(),
        Preset::Apple => "Apple".into(),
        Preset::Custom => key.unwrap_or("Custom").to_owned(),
    }
}

/// The discovery document's URL for a custom provider: as given when it ends in
/// `/.well-known/openid-configuration`, else appended to the issuer URL given.
fn discovery_url(raw: &str) -> CoreResult<String> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = if trimmed.ends_with("/.well-known/openid-configuration") {
        trimmed.to_owned()
    } else {
        format!("{trimmed}/.well-known/openid-configuration")
    };
    check_endpoint_url(&url, "discovery_url")?;
    Ok(url)
}

pub async fn add(
    state: &AppState,
    ctx: &RequestContext,
    new: NewProvider,
) -> CoreResult<OAuthProvider> {
    let name = provider::provider_name(new.preset, new.key.as_deref())?;
    let discovery = match (new.preset, new.discovery_url.as_deref()) {
        (Preset::Custom, Some(u)) => Some(discovery_url(u)?),
        (Preset::Custom, None) => return Err(CoreError::missing("discovery_url")),
        (p, None) => p.discovery_url().map(str::to_owned),
        (_, Some(_)) => {
            return Err(CoreError::value(
                "discovery_url",
                "only a custom provider has one",
            ));
        }
    };
    let client_id = new.client_id.trim().to_owned();
    if client_id.is_empty() || client_id.len() > 512 {
        return Err(CoreError::value("client_id", "1 to 512 characters"));
    }
    if new.client_secret.is_empty() || new.client_secret.len() > 4096 {
        return Err(CoreError::value("client_secret", "1 to 4096 characters"));
    }
    let scopes = match new.scopes.as_deref() {
        Some(s) => normalize_scopes(s)?,
        None => new.preset.default_scopes().to_owned(),
    };
    if state
        .store
        .oauth_provider(&state.instance.id, &name)
        .await?
        .is_some()
    {
        return Err(CoreError::KeyTaken {
            what: "oauth provider",
        });
    }
    let id = new_id(ID_PREFIX);
    let sealed = state
        .api_key_keys()
        .await?
        .seal(&seal_context(&id), &new.client_secret)?
        .0;
    let now = state.now();
    let p = OAuthProvider {
        id,
        provider: name,
        preset: new.preset,
        name: new
            .name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| default_name(new.preset, new.key.as_deref())),
        discovery_url: discovery,
        client_id,
        client_secret_sealed: sealed,
        scopes,
        enabled: true,
        created_at: now,
        updated_at: now,
    };
    let mut change = Change::new(state, ctx);
    change.write(Write::PutOAuthProvider(p.clone()));
    change.commit("oauth_provider.create", Some(&p.id)).await?;
    Ok(p)
}

pub async fn list(state: &AppState) -> CoreResult<Vec<OAuthProvider>> {
    Ok(state.store.oauth_providers(&state.instance.id).await?)
}

/// Removes the provider named `provider` (`google`, `custom_acme`). Its users' external
/// accounts stay (they sign in again if it is added back).
pub async fn remove(
    state: &AppState,
    ctx: &RequestContext,
    provider: &str,
) -> CoreResult<OAuthProvider> {
    let name = provider.strip_prefix("oauth_").unwrap_or(provider);
    let p = found(
        state.store.oauth_provider(&state.instance.id, name).await?,
        "oauth provider",
    )?;
    let mut change = Change::new(state, ctx);
    change.write(Write::DeleteOAuthProvider { id: p.id.clone() });
    change.commit("oauth_provider.delete", Some(&p.id)).await?;
    Ok(p)
}
