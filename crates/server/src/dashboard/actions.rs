//! The writes on a user: ban, unban, lock, unlock, sign out one device or all, reset MFA, mark
//! the password compromised or not, delete, impersonate. Each is asked for on a confirmation page
//! that says what will happen, then POSTed with the session's CSRF token, and runs the Backend
//! API's use case with the operator as the actor.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use usher_core::ids::SessionId;
use usher_core::operators::Action;
use usher_core::sessions::Session;
use usher_core::users::User;
use usher_core::{CoreError, CoreResult};

use super::users::{display_name, live_sessions, user_of};
use super::view::{self, Html};
use super::{Desk, failure, forbidden, forged, redirect};
use crate::app::user_factors::{self, Removal};
use crate::app::{actor_tokens, sessions, users};
use usher_core::actor_tokens::NewActorToken;

/// How long an impersonation ticket may be used: ten minutes.
const IMPERSONATION_SECS: i64 = 600;
use crate::pages::PageForm;
use crate::state::AppState;

/// An action as the forms name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Ban,
    Unban,
    Lock,
    Unlock,
    SignOut,
    SignOutAll,
    ResetMfa,
    SetCompromised,
    UnsetCompromised,
    Delete,
    Impersonate,
}

impl Act {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "ban" => Act::Ban,
            "unban" => Act::Unban,
            "lock" => Act::Lock,
            "unlock" => Act::Unlock,
            "sign-out" => Act::SignOut,
            "sign-out-all" => Act::SignOutAll,
            "reset-mfa" => Act::ResetMfa,
            "set-compromised" => Act::SetCompromised,
            "unset-compromised" => Act::UnsetCompromised,
            "delete" => Act::Delete,
            "impersonate" => Act::Impersonate,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Act::Ban => "ban",
            Act::Unban => "unban",
            Act::Lock => "lock",
            Act::Unlock => "unlock",
            Act::SignOut => "sign-out",
            Act::SignOutAll => "sign-out-all",
            Act::ResetMfa => "reset-mfa",
            Act::SetCompromised => "set-compromised",
            Act::UnsetCompromised => "unset-compromised",
            Act::Delete => "delete",
            Act::Impersonate => "impersonate",
        }
    }

    fn permission(self) -> Action {
        match self {
            Act::Ban => Action::Ban,
            Act::Unban => Action::Unban,
            Act::Lock => Action::Lock,
            Act::Unlock => Action::Unlock,
            Act::SignOut | Act::SignOutAll => Action::SignOut,
            Act::ResetMfa | Act::SetCompromised | Act::UnsetCompromised => Action::Edit,
            Act::Delete => Action::Delete,
            Act::Impersonate => Action::Impersonate,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Act::Ban => "Ban user",
            Act::Unban => "Unban user",
            Act::Lock => "Lock user",
            Act::Unlock => "Unlock user",
            Act::SignOut => "Sign out device",
            Act::SignOutAll => "Sign out of all devices",
            Act::ResetMfa => "Reset MFA",
            Act::SetCompromised => "Mark password compromised",
            Act::UnsetCompromised => "Clear password compromised",
            Act::Delete => "Delete user",
            Act::Impersonate => "Impersonate user",
        }
    }
}

/// The confirmation shown after an action (`?done=`): fixed texts, nothing from the URL.
pub fn done_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "ban" => "The user is banned and signed out everywhere.",
        "unban" => "The user is no longer banned.",
        "lock" => "The user is locked.",
        "unlock" => "The user is unlocked.",
        "sign-out" => "That device has been signed out.",
        "sign-out-all" => "The user has been signed out of every device.",
        "reset-mfa" => "Every second factor of the user is turned off.",
        "set-compromised" => "The password is marked compromised.",
        "unset-compromised" => "The password is no longer marked compromised.",
        "delete" => "The user is deleted.",
        "create" => "The user is created.",
        "metadata" => "The metadata is saved.",
        _ => return None,
    })
}

fn devices(n: usize) -> String {
    if n == 1 {
        "1 device".into()
    } else {
        format!("{n} devices")
    }
}

/// The session `raw` names, when it is one of the user's live ones.
fn session_of<'a>(live: &'a [Session], raw: &str) -> CoreResult<&'a Session> {
    let id = SessionId::parse(raw).map_err(|_| CoreError::NotFound {
        resource: "session",
    })?;
    live.iter().find(|s| s.id == id).ok_or(CoreError::NotFound {
        resource: "session",
    })
}

/// What the action will do, in words.
fn consequence(act: Act, u: &User, live: &[Session], session: Option<&Session>) -> String {
    let name = display_name(u);
    match act {
        Act::Ban => format!(
            "{name} will be banned: this signs out {} and they cannot sign in again until unbanned.",
            devices(live.len())
        ),
        Act::Unban => format!("{name} will be unbanned and may sign in again."),
        Act::Lock => format!(
            "{name} will be locked: they cannot sign in until unlocked or the lockout lapses."
        ),
        Act::Unlock => format!("{name} will be unlocked and may sign in again."),
        Act::SignOut => {
            let device = session
                .and_then(|s| s.user_agent.as_deref())
                .unwrap_or("an unknown device");
            format!("{name} will be signed out of {device}: this signs out 1 device.")
        }
        Act::SignOutAll => format!(
            "{name} will be signed out everywhere: this signs out {}.",
            devices(live.len())
        ),
        Act::ResetMfa => format!(
            "Every second factor of {name} will be turned off: the authenticator app, the backup \
             codes and any phone number kept for a second factor. They sign in with their first \
             factor alone until they set one up again."
        ),
        Act::SetCompromised => format!(
            "The password of {name} will be marked compromised: signing in with it is refused \
             until they set a new one. Their devices stay signed in."
        ),
        Act::UnsetCompromised => {
            format!("{name} will be able to sign in with their current password again.")
        }
        Act::Delete => format!(
            "{name} will be deleted for good: this signs out {}, removes their organization \
             memberships, frees their email addresses, phone numbers and username, and erases \
             their personal data. This cannot be undone.",
            devices(live.len())
        ),
        Act::Impersonate => format!(
            "An actor token will be made: whoever holds it can sign in once as {name}, in a \
             session that names you as the actor, until it expires or is revoked. It is shown \
             only once."
        ),
    }
}

pub async fn confirm(
    State(state): State<AppState>,
    desk: Desk,
    Path(user_id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let nav = desk.nav(&state);
    let params = view::params(q.as_deref());
    let Some(act) = params.get("action").and_then(|a| Act::parse(a)) else {
        return failure(Some(&nav), CoreError::NotFound { resource: "action" });
    };
    if !desk.may(act.permission()) {
        return forbidden(&nav);
    }
    let session_id = params.get("session_id").cloned().unwrap_or_default();
    let found = async {
        let u = user_of(&state, &user_id).await?;
        let live = live_sessions(&state, &u).await?;
        let text = {
            let one = match act {
                Act::SignOut => Some(session_of(&live, &session_id)?),
                _ => None,
            };
            consequence(act, &u, &live, one)
        };
        Ok::<_, CoreError>((u, text))
    };
    let (u, text) = match found.await {
        Ok(r) => r,
        Err(e) => return failure(Some(&nav), e),
    };
    let mut h = Html::new();
    h.el("p", &[], &text);
    let action = format!("/dashboard/users/{}/act", u.id);
    view::form_open(&mut h, &action, &nav.csrf, Some(act.label()));
    h.open(
        "input",
        &[
            ("type", Some("hidden")),
            ("name", Some("action")),
            ("value", Some(act.name())),
        ],
    );
    if act == Act::SignOut {
        h.open(
            "input",
            &[
                ("type", Some("hidden")),
                ("name", Some("session_id")),
                ("value", Some(&session_id)),
            ],
        );
    }
    h.el(
        "button",
        &[("type", Some("submit")), ("class", Some("danger"))],
        act.label(),
    )
    .close("form");
    let back = format!("/dashboard/users/{}", u.id);
    view::link_para(&mut h, &back, "Cancel");
    view::page(StatusCode::OK, act.label(), Some(&nav), h)
}

pub async fn act(
    State(state): State<AppState>,
    desk: Desk,
    Path(user_id): Path<String>,
    form: PageForm,
) -> Response {
    let nav = desk.nav(&state);
    if !desk.csrf_ok(&state, &form) {
        return forged(Some(&nav));
    }
    let Some(act) = form.get("action").and_then(Act::parse) else {
        return failure(Some(&nav), CoreError::NotFound { resource: "action" });
    };
    if !desk.may(act.permission()) {
        return forbidden(&nav);
    }
    let ctx = &desk.ctx;
    if act == Act::Impersonate {
        return impersonate(&state, &desk, &user_id).await;
    }
    let done = async {
        let u = user_of(&state, &user_id).await?;
        match act {
            Act::Ban | Act::Unban => {
                users::set_banned(&state, ctx, &u.id, act == Act::Ban).await?;
            }
            Act::Lock | Act::Unlock => {
                users::set_locked(&state, ctx, &u.id, act == Act::Lock).await?;
            }
            Act::SignOut => {
                let live = live_sessions(&state, &u).await?;
                let s = session_of(&live, form.trimmed("session_id"))?;
                sessions::revoke(&state, ctx, &s.id).await?;
            }
            Act::SignOutAll => {
                sessions::revoke_all_of_user(&state, ctx, &u.id).await?;
            }
            Act::ResetMfa => {
                user_factors::remove_factors(&state, ctx, &u.id, Removal::AllMfa).await?;
            }
            Act::SetCompromised | Act::UnsetCompromised => {
                let set = act == Act::SetCompromised;
                users::set_password_compromised(&state, ctx, &u.id, set, false).await?;
            }
            Act::Delete => {
                users::delete(&state, ctx, &u.id).await?;
            }
            Act::Impersonate => {}
        }
        Ok::<_, CoreError>(u)
    };
    match done.await {
        Ok(_) if act == Act::Delete => redirect("/dashboard/users?done=delete"),
        Ok(u) => redirect(&format!("/dashboard/users/{}?done={}", u.id, act.name())),
        Err(e) => failure(Some(&nav), e),
    }
}

/// Makes an actor token naming the operator as the actor and shows its ticket, once.
async fn impersonate(state: &AppState, desk: &Desk, user_id: &str) -> Response {
    let nav = desk.nav(state);
    let mut actor = serde_json::Map::new();
    actor.insert("sub".into(), desk.operator.actor().into());
    let input = NewActorToken {
        actor: Some(actor.into()),
        expires_in_seconds: Some(IMPERSONATION_SECS),
        session_max_duration_in_seconds: None,
    };
    let (token, ticket) = match actor_tokens::create(state, &desk.ctx, user_id, input).await {
        Ok(r) => r,
        Err(e) => return failure(Some(&nav), e),
    };
    let mut h = Html::new();
    view::notice(
        &mut h,
        "The actor token is made. Copy its ticket now: it is not shown again.",
    );
    h.el(
        "p",
        &[],
        "Sign in with it through clerk-js (signIn.create({ strategy: 'ticket', ticket })), or open \
         your application's sign-in page with it as __clerk_ticket. The session it starts names \
         you as the actor. Revoke it through the Backend API (POST /v1/actor_tokens/{id}/revoke).",
    );
    h.open("dl", &[])
        .el("dt", &[], "Actor token")
        .el("dd", &[], token.id.as_str())
        .el("dt", &[], "Ticket")
        .open("dd", &[])
        .el("code", &[("id", Some("ticket"))], &ticket)
        .close("dd")
        .el("dt", &[], "Expires")
        .open("dd", &[]);
    view::time(&mut h, Some(token.expires_at));
    h.close("dd").close("dl");
    let back = format!("/dashboard/users/{}", token.user_id);
    view::link_para(&mut h, &back, "Back to the user");
    view::page(StatusCode::OK, "Impersonation ticket", Some(&nav), h)
}
