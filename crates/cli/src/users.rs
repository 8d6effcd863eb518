//! `usher users lock|unlock|show <user_id>`: the operator's hand on an account, through the same
//! use cases as the Backend API (with their `user.updated` event and audit entry), read and
//! written in the database directly so it works whatever state the server is in.

use std::sync::Arc;

use usher_core::clock::{Clock, SystemClock};
use usher_server::app::users as app;
use usher_server::extract::auth::RequestContext;
use usher_server::wire::users::UserJson;

use crate::CommonArgs;

#[derive(clap::Subcommand, Clone)]
pub enum UsersAction {
    /// Show a user: lock state, failed attempts, second factors.
    Show { user_id: String },
    /// Lift a lockout (and reset the failed-attempt count).
    Unlock { user_id: String },
    /// Lock an account for the instance's lockout duration.
    Lock { user_id: String },
}

pub fn run(common: CommonArgs, as_json: bool, action: UsersAction) -> anyhow::Result<()> {
    let cfg = crate::offline::existing_instance(common)?;
    let rt = crate::offline::runtime()?;
    rt.block_on(async move {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let state = usher_server::offline::open(&cfg, clock).await?;
        let ctx = RequestContext::system("cli");
        let user = match &action {
            UsersAction::Show { user_id } => app::get(&state, user_id).await,
            UsersAction::Unlock { user_id } => app::set_locked(&state, &ctx, user_id, false).await,
            UsersAction::Lock { user_id } => app::set_locked(&state, &ctx, user_id, true).await,
        }
        .map_err(anyhow::Error::new)?;
        let json = UserJson::new(&user, state.instance.settings.max_verification_attempts, state.now());
        if as_json {
            println!("{}", serde_json::to_string_pretty(&json)?);
        } else {
            println!(
                "{}  locked={}  lockout_expires_in_seconds={}  verification_attempts_remaining={}  two_factor={}",
                json.id,
                json.locked,
                json.lockout_expires_in_seconds
                    .map_or_else(|| "-".to_owned(), |s| s.to_string()),
                json.verification_attempts_remaining.unwrap_or(0),
                json.two_factor_enabled,
            );
        }
        Ok(())
    })
}
