//! Email links (`email_link`) in a sign-in: preparing one emails a link to `GET /v1/verify`;
//! opening it verifies the first factor of the sign-in on the client that asked for it (a
//! session starts there when nothing more is needed), and sends the browser on to the
//! `redirect_url` with Clerk's `__clerk_status` (and `__clerk_created_session` when it was that
//! same browser). The tab that asked finds the sign-in complete by polling it. A link from
//! `<UserProfile/>` verifies the address it went to, whichever browser opens it; the profile's
//! tab finds the address verified by polling it.

use usher_core::clients::email_links::{LinkOutcome, LinkToSend, LinkToken};
use usher_core::clients::{Client, decoys};
use usher_core::ids::{ClientId, IdentificationId, UserId};
use usher_core::mail::templates::MailTemplate;
use usher_core::sessions::lifecycle::ensure_can_sign_in;
use usher_core::users::User;
use usher_core::users::contact_links;
use usher_core::{CoreError, CoreResult};

use super::prepare_steps::{self, commit_decoy};
use super::sign_ins::{find_user, finish_step, load_decoy};
use super::sign_ups;
use super::{
    ClientKey, commit_client, get_user, queue_mail_later, queue_mail_to,
    send_sign_up_attempt_notice,
};
use crate::app::context::RequestContext;
use crate::app::{Change, with_retry};
use crate::state::AppState;

/// The start of every link's preparation: email links must be enabled (else the strategy is
/// invalid), and the link's landing page is an absolute URL on an allowed origin or a registered
/// redirect URL (the link is opened from an email, so a bare path has no page to be relative to).
async fn check_redirect(state: &AppState, raw: Option<&str>) -> CoreResult<String> {
    if !state.settings().email_link_enabled {
        return Err(CoreError::StrategyInvalid { param: "strategy" });
    }
    let raw = raw
        .filter(|r| !r.is_empty())
        .ok_or_else(|| CoreError::missing("redirect_url"))?;
    crate::app::redirect_urls::check(state, raw, "redirect_url", false).await
}

fn link_url(state: &AppState, token: &LinkToken) -> String {
    format!(
        "{}/v1/verify?token={}",
        state.frontend_api_url.trim_end_matches('/'),
        token.as_param()
    )
}

/// What a link is for, which says which email carries it.
#[derive(Clone, Copy)]
enum Purpose {
    SignIn,
    SignUp,
    Profile,
}

/// Queues the email carrying the link, in `change`: a sign-in's or a profile's to `user`, a
/// sign-up's to no user yet.
fn send_link(
    state: &AppState,
    change: &mut Change<'_>,
    to: &LinkToSend,
    user: Option<&User>,
    purpose: Purpose,
) {
    let url = link_url(state, &to.token);
    let template = match purpose {
        Purpose::SignIn => MailTemplate::EmailLinkSignIn { url },
        Purpose::SignUp => MailTemplate::EmailLinkSignUp { url },
        Purpose::Profile => MailTemplate::EmailLinkUserProfile { url },
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

/// `prepare_first_factor` with `strategy=email_link`: a new link to one of the user's
/// addresses. A decoy (enumeration protection) answers alike and emails nothing.
pub async fn prepare_sign_in(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
    email_address_id: Option<&str>,
    redirect_url: Option<&str>,
) -> CoreResult<Client> {
    let redirect_url = check_redirect(state, redirect_url).await?;
    if let Some((client, mut sign_in)) = load_decoy(state, key, id).await? {
        // The read a real sign-in makes for its user (who has none), so both cost the same.
        if let Some(identifier) = &sign_in.identifier {
            let _ = find_user(state, identifier).await?;
        }
        let (client_id, now) = (client.id.to_string(), state.now());
        decoys::prepare_email_link(
            &mut sign_in,
            email_address_id,
            &client_id,
            redirect_url,
            now,
        )?;
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
    let (client, sent) = prepare_steps::first_factor(
        state,
        ctx,
        key,
        id,
        |sign_in, client, user| {
            sign_in
                .prepare_email_link(
                    user,
                    email_address_id,
                    client.id.as_str(),
                    redirect_url.clone(),
                    state.now(),
                )
                .map(Some)
        },
        |change, to, user| send_link(state, change, to, Some(user), Purpose::SignIn),
    )
    .await?;
    if let Some((to, user)) = sent {
        queue_mail_later(state, ctx, id, move |state, change| {
            send_link(state, change, &to, Some(&user), Purpose::SignIn)
        });
    }
    Ok(client)
}

/// Sign-up `prepare_verification` with `strategy=email_link`: a link to the sign-up's address.
/// Under enumeration protection an address that has an account is sent no link; its owner is
/// told someone tried to sign up, as for a code.
pub async fn prepare_sign_up(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    id: &str,
    redirect_url: Option<&str>,
) -> CoreResult<Client> {
    let redirect_url = check_redirect(state, redirect_url).await?;
    let owner = sign_ups::address_owner(state, key, id).await?;
    prepare_steps::sign_up(state, ctx, key, id, |sign_up, client, change| {
        let sent = sign_up.prepare_email_link(
            owner.is_some(),
            client.id.as_str(),
            redirect_url.clone(),
            state.now(),
        )?;
        match (&sent, &owner, &sign_up.email_address) {
            (Some(to), _, _) => send_link(state, change, to, None, Purpose::SignUp),
            (None, Some(owner), Some(email)) => {
                send_sign_up_attempt_notice(state, change, owner, email);
            }
            _ => {}
        }
        Ok(())
    })
    .await
}

/// `/v1/me/email_addresses/{id}/prepare_verification` with `strategy=email_link`: a link that
/// verifies one of the signed-in user's unverified addresses, emailed to it.
pub async fn prepare_profile(
    state: &AppState,
    ctx: &RequestContext,
    user_id: &UserId,
    id: &IdentificationId,
    redirect_url: Option<&str>,
) -> CoreResult<User> {
    let redirect_url = check_redirect(state, redirect_url).await?;
    crate::app::identifiers::prepare_link_mine(
        state,
        ctx,
        user_id,
        id,
        &redirect_url,
        |c, to, u| send_link(state, c, to, Some(u), Purpose::Profile),
    )
    .await
}

/// Where the browser that opened a link goes: the `redirect_url` with Clerk's query
/// parameters.
fn landing(redirect_url: &str, outcome: LinkOutcome, session_id: Option<&str>) -> String {
    let Ok(mut url) = url::Url::parse(redirect_url) else {
        return redirect_url.to_owned();
    };
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("__clerk_status", outcome.as_str());
        if let Some(sid) = session_id {
            q.append_pair("__clerk_created_session", sid);
        }
    }
    url.into()
}

/// A link that names nothing to verify: nowhere to send the browser.
fn invalid_link() -> CoreError {
    CoreError::FlowInvalid {
        reason: "this link is not valid: ask for a new one",
    }
}

/// `GET /v1/verify?token=…`: opens an email link from the browser whose client is `opened_by`
/// (`key` is that browser's). Answers where the browser goes next.
pub async fn open(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    opened_by: Option<&ClientId>,
    raw_token: &str,
) -> CoreResult<String> {
    let token = LinkToken::parse(raw_token).ok_or_else(invalid_link)?;
    if contact_links::names_address(&token) {
        let opened = opened_by.map(ClientId::as_str);
        let (redirect_url, outcome) =
            crate::app::identifiers::open_link(state, ctx, &token, opened)
                .await?
                .ok_or_else(invalid_link)?;
        return Ok(match outcome {
            Ok(()) => landing(&redirect_url, LinkOutcome::Verified, None),
            Err(e) => landing(&redirect_url, LinkOutcome::of_error(&e), None),
        });
    }
    let client_id = ClientId::from_stored(token.client_id.clone());
    with_retry(|| async {
        let now = state.now();
        let mut client = state
            .store
            .get_client(&state.instance.id, &client_id)
            .await?
            .ok_or_else(invalid_link)?;
        let sign_in = client
            .sign_in
            .clone()
            .filter(|s| !s.decoy && !s.is_abandoned(now) && s.link_redirect_url(&token).is_some());
        let sign_up_at = client
            .sign_up
            .as_ref()
            .filter(|s| !s.is_abandoned(now))
            .and_then(|s| s.link_redirect_url(&token));
        let redirect_url = match &sign_in {
            Some(s) => s.link_redirect_url(&token),
            None => sign_up_at,
        }
        .ok_or_else(invalid_link)?
        .to_owned();
        let same_client = opened_by == Some(&client.id);
        if state.settings().email_link_require_same_client && !same_client {
            return Ok(landing(&redirect_url, LinkOutcome::ClientMismatch, None));
        }
        // The session starts on the client that asked; only the browser holding it gets a
        // new secret, and only when it is the one that opened the link.
        let key = if same_client {
            key.clone()
        } else {
            ClientKey::keeping_secret(&client)
        };
        let opened = opened_by.map(ClientId::as_str);
        let Some(mut sign_in) = sign_in else {
            let opening = Opening {
                token: &token,
                opened_by: opened,
                same_client,
                redirect_url: &redirect_url,
            };
            return open_sign_up(state, ctx, &key, client, opening).await;
        };
        let user_id = sign_in.user_id.clone().ok_or_else(invalid_link)?;
        let user = get_user(state, &UserId::from_stored(user_id)).await?;
        if ensure_can_sign_in(&user, now).is_err() {
            return Ok(landing(&redirect_url, LinkOutcome::Failed, None));
        }
        let change = Change::new(state, ctx);
        if let Err(e) = sign_in.open_email_link(&user, &token, opened, now) {
            // The spent try (or the expiry) is kept.
            client.sign_in = Some(sign_in);
            commit_client(
                change,
                &mut client,
                now,
                "sign_in.email_link",
                &token.verification_id,
            )
            .await?;
            return Ok(landing(&redirect_url, LinkOutcome::of_error(&e), None));
        }
        let client = finish_step(
            &key,
            change,
            client,
            sign_in,
            user,
            false,
            "sign_in.email_link",
        )
        .await?;
        let created = client
            .sign_in
            .as_ref()
            .and_then(|s| s.created_session_id.as_deref())
            .filter(|_| same_client);
        Ok(landing(&redirect_url, LinkOutcome::Verified, created))
    })
    .await
}

/// A link being opened: its token, the client of the browser that opened it (whether that is
/// the client that asked), and where that browser goes.
struct Opening<'a> {
    token: &'a LinkToken,
    opened_by: Option<&'a str>,
    same_client: bool,
    redirect_url: &'a str,
}

/// Opens a sign-up's email link: the address is verified, and when nothing else is missing
/// the user and its first session are created on the client that asked, in one transaction.
async fn open_sign_up(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    mut client: Client,
    o: Opening<'_>,
) -> CoreResult<String> {
    let (token, redirect_url) = (o.token, o.redirect_url);
    let now = state.now();
    let mut sign_up = client.sign_up.clone().ok_or_else(invalid_link)?;
    let mut change = Change::new(state, ctx);
    let outcome = sign_up.open_email_link(token, o.opened_by, now);
    if outcome.is_ok() && sign_up.is_ready(&state.settings()) {
        sign_ups::complete(&mut change, key, &mut client, &mut sign_up).await?;
    }
    let created = sign_up.created_session_id.clone().filter(|_| o.same_client);
    client.sign_up = Some(sign_up);
    commit_client(
        change,
        &mut client,
        now,
        "sign_up.email_link",
        &token.verification_id,
    )
    .await?;
    Ok(match outcome {
        Ok(()) => landing(redirect_url, LinkOutcome::Verified, created.as_deref()),
        Err(e) => landing(redirect_url, LinkOutcome::of_error(&e), None),
    })
}
