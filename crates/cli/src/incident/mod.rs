//! `usher incident report --since T [--until T] [--output FILE]`: a Markdown post-incident
//! report of a window, from what the database holds (with the server running or stopped).

mod gather;
mod report;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use usher_core::clock::{Clock, SystemClock};

use crate::CommonArgs;
use crate::output::outln;

#[derive(clap::Subcommand)]
pub enum IncidentAction {
    /// Write the report of a window: summary, timeline, impact, actions taken and by whom,
    /// open follow-ups.
    Report {
        /// The window's start: an RFC 3339 time, epoch milliseconds, or a duration ago (6h).
        #[arg(long)]
        since: String,
        /// The window's end (default now), written like --since.
        #[arg(long)]
        until: Option<String>,
        /// Write the report here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

pub fn run(common: CommonArgs, action: IncidentAction) -> anyhow::Result<()> {
    let IncidentAction::Report {
        since,
        until,
        output,
    } = action;
    let cfg = crate::offline::existing_instance(common)?;
    let rt = crate::offline::runtime()?;
    rt.block_on(async move {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let now = clock.now_ms();
        let since = crate::webhooks::parse_since(&since, now).context("--since")?;
        let until = match until {
            Some(u) => crate::webhooks::parse_since(&u, now).context("--until")?,
            None => now + 1,
        };
        if until <= since {
            bail!("--until must be after --since");
        }
        let state = usher_server::offline::open(&cfg, clock).await?;
        let findings = gather::gather(&state, since, until).await?;
        let md = report::render(&findings);
        match output {
            Some(path) => {
                std::fs::write(&path, md)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                outln!("Report written to {}", path.display())?;
            }
            None => outln!("{}", md.trim_end())?,
        }
        Ok(())
    })
}
