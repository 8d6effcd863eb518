//! Sign-in with a passkey (`strategy=passkey`): started without an identifier (the button and
//! autofill) or prepared on an identified sign-in, attempted with the browser's assertion. The
//! challenge lives in the client's sign-in (server-side) and is answered once; a failed
//! answer counts against the user it names as a wrong code does.

use usher_core::clients::Client;
use usher_core::clients::sign_ins::SignIn;
use usher_core::passkeys::{RelyingParty, ceremony, sync_summary};
use usher_core::sessions::lifecycle::ensure_can_sign_in;
use usher_core::store::Write;
use usher_core::users::User;
use usher_core::{CoreError, CoreResult};

use super::sign_ins::{count_failure, finish_step, load_signed_out_client};
use super::{ClientKey, get_user, load_client, throttle, write_client};
use crate::app::context::RequestContext;
use crate::app::passkeys::{app_name, ensure_enabled};
use crate::app::{Change, with_retry};
use crate::state::AppState;

fn challenge(
    state: &AppState,
    origin: Option<&str>,
) -> CoreResult<(String, usher_core::passkeys::PendingCeremony)> {
    ensure_enabled(state)?;
    let rp = RelyingParty::of_origin(origin.unwrap_or_default())?;
    ceremony::start_sign_in(&rp, &app_name(state), state.now())
}

async fn commit(
    state: &AppState,
    ctx: &RequestContext,
    mut client: Client,
    audit: &str,
) -> CoreResult<Client> {
    client.updated_at = state.now();
    let mut change = Change::new(state, ctx);
    write_client(&mut change, &client);
    let target = client.sign_in.as_ref().map(|s| s.id.clone());
    change.commit(audit, target.as_deref()).await?;
    client.version += 1;
    Ok(client)
}

/// `POST /v1/client/sign_ins` with `strategy=passkey`: a sign-in that needs no identifier,
/// its first factor holding the request options.
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    origin: Option<&str>,
) -> CoreResult<Client> {
    let (nonce, pending) = challenge(state, origin)?;
    let mut client = load_signed_out_client(state, key).await?;
    let now = state.now();
    let mut sign_in = SignIn::start(None, None, now);
    sign_in.prepare_passkey(nonce, pending, now)?;
    client.sign_in = Some(sign_in);
    commit(state, ctx, client, "sign_in.create").await
}

/// `prepare_first_factor` with `strategy=passkey`: a new challenge for the sign-in (a decoy
/// gets one too: the options list no credential, so they tell nothing).
pub async fn prepare(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
    origin: Option<&str>,
) -> CoreResult<Client> {
    let (nonce, pending) = challenge(state, origin)?;
    with_retry(|| async {
        let mut client = load_client(state, key).await?;
        let mut sign_in = current(state, &client, id)?;
        sign_in.prepare_passkey(nonce.clone(), pending.clone(), state.now())?;
        client.sign_in = Some(sign_in);
        commit(state, ctx, client, "sign_in.prepare_first_factor").await
    })
    .await
}

/// No passkey that may sign in here matches the answer's credential.
fn not_found() -> CoreError {
    CoreError::PasskeyRefused {
        reason: "No passkey that may sign in here matches this credential.",
    }
}

fn current(state: &AppState, client: &Client, id: &str) -> CoreResult<SignIn> {
    client
        .sign_in
        .clone()
        .filter(|s| s.id == id && !s.is_abandoned(state.now()))
        .ok_or(CoreError::NotFound {
            resource: "sign_in",
        })
}

/// The passkey and its user the assertion names, if any may sign in with it.
async fn named(
    state: &AppState,
    credential_id: &str,
) -> CoreResult<Option<(usher_core::passkeys::PasskeyRecord, User)>> {
    let Some(passkey) = state
        .store
        .passkey_by_credential(&state.instance.id, credential_id)
        .await?
    else {
        return Ok(None);
    };
    let user = get_user(state, &passkey.user_id).await?;
    Ok(Some((passkey, user)))
}

/// `attempt_first_factor` with `strategy=passkey`: the assertion is checked against the
/// sign-in's challenge (spent whatever the outcome) and the stored credential; the user it
/// names is signed in, its counter and `last_used_at` written with the session.
pub async fn attempt(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
    public_key_credential: &str,
) -> CoreResult<Client> {
    ensure_enabled(state)?;
    let assertion = ceremony::parse_assertion(public_key_credential)?;
    let found = named(state, &assertion.credential_id).await?;
    if let Some((_, user)) = &found {
        throttle::check(state, ctx, user.id.as_str()).await?;
    }
    let (client, outcome) = with_retry(|| async {
        let mut client = load_client(state, key).await?;
        let mut sign_in = current(state, &client, id)?;
        let now = state.now();
        let pending = match sign_in.take_passkey_challenge(now) {
            Ok(p) => Some(p),
            Err(CoreError::FlowInvalid { reason }) => {
                return Err(CoreError::FlowInvalid { reason });
            }
            Err(e) => {
                client.sign_in = Some(sign_in);
                let client = commit(state, ctx, client, "sign_in.attempt_first_factor").await?;
                return Ok((client, Err(e)));
            }
        };
        // Read again within the retry: a conflicting write re-reads the user and passkey.
        let found = named(state, &assertion.credential_id).await?;
        let checked = match (&found, pending) {
            (Some((passkey, user)), Some(pending)) if sign_in.accepts_passkey_of(user) => {
                ensure_can_sign_in(user, now)?;
                passkey
                    .credential
                    .as_ref()
                    .ok_or_else(not_found)
                    .and_then(|stored| {
                        ceremony::finish_sign_in(&pending, &assertion, user.id.as_str(), stored)
                    })
            }
            _ => Err(not_found()),
        };
        match (found, checked) {
            // The user's step is written either way: signed in, or a failure counted.
            (Some((mut passkey, mut user)), checked) => {
                let mut change = Change::new(state, ctx);
                let outcome = match checked {
                    Ok(credential) => {
                        passkey.credential = Some(credential);
                        passkey.last_used_at = Some(now);
                        passkey.updated_at = now;
                        sync_summary(&mut user.passkeys, &passkey.id, Some(&passkey));
                        sign_in.passkey_verified(&user, now);
                        change.write(Write::PutPasskey(passkey));
                        Ok(())
                    }
                    Err(e) => {
                        count_failure(state, &mut user);
                        Err(e)
                    }
                };
                let client = finish_step(
                    key,
                    change,
                    client,
                    sign_in,
                    user,
                    true,
                    "sign_in.attempt_first_factor",
                )
                .await?;
                Ok((client, outcome))
            }
            (None, Err(e)) => {
                client.sign_in = Some(sign_in);
                let client = commit(state, ctx, client, "sign_in.attempt_first_factor").await?;
                Ok((client, Err(e)))
            }
            (None, Ok(_)) => Err(not_found()),
        }
    })
    .await?;
    match outcome {
        Ok(()) => Ok(client),
        Err(e) => {
            if matches!(
                e,
                CoreError::VerificationFailed | CoreError::PasskeyRefused { .. }
            ) && let Some((_, user)) = &found
            {
                throttle::record_failure(state, ctx, user.id.as_str()).await;
            }
            Err(e)
        }
    }
}
