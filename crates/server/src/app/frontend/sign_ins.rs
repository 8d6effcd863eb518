//! Sign-in attempts: create, prepare and attempt factors, reset a forgotten password. Each step
//! commits the client (with its attempt), the user (failed-attempt counter, spent codes) and,
//! on completion, the new session, in one transaction.

use usher_core::activity::ActivityKind;
use usher_core::actor_tokens::{self, ActorToken};
use usher_core::clients::sign_ins::{SignIn, SignInStatus};
use usher_core::clients::{Client, Strategy, decoys};
use usher_core::events::DomainEvent;
use usher_core::ids::UserId;
use usher_core::passwords::{self, check_policy};
use usher_core::sessions::lifecycle::{Ending, end, ensure_can_sign_in};
use usher_core::sign_in_tokens;
use usher_core::store::Write;
use usher_core::users::identifiers::{IdentifierKind, guess_kind, validate_phone};
use usher_core::users::{User, lockout};
use usher_core::{CoreError, CoreResult};

use super::invitations;
use super::prepare_steps::{self, commit_decoy};
use super::{
    ClientKey, commit_client, get_user, load_client, send_code, send_code_later, start_session_as,
    throttle, write_client,
};
use crate::app::context::RequestContext;
use crate::app::{Change, with_retry};
use crate::state::AppState;

/// `POST /v1/client/sign_ins`.
#[derive(Debug, Default)]
pub struct CreateSignIn {
    pub identifier: Option<String>,
    pub strategy: Option<Strategy>,
    pub password: Option<String>,
    /// An organization invitation's ticket, with `strategy=ticket`.
    pub ticket: Option<String>,
}

pub(super) async fn find_user(state: &AppState, identifier: &str) -> CoreResult<Option<User>> {
    let kind = guess_kind(identifier);
    // Phone numbers are stored in E.164, however they were typed.
    let value = match kind {
        IdentifierKind::Phone => validate_phone(identifier).unwrap_or_else(|_| identifier.into()),
        _ => identifier.to_owned(),
    };
    Ok(state
        .store
        .user_by_identifier(&state.instance.id, kind, &value)
        .await?)
}

/// Single-session mode (as the environment declares): a client with a live session can neither
/// start a sign-in or a sign-up nor complete one.
pub(super) async fn refuse_if_signed_in(state: &AppState, client: &Client) -> CoreResult<()> {
    let Some(id) = &client.last_active_session_id else {
        return Ok(());
    };
    let live = state
        .store
        .get_session(&state.instance.id, id)
        .await?
        .is_some_and(|s| s.status_at(state.now()).is_live());
    if live {
        return Err(CoreError::SessionExists);
    }
    Ok(())
}

/// The request's client, with no one signed in on it ([`refuse_if_signed_in`]).
pub(super) async fn load_signed_out_client(
    state: &AppState,
    key: &ClientKey,
) -> CoreResult<Client> {
    let client = load_client(state, key).await?;
    refuse_if_signed_in(state, &client).await?;
    Ok(client)
}

/// The user a sign-in or actor token's ticket names (who must still be able to sign in), and
/// the identifier the sign-in shows: their primary address.
async fn ticket_user(state: &AppState, user_id: &UserId) -> CoreResult<(User, String)> {
    let user = state
        .store
        .get_user(&state.instance.id, user_id)
        .await?
        .ok_or(CoreError::TicketInvalid)?;
    ensure_can_sign_in(&user, state.now())?;
    let identifier = user
        .primary_email()
        .map(|e| e.email_address.clone())
        .unwrap_or_default();
    Ok((user, identifier))
}

pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    req: CreateSignIn,
) -> CoreResult<Client> {
    if req.strategy == Some(Strategy::Ticket) {
        let ticket = req
            .ticket
            .filter(|t| !t.is_empty())
            .ok_or_else(|| CoreError::missing("ticket"))?;
        return create_with_ticket(state, ctx, key, &ticket).await;
    }
    let protect = state.settings().enumeration_protection;
    let mut unknown = false;
    let user = match req.identifier.as_deref().map(str::trim) {
        Some(i) if !i.is_empty() => match find_user(state, i).await? {
            Some(u) => {
                key.memo.remember_user(&u);
                Some(u)
            }
            None if protect => {
                unknown = true;
                None
            }
            None => return Err(CoreError::IdentifierNotFound),
        },
        _ => None,
    };
    let mut client = load_signed_out_client(state, key).await?;
    let identifier = req.identifier.map(|i| i.trim().to_owned());
    client.sign_in = Some(match identifier {
        Some(i) if unknown => decoys::start(i, state.decoy_key().await?, state.now()),
        other => SignIn::start(other, user.as_ref(), state.now()),
    });
    client.updated_at = state.now();
    let mut change = Change::new(state, ctx);
    write_client(&mut change, &client);
    change.commit("sign_in.create", Some(&client.id)).await?;
    client.version += 1;
    match (req.strategy, req.password, user.is_some() || unknown) {
        (Some(Strategy::Password), Some(password), true) => {
            let id = client
                .sign_in
                .as_ref()
                .map(|s| s.id.clone())
                .unwrap_or_default();
            let key = key.after_write(&client);
            attempt_first_factor(state, ctx, &key, &id, &Strategy::Password, &password).await
        }
        _ => Ok(client),
    }
}

/// A sign-in by an organization invitation's ticket: the ticket was emailed to the invited
/// address, so it proves the address (marked verified if it was not) and signs its owner in,
/// asking for a second factor when the user has one. The invitation is accepted in the same
/// transaction; an address without an account is told to sign up instead.
async fn create_with_ticket(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    ticket: &str,
) -> CoreResult<Client> {
    let checked = match invitations::by_ticket(state, ticket).await {
        Err(CoreError::TicketInvalid) => {
            return create_with_sign_in_token(state, ctx, key, ticket).await;
        }
        other => other?,
    };
    let user_id = state
        .store
        .user_id_by_identifier(
            &state.instance.id,
            usher_core::users::identifiers::IdentifierKind::Email,
            &checked.email_address,
        )
        .await?
        .ok_or(CoreError::InvitationAccountNotExists)?;
    with_retry(|| async {
        let client = load_signed_out_client(state, key).await?;
        let (mut inv, mut org) = invitations::still_redeemable(state, &checked.id).await?;
        let mut user = get_user(state, &user_id).await?;
        ensure_can_sign_in(&user, state.now())?;
        let mut verified_now = false;
        for e in &mut user.email_addresses {
            if e.email_address.eq_ignore_ascii_case(&inv.email_address)
                && e.verification == usher_core::users::model::Verification::Unverified
            {
                e.verification = usher_core::users::model::Verification::Ticket;
                e.updated_at = state.now();
                verified_now = true;
            }
        }
        let sign_in = SignIn::with_ticket(&inv.email_address, &user, state.now());
        let roles = crate::app::roles::catalog_for(state, [inv.role.as_str()]).await?;
        let mut change = Change::new(state, ctx);
        invitations::accept_into(&mut change, &mut inv, &mut org, &user, &roles)?;
        finish_step(
            key,
            change,
            client,
            sign_in,
            user,
            verified_now,
            "sign_in.create",
        )
        .await
    })
    .await
}

/// A sign-in by a sign-in token's ticket (made by the Backend API): it signs its user in once,
/// before it expires, unless revoked. Spending it is a versioned write in the sign-in's
/// transaction, so two requests racing with one ticket sign in once.
async fn create_with_sign_in_token(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    ticket: &str,
) -> CoreResult<Client> {
    let digest = sign_in_tokens::ticket_digest(ticket);
    with_retry(|| async {
        let Some(mut token) = state
            .store
            .sign_in_token_by_digest(&state.instance.id, &digest)
            .await?
        else {
            return create_with_actor_token(state, ctx, key, &digest).await;
        };
        let client = load_signed_out_client(state, key).await?;
        sign_in_tokens::redeem(&mut token, state.now())?;
        let (user, identifier) = ticket_user(state, &token.user_id).await?;
        let sign_in = SignIn::with_ticket(&identifier, &user, state.now());
        let mut change = Change::new(state, ctx);
        change.write(Write::UpdateSignInToken(token));
        finish_step(key, change, client, sign_in, user, false, "sign_in.create").await
    })
    .await
}

/// A sign-in by an actor token's ticket: as a sign-in token's, but the session it starts is
/// an impersonation (its `actor`, its capped lifetime), and the token remembers the session so
/// that revoking the token ends it.
async fn create_with_actor_token(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    digest: &str,
) -> CoreResult<Client> {
    let mut token = state
        .store
        .actor_token_by_digest(&state.instance.id, digest)
        .await?
        .ok_or(CoreError::TicketInvalid)?;
    let client = load_signed_out_client(state, key).await?;
    actor_tokens::redeem(&mut token, state.now())?;
    let (user, identifier) = ticket_user(state, &token.user_id).await?;
    let sign_in = SignIn::impersonating(&identifier, &user, state.now());
    let change = Change::new(state, ctx);
    finish_step_as(
        key,
        change,
        client,
        sign_in,
        user,
        false,
        "sign_in.create",
        Some(token),
    )
    .await
}

/// The client's sign-in `id` when that sign-in is a decoy (enumeration protection).
fn decoy_of(state: &AppState, client: &Client, id: &str) -> Option<SignIn> {
    client
        .sign_in
        .clone()
        .filter(|s| s.id == id && s.decoy && !s.is_abandoned(state.now()))
}

/// The client and its sign-in `id` when that sign-in is a decoy (enumeration protection).
pub(super) async fn load_decoy(
    state: &AppState,
    key: &ClientKey,
    id: &str,
) -> CoreResult<Option<(Client, SignIn)>> {
    let client = load_client(state, key).await?;
    Ok(decoy_of(state, &client, id).map(|s| (client, s)))
}

/// A digest no password matches, checked so that a decoy costs what a real check costs.
async fn decoy_digest(state: &AppState) -> CoreResult<usher_core::users::model::PasswordDigest> {
    static DIGEST: std::sync::OnceLock<usher_core::users::model::PasswordDigest> =
        std::sync::OnceLock::new();
    if let Some(d) = DIGEST.get() {
        return Ok(d.clone());
    }
    let d = state
        .hasher
        .hash(usher_core::ids::random_alphanumeric(32))
        .await?;
    Ok(DIGEST.get_or_init(|| d).clone())
}

/// A decoy's factor attempt: throttled and counted like any other, and always wrong.
async fn attempt_decoy(
    state: &AppState,
    ctx: &RequestContext,
    mut client: Client,
    mut sign_in: SignIn,
    strategy: &Strategy,
    secret: &str,
) -> CoreResult<Client> {
    let subject = format!("unknown:{}", sign_in.identifier.as_deref().unwrap_or(""));
    throttle::check(state, ctx, &subject).await?;
    let error = if *strategy == Strategy::Password {
        let _ = passwords::check(&state.hasher, &decoy_digest(state).await?, secret).await?;
        CoreError::PasswordIncorrect
    } else {
        // As a real sign-in: only the strategy that was prepared can be attempted.
        match sign_in
            .first_factor
            .as_mut()
            .filter(|v| v.strategy == *strategy)
        {
            Some(v) => match v.attempt_code(secret, state.now()) {
                Ok(()) | Err(CoreError::CodeIncorrect) => CoreError::CodeIncorrect,
                Err(other) => other,
            },
            None => CoreError::FlowInvalid {
                reason: "prepare this factor before attempting it",
            },
        }
    };
    sign_in.updated_at = state.now();
    client.sign_in = Some(sign_in);
    let mut change = Change::new(state, ctx);
    write_client(&mut change, &client);
    change
        .commit("sign_in.attempt_first_factor", Some(&client.id))
        .await?;
    if matches!(
        error,
        CoreError::PasswordIncorrect | CoreError::CodeIncorrect
    ) {
        throttle::record_failure(state, ctx, &subject).await;
    }
    Err(error)
}

/// The client and its sign-in `id`, with the user it identified (who must still be able to
/// sign in).
pub(super) async fn load_attempt(
    state: &AppState,
    key: &ClientKey,
    id: &str,
) -> CoreResult<(Client, SignIn, User)> {
    attempt_of(state, load_client(state, key).await?, id).await
}

/// The sign-in `id` of a loaded client, with the user it identified (who must still be able to
/// sign in).
async fn attempt_of(
    state: &AppState,
    client: Client,
    id: &str,
) -> CoreResult<(Client, SignIn, User)> {
    let sign_in = client
        .sign_in
        .clone()
        .filter(|s| s.id == id && !s.is_abandoned(state.now()))
        .ok_or(CoreError::NotFound {
            resource: "sign_in",
        })?;
    let user_id = sign_in.user_id.clone().ok_or(CoreError::FlowInvalid {
        reason: "identify the user before verifying a factor",
    })?;
    let user = get_user(state, &UserId::from_stored(user_id)).await?;
    ensure_can_sign_in(&user, state.now())?;
    Ok((client, sign_in, user))
}

pub async fn prepare_first_factor(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
    strategy: &Strategy,
    email_address_id: Option<&str>,
) -> CoreResult<Client> {
    if let Some((client, mut sign_in)) = load_decoy(state, key, id).await? {
        // The read a real sign-in makes for its user (who has none), so both cost the same.
        if let Some(identifier) = &sign_in.identifier {
            let _ = find_user(state, identifier).await?;
            // A texted code to a number nobody has counts against the caps as a real one does.
            if *strategy == Strategy::PhoneCode
                && let Ok(number) = validate_phone(identifier)
                && !crate::app::identifiers::is_test_number(state, &number)
            {
                crate::app::sms::count_code(state, ctx, &number).await?;
            }
        }
        // A code is "sent" to nobody: the decoy answers as a real sign-in would.
        decoys::prepare_first_factor(&mut sign_in, strategy, email_address_id, state.now())?;
        return commit_decoy(
            state,
            ctx,
            client,
            sign_in,
            "sign_in.prepare_first_factor",
            id,
        )
        .await;
    }
    if *strategy == Strategy::PhoneCode {
        return super::phone_codes::prepare_first_factor(state, ctx, key, id, email_address_id)
            .await;
    }
    let reset = *strategy == Strategy::ResetPasswordEmailCode;
    let (client, sent) = prepare_steps::first_factor(
        state,
        ctx,
        key,
        id,
        |sign_in, _, user| {
            sign_in.prepare_first_factor(
                user,
                strategy,
                email_address_id,
                state.instance.environment,
                state.now(),
            )
        },
        |change, to, user| send_code(state, change, to, Some(user), reset),
    )
    .await?;
    if let Some((to, user)) = sent {
        send_code_later(state, ctx, to, user, reset, id);
    }
    Ok(client)
}

/// Whether the user has signed in on this client before (Client Trust), or need not prove it.
async fn is_trusted_device(state: &AppState, client: &Client, user: &User) -> CoreResult<bool> {
    if !state.settings().client_trust || user.bypass_client_trust || client.version == 0 {
        return Ok(!state.settings().client_trust || user.bypass_client_trust);
    }
    Ok(state
        .store
        .sessions_of_client(&state.instance.id, &client.id)
        .await?
        .iter()
        .any(|s| s.user_id == user.id))
}

/// `prepare_second_factor`: Client Trust's emailed code and a texted code (`phone_code`) need
/// preparing (TOTP and backup codes are checked as they come). `email_address_id` names the
/// phone number for `phone_code`.
pub async fn prepare_second_factor(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
    strategy: &Strategy,
    email_address_id: Option<&str>,
) -> CoreResult<Client> {
    if *strategy == Strategy::PhoneCode {
        return super::phone_codes::prepare_second_factor(state, ctx, key, id, email_address_id)
            .await;
    }
    if *strategy != Strategy::EmailCode {
        return get(state, key, id).await;
    }
    prepare_steps::second_factor(
        state,
        ctx,
        key,
        id,
        |sign_in, user| {
            sign_in.prepare_client_trust(
                user,
                email_address_id,
                state.instance.environment,
                state.now(),
            )
        },
        |change, to, user| send_code(state, change, to, Some(user), false),
    )
    .await
}

/// Records a failed password or code on the user: enough of them lock the account.
pub(super) fn count_failure(state: &AppState, user: &mut User) {
    lockout::record_failure(user, &state.settings(), state.now());
}

/// Commits the step's client and user, and the session when the sign-in completed.
pub(super) async fn finish_step(
    key: &ClientKey,
    change: Change<'_>,
    client: Client,
    sign_in: SignIn,
    user: User,
    user_changed: bool,
    audit: &str,
) -> CoreResult<Client> {
    finish_step_as(
        key,
        change,
        client,
        sign_in,
        user,
        user_changed,
        audit,
        None,
    )
    .await
}

/// [`finish_step`]; a session it starts with `impersonation` is that actor token's: the actor
/// and the capped lifetime on the session, the token spent and the start recorded with it.
#[allow(clippy::too_many_arguments)]
async fn finish_step_as(
    key: &ClientKey,
    mut change: Change<'_>,
    mut client: Client,
    mut sign_in: SignIn,
    mut user: User,
    user_changed: bool,
    audit: &str,
    impersonation: Option<ActorToken>,
) -> CoreResult<Client> {
    let state = change.state();
    let mut user_changed = user_changed;
    if sign_in.status == SignInStatus::Complete && sign_in.created_session_id.is_none() {
        let second = sign_in.second_factor_verified();
        let strategy_used = sign_in.strategy_used().cloned();
        let mut token = impersonation;
        let session = start_session_as(
            state,
            &mut change,
            key,
            &mut client,
            &mut user,
            strategy_used.as_ref(),
            second,
            |s| {
                if let Some(t) = token.as_mut() {
                    actor_tokens::impersonate(t, s);
                }
            },
        );
        if let Some(t) = token {
            change
                .write(Write::UpdateActorToken(t.clone()))
                .event(DomainEvent::ImpersonationStarted {
                    token: Box::new(t.clone()),
                    session: Box::new(session.clone()),
                })
                .audit("actor_token.accept", Some(&t.id))
                .audit("impersonation.start", Some(&session.id));
        }
        sign_in.complete(&session.id, state.now());
        change.count(ActivityKind::SignIn);
        user_changed = true;
    }
    if user_changed {
        crate::app::users::write_updated(&mut change, user.clone());
    }
    client.sign_in = Some(sign_in.clone());
    commit_client(change, &mut client, state.now(), audit, &sign_in.id).await?;
    if user_changed {
        user.version += 1;
    }
    key.memo.remember_user(&user);
    Ok(client)
}

pub async fn attempt_first_factor(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
    strategy: &Strategy,
    secret: &str,
) -> CoreResult<Client> {
    let client = load_client(state, key).await?;
    if let Some(sign_in) = decoy_of(state, &client, id) {
        return attempt_decoy(state, ctx, client, sign_in, strategy, secret).await;
    }
    let loaded = attempt_of(state, client, id).await?;
    throttle::check(state, ctx, &loaded.2.id).await?;
    // A password is checked once, before the step: the hash is the slow part, and a retry
    // after a conflicting write need not repeat it.
    let password_check = if *strategy == Strategy::Password {
        let digest = loaded
            .2
            .password
            .as_ref()
            .ok_or(CoreError::StrategyInvalid { param: "strategy" })?;
        Some(passwords::check(&state.hasher, digest, secret).await?)
    } else {
        None
    };
    // The first try commits what was read before the check: the versioned writes refuse it if
    // the client or the user changed meanwhile, and the retry reads them again.
    let mut first = Some(loaded);
    let password_check = password_check.as_ref();
    let result = with_retry(|| {
        let read_before = first.take();
        async move {
            let (client, mut sign_in, mut user) = match read_before {
                Some(read) => read,
                None => load_attempt(state, key, id).await?,
            };
            let (outcome, user_changed) = match password_check {
                Some(check) => {
                    let trusted = is_trusted_device(state, &client, &user).await?;
                    let outcome =
                        sign_in.attempt_password(&user, check.correct, trusted, state.now());
                    // A right password that is marked compromised is not a failed attempt.
                    let failed = outcome.is_err() && outcome != Err(CoreError::PasswordCompromised);
                    if failed {
                        count_failure(state, &mut user);
                    }
                    // An imported or outdated digest is replaced as the password is proven.
                    let upgraded = check.apply_upgrade(&mut user, state.now());
                    (outcome, failed || upgraded)
                }
                None => (
                    sign_in.attempt_first_factor_code(&user, strategy, secret, state.now()),
                    false,
                ),
            };
            let client = finish_step(
                key,
                Change::new(state, ctx),
                client,
                sign_in,
                user,
                user_changed,
                "sign_in.attempt_first_factor",
            )
            .await?;
            Ok((client, outcome))
        }
    })
    .await?;
    finish_attempt(state, ctx, result).await
}

/// Counts a wrong password or code against the account and address, and returns the outcome.
async fn finish_attempt(
    state: &AppState,
    ctx: &RequestContext,
    result: (Client, CoreResult<()>),
) -> CoreResult<Client> {
    match result {
        (client, Ok(())) => Ok(client),
        (client, Err(e)) => {
            if matches!(e, CoreError::PasswordIncorrect | CoreError::CodeIncorrect)
                && let Some(user_id) = client.sign_in.as_ref().and_then(|s| s.user_id.as_deref())
            {
                throttle::record_failure(state, ctx, user_id).await;
            }
            Err(e)
        }
    }
}

pub async fn attempt_second_factor(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
    strategy: &Strategy,
    code: &str,
) -> CoreResult<Client> {
    {
        let (_, _, user) = load_attempt(state, key, id).await?;
        throttle::check(state, ctx, &user.id).await?;
    }
    let result = with_retry(|| async {
        let (client, mut sign_in, mut user) = load_attempt(state, key, id).await?;
        let outcome = sign_in.attempt_second_factor(&mut user, strategy, code, state.now());
        if outcome.is_err() {
            count_failure(state, &mut user);
        }
        // A used TOTP step or backup code is spent on the user whatever happens next.
        let client = finish_step(
            key,
            Change::new(state, ctx),
            client,
            sign_in,
            user,
            true,
            "sign_in.attempt_second_factor",
        )
        .await?;
        Ok((client, outcome))
    })
    .await?;
    finish_attempt(state, ctx, result).await
}

/// After a reset code: sets the new password (optionally signing out every other session of
/// the user) and moves on to a second factor or completion.
pub async fn reset_password(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
    password: String,
    sign_out_of_other_sessions: bool,
) -> CoreResult<Client> {
    check_policy(&password, false, &state.settings())?;
    let (_, sign_in, _) = load_attempt(state, key, id).await?;
    if sign_in.status != SignInStatus::NeedsNewPassword {
        return Err(CoreError::FlowInvalid {
            reason: "verify the reset code before setting a new password",
        });
    }
    let digest = state.hasher.hash(password).await?;
    with_retry(|| async {
        let (client, mut sign_in, mut user) = load_attempt(state, key, id).await?;
        sign_in.password_was_reset(&user, state.now())?;
        let now = state.now();
        user.set_password(digest.clone(), now);
        user.failed_verification_attempts = 0;
        let mut change_sessions = Vec::new();
        if sign_out_of_other_sessions || state.settings().sign_out_other_sessions_on_security_change
        {
            for mut s in state
                .store
                .live_sessions_of_user(&state.instance.id, &user.id)
                .await?
            {
                if end(&mut s, Ending::Revoked, now) {
                    change_sessions.push(s);
                }
            }
        }
        // The revocations commit with the password change.
        let mut change = Change::new(state, ctx);
        for s in change_sessions {
            change
                .write(Write::UpdateSession(s.clone()))
                .event(DomainEvent::SessionRevoked(s, Some(Box::new(user.clone()))));
        }
        finish_step(
            key,
            change,
            client,
            sign_in,
            user,
            true,
            "sign_in.reset_password",
        )
        .await
    })
    .await
}

pub async fn get(state: &AppState, key: &ClientKey, id: &str) -> CoreResult<Client> {
    let client = load_client(state, key).await?;
    if client.sign_in.as_ref().is_some_and(|s| s.id == id) {
        Ok(client)
    } else {
        Err(CoreError::NotFound {
            resource: "sign_in",
        })
    }
}
