//! `usher operators add|list|remove|reset`: the people who may sign in to the dashboard
//! (`/dashboard` on the Backend API listener). `add` and `reset` print the password (when one is
//! generated) and the TOTP enrolment once; nothing can show them again. Each write is audited
//! with the actor `cli`.

use std::io::Read as _;

use usher_core::operators::Role;
use usher_server::app::context::RequestContext;
use usher_server::app::operators::{self as app, Enrolment};
use usher_server::state::AppState;

use crate::CommonArgs;
use crate::output::outln;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum RoleArg {
    /// Everything the dashboard offers.
    Admin,
    /// Read everything; sign users out and unlock them.
    Support,
}

#[derive(clap::Subcommand, Clone)]
pub enum OperatorsAction {
    /// Create an operator; prints a one-time password (unless --password-stdin) and the TOTP
    /// enrolment (an otpauth:// URI and the secret) once.
    Add {
        /// The operator's email address (their sign-in name).
        email: String,
        /// `admin` (everything) or `support` (reads, signs users out, unlocks).
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Read the password from stdin (at least 12 characters) instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Every operator: email address, role, id and when it was created.
    List,
    /// Remove an operator; their dashboard sessions end.
    Remove {
        /// The operator's email address.
        email: String,
    },
    /// A new password and TOTP secret (enrolled again); the operator's sessions end.
    Reset {
        /// The operator's email address.
        email: String,
        /// Read the new password from stdin instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

pub fn run(common: CommonArgs, as_json: bool, action: OperatorsAction) -> anyhow::Result<()> {
    crate::offline::with_existing_instance(common, |state| async move {
        let ctx = RequestContext::system("cli");
        match action {
            OperatorsAction::Add {
                email,
                role,
                password_stdin,
            } => {
                let role = match role {
                    RoleArg::Admin => Role::Admin,
                    RoleArg::Support => Role::Support,
                };
                let password = read_password(password_stdin)?;
                let e = app::add(&state, &ctx, &email, role, password).await?;
                enrolment(&e, as_json)
            }
            OperatorsAction::List => list(&state, as_json).await,
            OperatorsAction::Remove { email } => {
                let o = app::remove(&state, &ctx, &email).await?;
                outln!("Removed operator {} ({}).", o.email, o.id)?;
                Ok(())
            }
            OperatorsAction::Reset {
                email,
                password_stdin,
            } => {
                let password = read_password(password_stdin)?;
                let e = app::reset(&state, &ctx, &email, password).await?;
                enrolment(&e, as_json)
            }
        }
    })
}

/// The password piped in (one line, the newline dropped), when asked for.
fn read_password(from_stdin: bool) -> anyhow::Result<Option<String>> {
    if !from_stdin {
        return Ok(None);
    }
    let mut raw = String::new();
    std::io::stdin().read_to_string(&mut raw)?;
    let line = raw.lines().next().unwrap_or("").to_owned();
    Ok(Some(line))
}

fn enrolment(e: &Enrolment, as_json: bool) -> anyhow::Result<()> {
    if as_json {
        let doc = serde_json::json!({
            "id": e.operator.id,
            "email": e.operator.email,
            "role": e.operator.role.as_str(),
            "password": e.generated_password,
            "totp_secret": e.totp_secret,
            "otpauth_uri": e.otpauth_uri,
        });
        outln!("{doc}")?;
        return Ok(());
    }
    outln!(
        "Operator {} ({}, {}).",
        e.operator.email,
        e.operator.role.as_str(),
        e.operator.id
    )?;
    if let Some(p) = &e.generated_password {
        outln!("One-time password: {p}")?;
    }
    outln!("TOTP secret: {}", e.totp_secret)?;
    outln!("TOTP enrolment URI: {}", e.otpauth_uri)?;
    outln!("These are shown once: add the URI to an authenticator app now.")?;
    Ok(())
}

async fn list(state: &AppState, as_json: bool) -> anyhow::Result<()> {
    let ops = app::list(state).await?;
    if as_json {
        let rows: Vec<_> = ops
            .iter()
            .map(|o| {
                serde_json::json!({
                    "id": o.id,
                    "email": o.email,
                    "role": o.role.as_str(),
                    "disabled": o.disabled,
                    "created_at": o.created_at,
                })
            })
            .collect();
        outln!("{}", serde_json::Value::Array(rows))?;
        return Ok(());
    }
    if ops.is_empty() {
        outln!("No operators. Create one with `usher operators add EMAIL --role admin`.")?;
        return Ok(());
    }
    for o in ops {
        outln!("{}\t{}\t{}", o.email, o.role.as_str(), o.id)?;
    }
    Ok(())
}
