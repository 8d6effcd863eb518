//! `usher users …`: the operator's hand on an account, through the same use cases as the Backend
//! API (with their events and audit entries), read and written in the database directly so it
//! works whatever state the server is in. A user is named by id, email address, phone number or
//! username.

use serde_json::json;
use usher_core::users::User;
use usher_server::app::context::RequestContext;
use usher_server::app::{sessions, users as app};
use usher_server::state::AppState;
use usher_server::wire::sessions::SessionJson;
use usher_server::wire::users::UserJson;

use crate::CommonArgs;
use crate::output::{outln, time};

#[derive(clap::Subcommand, Clone)]
pub enum UsersAction {
    /// Find a user by email address, phone number or username (or id) and show it.
    Find {
        /// An email address, a phone number (E.164), a username or a user id.
        identifier: String,
    },
    /// Show a user: lock state, failed attempts, second factors.
    Show {
        /// The user: an id, email address, phone number or username.
        user: String,
    },
    /// Lift a lockout (and reset the failed-attempt count).
    Unlock {
        /// The user: an id, email address, phone number or username.
        user: String,
    },
    /// Lock an account for the instance's lockout duration.
    Lock {
        /// The user: an id, email address, phone number or username.
        user: String,
    },
    /// The emergency lockout: lock the account (until `usher users unlock`, or --until) and
    /// revoke every live session, as one audited action.
    Lockout {
        /// The user: an id, email address, phone number or username.
        user: String,
        /// Lock until this RFC 3339 time, or for this long (24h, 7d); default: until unlocked.
        #[arg(long)]
        until: Option<String>,
    },
    /// Sign a user out everywhere at once (the emergency revoke).
    ///
    /// Every live session is revoked, each with its `session.revoked` event and audit entry, as
    /// the Backend API's session revoke does it. Session tokens already issued stay valid until
    /// they expire (60 seconds by default).
    SignOut {
        /// The user: an id, email address, phone number or username.
        user: String,
    },
    /// A subject access request: everything Usher holds about the user as one JSON document
    /// (profile and private metadata, identifiers, sessions with addresses and user agents,
    /// memberships, invitations, API keys, MFA state, emails and texts sent, events, audit
    /// entries). Secrets and message bodies (one-time codes) are left out. Audited.
    Export {
        /// The user: an id, email address, phone number or username.
        user: String,
        /// Write the document to this file (created with mode 0600) instead of stdout.
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
}

pub fn run(common: CommonArgs, as_json: bool, action: UsersAction) -> anyhow::Result<()> {
    crate::offline::with_existing_instance(common, |state| async move {
        act(&state, as_json, action).await
    })
}

async fn act(state: &AppState, as_json: bool, action: UsersAction) -> anyhow::Result<()> {
    let ctx = RequestContext::system("cli");
    let user = match &action {
        UsersAction::Find { identifier: user }
        | UsersAction::Show { user }
        | UsersAction::Unlock { user }
        | UsersAction::Lock { user }
        | UsersAction::Lockout { user, .. }
        | UsersAction::SignOut { user }
        | UsersAction::Export { user, .. } => app::find(state, user).await?,
    };
    let user = match action {
        UsersAction::Find { .. } | UsersAction::Show { .. } => user,
        UsersAction::Unlock { .. } => app::set_locked(state, &ctx, &user.id, false).await?,
        UsersAction::Lock { .. } => app::set_locked(state, &ctx, &user.id, true).await?,
        UsersAction::SignOut { .. } => return sign_out(state, &ctx, &user, as_json).await,
        UsersAction::Export { output, .. } => {
            return export(state, &ctx, &user, output.as_deref()).await;
        }
        UsersAction::Lockout { until, .. } => {
            let until = until
                .map(|u| crate::when::parse_until(&u, state.now()))
                .transpose()?;
            let (user, revoked) = app::lockout(state, &ctx, &user.id, until).await?;
            if !as_json {
                outln!(
                    "{}: locked until {}; {revoked} session{} revoked.",
                    user.id,
                    if until.is_some() {
                        time(user.locked_until)
                    } else {
                        "unlocked (`usher users unlock`)".to_owned()
                    },
                    if revoked == 1 { "" } else { "s" }
                )?;
            }
            user
        }
    };
    print_user(state, &user, as_json)
}

async fn export(
    state: &AppState,
    ctx: &RequestContext,
    user: &User,
    output: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let doc = usher_server::app::user_export::export(state, ctx, &user.id).await?;
    let text = serde_json::to_string_pretty(&doc)?;
    match output {
        None => outln!("{text}")?,
        Some(path) => {
            crate::output::write_private(path, format!("{text}\n").as_bytes())?;
            eprintln!("{}: exported to {}", user.id, path.display());
        }
    }
    Ok(())
}

async fn sign_out(
    state: &AppState,
    ctx: &RequestContext,
    user: &User,
    as_json: bool,
) -> anyhow::Result<()> {
    let revoked = sessions::revoke_all_of_user(state, ctx, &user.id).await?;
    if as_json {
        let data: Vec<SessionJson> = revoked
            .iter()
            .map(|s| SessionJson::new(s, state.now()))
            .collect();
        outln!(
            "{}",
            serde_json::to_string_pretty(&json!({"data": data, "total_count": data.len()}))?
        )?;
    } else {
        outln!(
            "{}: {} session{} revoked{}",
            user.id,
            revoked.len(),
            if revoked.len() == 1 { "" } else { "s" },
            if revoked.is_empty() {
                String::new()
            } else {
                format!(
                    " ({})",
                    revoked
                        .iter()
                        .map(|s| s.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        )?;
    }
    Ok(())
}

fn print_user(state: &AppState, user: &User, as_json: bool) -> anyhow::Result<()> {
    let json = UserJson::new(
        user,
        state.settings().max_verification_attempts,
        state.now(),
    );
    if as_json {
        outln!("{}", serde_json::to_string_pretty(&json)?)?;
        return Ok(());
    }
    let identifiers: Vec<&str> = user
        .email_addresses
        .iter()
        .map(|e| e.email_address.as_str())
        .chain(user.phone_numbers.iter().map(|p| p.phone_number.as_str()))
        .chain(user.username.as_deref())
        .collect();
    outln!(
        "{}  {}  created_at={}  last_sign_in_at={}",
        json.id,
        if identifiers.is_empty() {
            "-".to_owned()
        } else {
            identifiers.join(", ")
        },
        time(Some(user.created_at)),
        time(user.last_sign_in_at),
    )?;
    outln!(
        "    locked={}  locked_until={}  verification_attempts_remaining={}  two_factor={}  banned={}",
        json.locked,
        time(user.locked_until.filter(|&t| t > state.now())),
        json.verification_attempts_remaining.unwrap_or(0),
        json.two_factor_enabled,
        json.banned,
    )?;
    Ok(())
}
