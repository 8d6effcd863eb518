//! `usher instance branding`: the application name, logo URL and primary colour end users see,
//! through the same use case as `PATCH /v1/instance/branding` (validated, audited, with its
//! `usher.security.instance_branding.updated` event), written to the database directly. A
//! running server picks the change up within its --key-refresh-secs (5 s by default).
//!
//! `usher instance session-claims get|set FILE`: the session token's custom claims, through the
//! same use case as `PATCH /v1/instance/session_token` (its rules and budget, audited).

use usher_core::branding::BrandingPatch;
use usher_server::app::context::RequestContext;
use usher_server::app::instance as app;
use usher_server::app::session_claims as session_app;
use usher_server::error::ApiError;
use usher_server::wire::instance::BrandingJson;
use usher_server::wire::session_claims::SessionClaimsJson;

use crate::CommonArgs;

#[derive(clap::Subcommand, Clone)]
pub enum InstanceAction {
    /// Show the branding, or change it: the name, logo and primary colour the hosted pages,
    /// emails and Clerk's prebuilt UI show. An empty value puts the default back.
    Branding {
        /// Application name (at most 50 characters; default "Usher").
        #[arg(long)]
        name: Option<String>,
        /// Logo image URL (absolute http:// or https://).
        #[arg(long)]
        logo_url: Option<String>,
        /// Primary colour, #rrggbb.
        #[arg(long)]
        primary_color: Option<String>,
    },
    /// The session token's custom claims: `get` shows them, `set FILE` replaces them with the
    /// JSON object in FILE (`-` for stdin; `{}` removes them). Refused past the 1,200-byte budget.
    #[command(subcommand)]
    SessionClaims(SessionClaimsAction),
}

#[derive(clap::Subcommand, Clone)]
pub enum SessionClaimsAction {
    /// Show the claims and their worst-case size.
    Get,
    /// Replace the claims with the JSON object in FILE (`-`: standard input).
    Set {
        /// The JSON object of claims (`-`: standard input).
        file: std::path::PathBuf,
    },
}

/// A flag given as `--x ""` clears the field; a flag not given leaves it alone.
fn field(v: Option<String>) -> Option<Option<String>> {
    v.map(|s| Some(s).filter(|s| !s.trim().is_empty()))
}

/// A use case's result; its error is the Backend API's (its JSON body printed with `--json`), so
/// scripts read the same code either way.
fn reported<T>(result: Result<T, usher_core::CoreError>, as_json: bool) -> anyhow::Result<T> {
    result.or_else(|e| {
        let err = ApiError::from(e);
        if as_json {
            println!("{}", serde_json::to_string_pretty(&err.body(""))?);
        }
        anyhow::bail!("{}: {}", err.code, err.detail.long_message)
    })
}

pub fn run(common: CommonArgs, as_json: bool, action: InstanceAction) -> anyhow::Result<()> {
    let (name, logo_url, primary_color) = match action {
        InstanceAction::Branding {
            name,
            logo_url,
            primary_color,
        } => (name, logo_url, primary_color),
        InstanceAction::SessionClaims(action) => return session_claims(common, as_json, action),
    };
    let patch = BrandingPatch {
        application_name: field(name),
        logo_image_url: field(logo_url),
        primary_color: field(primary_color),
    };
    crate::offline::with_existing_instance(common, |state| async move {
        let ctx = RequestContext::system("cli");
        let result = if patch.is_empty() {
            app::branding(&state).await
        } else {
            app::update_branding(&state, &ctx, &patch).await
        };
        let branding = reported(result, as_json)?;
        let json = BrandingJson::new(&branding);
        if as_json {
            println!("{}", serde_json::to_string_pretty(&json)?);
        } else {
            println!("Application name: {}", json.application_name);
            println!(
                "Logo URL:         {}",
                json.logo_image_url.as_deref().unwrap_or("(none)")
            );
            println!("Primary colour:   {}", json.primary_color);
            if !patch.is_empty() {
                println!(
                    "\nA running server shows the change within its --key-refresh-secs (5 s by default)."
                );
            }
        }
        Ok(())
    })
}

fn read_claims(file: &std::path::Path) -> anyhow::Result<serde_json::Value> {
    let text = if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())?
    } else {
        std::fs::read_to_string(file)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?
    };
    serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{} is not JSON: {e}", file.display()))
}

fn session_claims(
    common: CommonArgs,
    as_json: bool,
    action: SessionClaimsAction,
) -> anyhow::Result<()> {
    let claims = match &action {
        SessionClaimsAction::Get => None,
        SessionClaimsAction::Set { file } => Some(read_claims(file)?),
    };
    crate::offline::with_existing_instance(common, |state| async move {
        let ctx = RequestContext::system("cli");
        let result = match &claims {
            None => session_app::get(&state).await,
            Some(c) => session_app::update(&state, &ctx, c).await,
        };
        let template = reported(result, as_json)?;
        let json = SessionClaimsJson::new(&template);
        if as_json {
            println!("{}", serde_json::to_string_pretty(&json)?);
        } else {
            println!("{}", serde_json::to_string_pretty(&json.claims)?);
            println!(
                "Worst case: {} of {} bytes",
                json.worst_case_bytes, json.budget_bytes
            );
            if claims.is_some() {
                println!(
                    "\nA running server mints with the change within its --key-refresh-secs (5 s by default)."
                );
            }
        }
        Ok(())
    })
}
