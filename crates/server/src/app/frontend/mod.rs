//! Use cases behind the Frontend API: a browser's client, its sign-in and sign-up attempts, its
//! sessions, and the signed-in user's own profile and second factors.

pub mod api_keys;
pub mod clients;
pub mod devices;
pub mod email_links;
pub mod handshake;
pub mod invitations;
pub mod me;
pub mod membership_requests;
pub mod oauth;
pub mod oauth_connect;
pub mod organization_domains;
pub mod organizations;
pub mod passkey_sign_ins;
pub mod phone_codes;
mod prepare_steps;
pub mod sign_ins;
pub mod sign_up_phones;
pub mod sign_ups;
pub mod suggestions;
pub mod throttle;

use std::sync::{Arc, Mutex, PoisonError};

use usher_core::CoreResult;
use usher_core::clients::sign_ins::CodeToSend;
use usher_core::clients::{Client, ClientToken, Strategy};
use usher_core::events::DomainEvent;
use usher_core::ids::{ClientId, IdentificationId, UserId};
use usher_core::mail::templates::{MailTemplate, compose_branded};
use usher_core::sessions::Session;
use usher_core::sessions::lifecycle::{SignInMade, start_browser_session};
use usher_core::store::Write;
use usher_core::users::User;

use super::Change;
use crate::app::context::RequestContext;
use crate::app::found;
use crate::state::AppState;

/// Which client a request acts on: the one its browser secret names, or a new one the
/// response hands out under `new_token`.
#[derive(Debug, Clone)]
pub struct ClientKey {
    pub existing: Option<ClientId>,
    pub new_token: ClientToken,
    /// What the request has already read or written.
    pub memo: RequestMemo,
    /// A session started through this key leaves the client's secret as it is: the client is
    /// not the requesting browser's (an email link opened elsewhere), so no response could
    /// hand that browser a new one.
    pub keep_secret: bool,
}

impl ClientKey {
    pub fn new_client() -> Self {
        Self {
            existing: None,
            new_token: ClientToken::generate(),
            memo: RequestMemo::default(),
            keep_secret: false,
        }
    }

    /// The key of `client` for a request made by another browser (see `keep_secret`).
    pub fn keeping_secret(client: &Client) -> Self {
        Self {
            keep_secret: true,
            ..Self::of(client, ClientToken::generate())
        }
    }

    /// The key of a client the request has just read (or written) as `client`.
    pub fn of(client: &Client, new_token: ClientToken) -> Self {
        Self {
            existing: Some(client.id.clone()),
            new_token,
            memo: RequestMemo::holding(client.clone()),
            keep_secret: false,
        }
    }

    /// This request's key after it wrote `client`: the next load uses that copy, and what the
    /// request remembered is kept.
    pub fn after_write(&self, client: &Client) -> Self {
        self.memo.lock().client = Some(client.clone());
        Self {
            existing: Some(client.id.clone()),
            new_token: self.new_token.clone(),
            memo: self.memo.clone(),
            keep_secret: self.keep_secret,
        }
    }

    /// Whether the client did not exist when the request began: its only sessions are any this
    /// request started, and the last of those is its active one.
    pub fn client_is_new(&self) -> bool {
        self.existing.is_none()
    }
}

/// What a request has read or written moments ago, so that it does not read it again: the
/// client as found (handed out once, to the first load: a later load is a retry after a
/// conflicting write and reads afresh), and users as this request left them, for rendering its
/// response. On a busy server every read is a hand-off to the database's thread and back, paid
/// for in context switches that the password hashers would otherwise have.
#[derive(Debug, Clone, Default)]
pub struct RequestMemo(Arc<Mutex<Memo>>);

#[derive(Debug, Default)]
struct Memo {
    client: Option<Client>,
    users: Vec<User>,
}

impl RequestMemo {
    pub fn holding(client: Client) -> Self {
        Self(Arc::new(Mutex::new(Memo {
            client: Some(client),
            users: Vec::new(),
        })))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Memo> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn take_client(&self, id: &str) -> Option<Client> {
        self.lock().client.take().filter(|c| c.id == id)
    }

    /// `user` as stored now (read, or committed, by this request).
    pub fn remember_user(&self, user: &User) {
        let mut memo = self.lock();
        memo.users.retain(|u| u.id != user.id);
        memo.users.push(user.clone());
    }

    pub fn user(&self, id: &str) -> Option<User> {
        self.lock().users.iter().find(|u| u.id == id).cloned()
    }
}

/// The client as stored now, or a new (unsaved, version 0) one.
pub async fn load_client(state: &AppState, key: &ClientKey) -> CoreResult<Client> {
    match &key.existing {
        Some(id) => match key.memo.take_client(id) {
            Some(client) => Ok(client),
            None => found(
                state.store.get_client(&state.instance.id, id).await?,
                "client",
            ),
        },
        None => Ok(Client::new(Some(&key.new_token), state.now())),
    }
}

/// Inserts a new client, or updates a stored one guarded by its version.
pub fn write_client(change: &mut Change<'_>, client: &Client) {
    if client.version == 0 {
        change.write(Write::InsertClient(client.clone()));
    } else {
        change.write(Write::UpdateClient(client.clone()));
    }
}

/// Commits `change` with `client` written as it now stands (touched now), audited as `action`
/// on `target`; afterwards the client's version is the stored one's.
pub async fn commit_client(
    mut change: Change<'_>,
    client: &mut Client,
    now: usher_core::clock::Millis,
    action: &str,
    target: &str,
) -> CoreResult<()> {
    client.updated_at = now;
    write_client(&mut change, client);
    change.commit(action, Some(target)).await?;
    client.version += 1;
    Ok(())
}

pub async fn get_user(state: &AppState, id: &UserId) -> CoreResult<User> {
    super::users::get(state, id).await
}

/// The session a completed sign-up signs its new user in with, as [`start_session_as`] (the
/// strategy that verified it; a sign-up has no second factor).
pub fn start_sign_up_session(
    change: &mut Change<'_>,
    key: &ClientKey,
    client: &mut Client,
    user: &mut User,
    strategy: &Strategy,
) -> Session {
    let state = change.state();
    start_session_as(
        state,
        change,
        key,
        client,
        user,
        Some(strategy),
        false,
        |_| {},
    )
}

/// Starts a session for `user` on `client` at the end of a sign-in or sign-up, and gives the
/// browser a new client secret (`key.new_token`, which the response hands out); `shape` applies
/// to the new session before it is written (an impersonation's actor and shorter lifetime).
#[allow(clippy::too_many_arguments)]
pub fn start_session_as(
    state: &AppState,
    change: &mut Change<'_>,
    key: &ClientKey,
    client: &mut Client,
    user: &mut User,
    strategy: Option<&Strategy>,
    second_factor: bool,
    shape: impl FnOnce(&mut Session),
) -> Session {
    let made = SignInMade {
        strategy,
        second_factor,
        user_agent: change.ctx().user_agent.clone(),
        ip_address: change.ctx().client_ip.clone(),
    };
    let secret = client.token_hash.clone();
    let mut session = start_browser_session(
        &state.current_instance(),
        client,
        user,
        &key.new_token,
        made,
        state.now(),
    );
    if key.keep_secret {
        client.token_hash = secret;
    }
    shape(&mut session);
    change
        .write(Write::InsertSession(session.clone()))
        .event(DomainEvent::session_started(
            session.clone(),
            Some(Box::new(user.clone())),
        ));
    session
}

/// Queues the email carrying a code, in the same change as the verification it belongs to.
pub fn send_code(
    state: &AppState,
    change: &mut Change<'_>,
    to: &CodeToSend,
    user: Option<&User>,
    reset: bool,
) {
    let template = if reset {
        MailTemplate::ResetPasswordCode {
            code: to.code.clone(),
        }
    } else {
        MailTemplate::VerificationCode {
            code: to.code.clone(),
        }
    };
    queue_mail_to(
        state,
        change,
        &template,
        user,
        &to.email_address,
        &to.email_address_id,
    );
}

/// Queues a code's or a link's email to an address in a sign-in, a sign-up or a profile: in the
/// language of `user` (none yet in a sign-up), naming the address's id when it has one.
pub fn queue_mail_to(
    state: &AppState,
    change: &mut Change<'_>,
    template: &MailTemplate,
    user: Option<&User>,
    email_address: &str,
    email_address_id: &str,
) {
    let msg = compose_branded(
        template,
        user.and_then(|u| u.locale.as_deref()),
        &state.branding(),
        email_address,
        (!email_address_id.is_empty())
            .then(|| IdentificationId::from_stored(email_address_id.to_owned()))
            .as_ref(),
        user.map(|u| &u.id),
        state.now(),
    );
    super::mail::queue(change, msg);
}

/// Tells the owner of `email_address` that someone tried to sign up with it, in their language.
pub fn send_sign_up_attempt_notice(
    state: &AppState,
    change: &mut Change<'_>,
    owner: &User,
    email_address: &str,
) {
    let address_id = owner
        .email_addresses
        .iter()
        .find(|e| e.email_address.eq_ignore_ascii_case(email_address))
        .map(|e| &e.id);
    let msg = compose_branded(
        &MailTemplate::SignUpAttempt,
        owner.locale.as_deref(),
        &state.branding(),
        email_address,
        address_id,
        Some(&owner.id),
        state.now(),
    );
    super::mail::queue(change, msg);
}

const SEND_LATER_DELAY: std::time::Duration = std::time::Duration::from_millis(20);
const SEND_LATER_JITTER_MS: u64 = 80;

/// Queues the email carrying a code in a write of its own, after the request's answer (see
/// `sign_ins::prepare_first_factor`). Should that write fail, the code is never sent and the
/// user asks for another.
pub fn send_code_later(
    state: &AppState,
    ctx: &RequestContext,
    to: CodeToSend,
    user: User,
    reset: bool,
    sign_in_id: &str,
) {
    queue_mail_later(state, ctx, sign_in_id, move |state, change| {
        send_code(state, change, &to, Some(&user), reset)
    });
}

/// Queues an email (`compose` writes it into the change) in a write of its own, after the
/// request's answer: see [`send_code_later`].
pub fn queue_mail_later(
    state: &AppState,
    ctx: &RequestContext,
    sign_in_id: &str,
    compose: impl FnOnce(&AppState, &mut Change<'_>) + Send + 'static,
) {
    let (state, ctx, id) = (state.clone(), ctx.clone(), sign_in_id.to_owned());
    tokio::spawn(async move {
        // After the answer has gone out, so its rendering does not share the machine with
        // this; at a random moment, so the write (and the mail worker's) does not fall on the
        // same later requests every time, which timing them would notice.
        let jitter = rand::random_range(0..=SEND_LATER_JITTER_MS);
        tokio::time::sleep(SEND_LATER_DELAY + std::time::Duration::from_millis(jitter)).await;
        let mut change = Change::new(&state, &ctx);
        compose(&state, &mut change);
        if let Err(e) = change.commit("sign_in.send_code", Some(&id)).await {
            tracing::warn!(error = %e, sign_in = %id, "the code email was not queued");
        }
    });
}
