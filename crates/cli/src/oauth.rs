//! `usher oauth add|list|remove`: the social and enterprise sign-in providers clerk-js offers
//! ("Continue with …"). The client secret is sealed at rest and never printed. Each write is
//! audited with the actor `cli`; running servers show a change on their next environment read.

use serde_json::json;
use usher_core::oauth::{OAuthProvider, Preset};
use usher_server::app::context::RequestContext;
use usher_server::app::oauth_providers::{self as app, NewProvider};

use crate::CommonArgs;
use crate::output::{outln, time};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum PresetArg {
    Google,
    Github,
    Microsoft,
    Apple,
    /// Any OpenID Connect provider, by its discovery document (`--key`, `--discovery-url`).
    Custom,
}

#[derive(clap::Subcommand, Clone)]
pub enum OauthAction {
    /// Add a provider: a preset (`google`, `github`, `microsoft`, `apple`) or `custom` with
    /// `--key` and `--discovery-url`. Its strategy is `oauth_<preset>` or `oauth_custom_<key>`;
    /// register `<frontend API URL>/v1/oauth_callback` as its redirect URI.
    Add {
        /// Which provider: `google`, `github`, `microsoft`, `apple`, or `custom` (any OpenID
        /// provider, found by its discovery URL).
        #[arg(value_enum)]
        preset: PresetArg,
        /// A custom provider's key: lower-case letters, digits and `_` (`acme` →
        /// `oauth_custom_acme`).
        #[arg(long)]
        key: Option<String>,
        /// The button's label (the preset's name, or the key, by default).
        #[arg(long)]
        name: Option<String>,
        /// A custom provider's issuer URL or its `/.well-known/openid-configuration` URL
        /// (HTTPS; plain HTTP on loopback only).
        #[arg(long)]
        discovery_url: Option<String>,
        /// The client id the provider issued.
        #[arg(long)]
        client_id: String,
        /// The client secret the provider issued (sealed at rest, never shown again).
        #[arg(long)]
        client_secret: String,
        /// Scopes to ask for, space- or comma-separated (the preset's by default).
        #[arg(long)]
        scopes: Option<String>,
    },
    /// Every provider: strategy, name, client id, scopes.
    List,
    /// Remove a provider by its name or strategy (`google`, `oauth_custom_acme`).
    Remove {
        /// The provider's name or strategy.
        provider: String,
    },
}

pub fn run(common: CommonArgs, as_json: bool, action: OauthAction) -> anyhow::Result<()> {
    crate::offline::with_existing_instance(common, |state| async move {
        let ctx = RequestContext::system("cli");
        match action {
            OauthAction::Add {
                preset,
                key,
                name,
                discovery_url,
                client_id,
                client_secret,
                scopes,
            } => {
                let preset = match preset {
                    PresetArg::Google => Preset::Google,
                    PresetArg::Github => Preset::Github,
                    PresetArg::Microsoft => Preset::Microsoft,
                    PresetArg::Apple => Preset::Apple,
                    PresetArg::Custom => Preset::Custom,
                };
                let new = NewProvider {
                    preset,
                    key,
                    name,
                    discovery_url,
                    client_id,
                    client_secret,
                    scopes,
                };
                let p = app::add(&state, &ctx, new).await?;
                if as_json {
                    outln!("{}", serde_json::to_string_pretty(&view(&p))?)?;
                } else {
                    outln!("Added {} ({}, {}).", p.strategy(), p.name, p.id)?;
                }
                Ok(())
            }
            OauthAction::List => {
                let all = app::list(&state).await?;
                if as_json {
                    let data: Vec<_> = all.iter().map(view).collect();
                    let out = json!({"data": data, "total_count": data.len()});
                    outln!("{}", serde_json::to_string_pretty(&out)?)?;
                    return Ok(());
                }
                for p in &all {
                    outln!(
                        "{}  {:?}  client_id={}  scopes={:?}  created_at={}",
                        p.strategy(),
                        p.name,
                        p.client_id,
                        p.scopes,
                        time(Some(p.created_at))
                    )?;
                }
                Ok(())
            }
            OauthAction::Remove { provider } => {
                let p = app::remove(&state, &ctx, &provider).await?;
                outln!("Removed {} ({}).", p.strategy(), p.id)?;
                Ok(())
            }
        }
    })
}

fn view(p: &OAuthProvider) -> serde_json::Value {
    json!({
        "id": p.id,
        "strategy": p.strategy(),
        "provider": p.provider,
        "preset": p.preset.as_str(),
        "name": p.name,
        "discovery_url": p.discovery_url,
        "client_id": p.client_id,
        "scopes": p.scopes,
        "enabled": p.enabled,
        "created_at": p.created_at,
    })
}
