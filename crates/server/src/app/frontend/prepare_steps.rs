//! The frame shared by the steps that prepare a verification on the client's attempt (an
//! emailed code, a texted code, an email link; for a sign-in's first or second factor, or a
//! sign-up's address or number): load the attempt, let the domain prepare it and add what it
//! sends to the change, then commit the client with the change in one transaction, re-run
//! whole when a concurrent write wins the race.

use usher_core::CoreResult;
use usher_core::clients::Client;
use usher_core::clients::sign_ins::SignIn;
use usher_core::clients::sign_ups::SignUp;
use usher_core::users::User;

use super::{ClientKey, commit_client, write_client};
use crate::app::context::RequestContext;
use crate::app::{Change, with_retry};
use crate::state::AppState;

/// `prepare_first_factor` on the sign-in `id`: `prepare` makes what is to be sent to the user
/// (the answer renders the user as read here), and `send` adds it to the step's change, or,
/// with enumeration protection, is left to the caller to send after the answer (so that a real
/// account costs what a decoy does): given back with its user.
pub async fn first_factor<T>(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
    prepare: impl Fn(&mut SignIn, &Client, &User) -> CoreResult<Option<T>>,
    send: impl Fn(&mut Change<'_>, &T, &User),
) -> CoreResult<(Client, Option<(T, User)>)> {
    let later = state.settings().enumeration_protection;
    sign_in(
        state,
        ctx,
        key,
        id,
        "sign_in.prepare_first_factor",
        |sign_in, client, user, change| {
            key.memo.remember_user(user);
            let Some(to) = prepare(sign_in, client, user)? else {
                return Ok(None);
            };
            if later {
                return Ok(Some((to, user.clone())));
            }
            send(change, &to, user);
            Ok(None)
        },
    )
    .await
}

/// `prepare_second_factor` on the sign-in `id`: what `prepare` makes is sent with the step.
pub async fn second_factor<T>(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
    prepare: impl Fn(&mut SignIn, &User) -> CoreResult<Option<T>>,
    send: impl Fn(&mut Change<'_>, &T, &User),
) -> CoreResult<Client> {
    let (client, ()) = sign_in(
        state,
        ctx,
        key,
        id,
        "sign_in.prepare_second_factor",
        |sign_in, _, user, change| {
            if let Some(to) = prepare(sign_in, user)? {
                send(change, &to, user);
            }
            Ok(())
        },
    )
    .await?;
    Ok(client)
}

/// Prepares the sign-in `id` of the request's client: `prepare` changes the attempt (its user
/// as read for it) and queues what it sends on the change; the client is committed under
/// `action`. Gives the client as written and what `prepare` handed back.
async fn sign_in<R>(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
    action: &str,
    prepare: impl Fn(&mut SignIn, &Client, &User, &mut Change<'_>) -> CoreResult<R>,
) -> CoreResult<(Client, R)> {
    with_retry(|| async {
        let (mut client, mut sign_in, user) = super::sign_ins::load_attempt(state, key, id).await?;
        let mut change = Change::new(state, ctx);
        let out = prepare(&mut sign_in, &client, &user, &mut change)?;
        client.sign_in = Some(sign_in);
        commit_client(change, &mut client, state.now(), action, id).await?;
        Ok((client, out))
    })
    .await
}

/// Sign-up `prepare_verification` on the client's sign-up `id`: `prepare` changes the attempt
/// and queues what it sends on the change, committed with the client.
pub async fn sign_up(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
    prepare: impl Fn(&mut SignUp, &Client, &mut Change<'_>) -> CoreResult<()>,
) -> CoreResult<Client> {
    with_retry(|| async {
        let (mut client, mut sign_up) = super::sign_ups::load_attempt(state, key, id).await?;
        let mut change = Change::new(state, ctx);
        prepare(&mut sign_up, &client, &mut change)?;
        client.sign_up = Some(sign_up);
        commit_client(
            change,
            &mut client,
            state.now(),
            "sign_up.prepare_verification",
            id,
        )
        .await?;
        Ok(client)
    })
    .await
}

/// A decoy sign-in's step (enumeration protection): written as a real one is, sending nothing.
pub async fn commit_decoy(
    state: &AppState,
    ctx: &RequestContext,
    mut client: Client,
    sign_in: SignIn,
    action: &str,
    id: &str,
) -> CoreResult<Client> {
    client.sign_in = Some(sign_in);
    let mut change = Change::new(state, ctx);
    write_client(&mut change, &client);
    change.commit(action, Some(id)).await?;
    client.version += 1;
    Ok(client)
}
