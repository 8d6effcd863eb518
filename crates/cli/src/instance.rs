//! `usher instance branding`: the application name, logo URL and primary colour end users see,
//! through the same use case as `PATCH /v1/instance/branding` (validated, audited, with its
//! `usher.security.instance_branding.updated` event), written to the database directly. A
//! running server picks the change up within its --key-refresh-secs (5 s by default).

use std::sync::Arc;

use usher_core::branding::BrandingPatch;
use usher_core::clock::{Clock, SystemClock};
use usher_server::app::context::RequestContext;
use usher_server::app::instance as app;
use usher_server::error::ApiError;
use usher_server::wire::instance::BrandingJson;

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
}

/// A flag given as `--x ""` clears the field; a flag not given leaves it alone.
fn field(v: Option<String>) -> Option<Option<String>> {
    v.map(|s| Some(s).filter(|s| !s.trim().is_empty()))
}

pub fn run(common: CommonArgs, as_json: bool, action: InstanceAction) -> anyhow::Result<()> {
    let InstanceAction::Branding {
        name,
        logo_url,
        primary_color,
    } = action;
    let patch = BrandingPatch {
        application_name: field(name),
        logo_image_url: field(logo_url),
        primary_color: field(primary_color),
    };
    let cfg = crate::offline::existing_instance(common)?;
    let rt = crate::offline::runtime()?;
    rt.block_on(async move {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let state = usher_server::offline::open(&cfg, clock).await?;
        let ctx = RequestContext::system("cli");
        let result = if patch.is_empty() {
            app::branding(&state).await
        } else {
            app::update_branding(&state, &ctx, &patch).await
        };
        let branding = match result {
            Ok(b) => b,
            Err(e) => {
                // The Backend API's error, so scripts read the same code either way.
                let err = ApiError::from(e);
                if as_json {
                    println!("{}", serde_json::to_string_pretty(&err.body(""))?);
                }
                anyhow::bail!("{}: {}", err.code, err.detail.long_message);
            }
        };
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
