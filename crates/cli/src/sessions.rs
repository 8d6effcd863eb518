//! `usher sessions revoke`: the emergency revoke by selector (every session, a user's, those
//! started before a time, those started from a CIDR block), through
//! `app::session_revocation` (the Backend API's revoke: `session.revoked` events, one audit
//! entry per batch naming the selector). It says how many sessions match and asks first.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::bail;
use usher_core::sessions::selection::{Cidr, SessionSelector};
use usher_server::app::context::RequestContext;
use usher_server::app::session_revocation as app;
use usher_server::app::users;
use usher_server::state::AppState;

use crate::CommonArgs;
use crate::output::outln;

#[derive(clap::Subcommand, Clone)]
pub enum SessionsAction {
    /// Revoke live sessions, chosen by exactly one selector; says how many match and asks
    /// first. Session tokens already issued stay valid until they expire (60 seconds by
    /// default): `usher keys rotate --emergency` ends them too.
    Revoke {
        #[command(flatten)]
        selector: SelectorArgs,
        /// Do not ask for confirmation (without a terminal the command refuses unless given).
        #[arg(long)]
        yes: bool,
    },
}

#[derive(clap::Args, Clone)]
#[group(required = true, multiple = false)]
pub struct SelectorArgs {
    /// Every live session of the instance.
    #[arg(long)]
    all: bool,
    /// Every live session of this user (an id, email address, phone number or username).
    #[arg(long, value_name = "USER")]
    user: Option<String>,
    /// Live sessions created before this RFC 3339 time (2026-12-07T08:00:00Z).
    #[arg(long, value_name = "RFC3339_TIME")]
    created_before: Option<String>,
    /// Live sessions started from an address in this IPv4 or IPv6 CIDR block (10.0.0.0/8,
    /// 2001:db8::/32) or at this single address.
    #[arg(long, value_name = "CIDR")]
    ip: Option<String>,
}

pub fn run(common: CommonArgs, action: SessionsAction) -> anyhow::Result<()> {
    crate::offline::with_existing_instance(common, |state| async move {
        match action {
            SessionsAction::Revoke { selector, yes } => revoke(&state, selector, yes).await,
        }
    })
}

async fn selector(state: &AppState, args: SelectorArgs) -> anyhow::Result<SessionSelector> {
    Ok(if args.all {
        SessionSelector::All
    } else if let Some(user) = args.user {
        SessionSelector::User(users::find(state, &user).await?.id)
    } else if let Some(t) = args.created_before {
        SessionSelector::CreatedBefore(crate::when::parse_time(&t)?)
    } else if let Some(block) = args.ip {
        SessionSelector::Ip(
            Cidr::parse(&block)
                .map_err(|_| anyhow::anyhow!("{block:?} is not an IPv4 or IPv6 CIDR block"))?,
        )
    } else {
        bail!("name the sessions: --all, --user, --created-before or --ip")
    })
}

async fn revoke(state: &AppState, args: SelectorArgs, yes: bool) -> anyhow::Result<()> {
    let selector = selector(state, args).await?;
    let matching = app::matching(state, &selector).await?.len();
    outln!(
        "{matching} live session{} match{} {}.",
        plural(matching),
        if matching == 1 { "es" } else { "" },
        selector.describe()
    )?;
    if matching == 0 {
        return Ok(());
    }
    if !yes && !confirm(matching)? {
        bail!("nothing revoked");
    }
    let ctx = RequestContext::system("cli");
    let revoked = app::revoke_matching(state, &ctx, &selector).await?;
    outln!("{revoked} session{} revoked.", plural(revoked))?;
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Asks on the terminal; refuses without one (a script must say `--yes`).
fn confirm(n: usize) -> anyhow::Result<bool> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        bail!(
            "refusing to revoke {n} session{} without confirmation: not a terminal; pass --yes",
            plural(n)
        );
    }
    let mut err = std::io::stderr().lock();
    write!(err, "Revoke {n} session{}? [y/N] ", plural(n))?;
    err.flush()?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}
