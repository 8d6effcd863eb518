//! Email links (`email_link`) in a sign-in: preparing one emails a link to `GET /v1/verify`;
//! opening it verifies the first factor of the sign-in on the client that asked for it (a
//! session starts there when nothing more is needed), and sends the browser on to the
//! `redirect_url` with Clerk's `__clerk_status` (and `__clerk_created_session` when it was that
//! same browser). The tab that asked finds the sign-in complete by polling it.

use usher_core::clients::email_links::{LinkOutcome, LinkToSend, LinkToken};
use usher_core::clients::{Client, decoys};
use usher_core::ids::{ClientId, IdentificationId, UserId};
use usher_core::mail::templates::{MailTemplate, compose_branded};
use usher_core::sessions::lifecycle::ensure_can_sign_in;
use usher_core::users::User;
use usher_core::{CoreError, CoreResult};

use super::sign_ins::{finish_step, load_attempt, load_decoy};
use super::{ClientKey, commit_client, get_user, queue_mail_later, write_client};
use crate::app::context::RequestContext;
use crate::app::{Change, with_retry};
use crate::state::AppState;

/// The one place a link's `redirect_url` is checked: an absolute http(s) URL on an allowed
/// origin.
fn check_redirect(state: &AppState, raw: Option<&str>) -> CoreResult<String> {
    let raw = raw
        .filter(|r| !r.is_empty())
        .ok_or_else(|| CoreError::missing("redirect_url"))?;
    let allowed = |origin: &str| crate::fapi::origins::is_allowed(state, origin);
    usher_core::oauth::flow::check_redirect_url(raw, "redirect_url", allowed)
}

fn link_url(state: &AppState, token: &LinkToken) -> String {
    format!(
        "{}/v1/verify?token={}",
        state.frontend_api_url.trim_end_matches('/'),
        token.as_param()
    )
}

/// Queues the email carrying the link, in `change`.
fn send_link(state: &AppState, change: &mut Change<'_>, to: &LinkToSend, user: &User) {
    let msg = compose_branded(
        &MailTemplate::EmailLinkSignIn {
            url: link_url(state, &to.token),
        },
        user.locale.as_deref(),
        &state.branding(),
        &to.email_address,
        Some(&IdentificationId::from_stored(to.email_address_id.clone())),
        Some(&user.id),
        state.now(),
    );
    crate::app::mail::queue(change, msg);
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
    if !state.settings().email_link_enabled {
        return Err(CoreError::StrategyInvalid { param: "strategy" });
    }
    let redirect_url = check_redirect(state, redirect_url)?;
    if let Some((mut client, mut sign_in)) = load_decoy(state, key, id).await? {
        let (client_id, now) = (client.id.to_string(), state.now());
        decoys::prepare_email_link(
            &mut sign_in,
            email_address_id,
            &client_id,
            redirect_url,
            now,
        )?;
        client.sign_in = Some(sign_in);
        let mut change = Change::new(state, ctx);
        write_client(&mut change, &client);
        change
            .commit("sign_in.prepare_first_factor", Some(id))
            .await?;
        client.version += 1;
        return Ok(client);
    }
    // With enumeration protection the email is queued after the answer, as a code's is.
    let later = state.settings().enumeration_protection;
    let (client, sent) = with_retry(|| async {
        let (mut client, mut sign_in, user) = load_attempt(state, key, id).await?;
        key.memo.remember_user(&user);
        let sent = sign_in.prepare_email_link(
            &user,
            email_address_id,
            client.id.as_str(),
            redirect_url.clone(),
            state.now(),
        )?;
        let mut change = Change::new(state, ctx);
        if !later {
            send_link(state, &mut change, &sent, &user);
        }
        client.sign_in = Some(sign_in);
        commit_client(
            change,
            &mut client,
            state.now(),
            "sign_in.prepare_first_factor",
            id,
        )
        .await?;
        Ok((client, later.then_some((sent, user))))
    })
    .await?;
    if let Some((to, user)) = sent {
        queue_mail_later(state, ctx, id, move |state, change| {
            send_link(state, change, &to, &user)
        });
    }
    Ok(client)
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
    let client_id = ClientId::from_stored(token.client_id.clone());
    with_retry(|| async {
        let now = state.now();
        let mut client = state
            .store
            .get_client(&state.instance.id, &client_id)
            .await?
            .ok_or_else(invalid_link)?;
        let mut sign_in = client
            .sign_in
            .clone()
            .filter(|s| !s.decoy && !s.is_abandoned(now))
            .ok_or_else(invalid_link)?;
        let redirect_url = sign_in
            .link_redirect_url(&token)
            .ok_or_else(invalid_link)?
            .to_owned();
        let same_client = opened_by == Some(&client.id);
        if state.settings().email_link_require_same_client && !same_client {
            return Ok(landing(&redirect_url, LinkOutcome::ClientMismatch, None));
        }
        let user_id = sign_in.user_id.clone().ok_or_else(invalid_link)?;
        let user = get_user(state, &UserId::from_stored(user_id)).await?;
        if ensure_can_sign_in(&user, now).is_err() {
            return Ok(landing(&redirect_url, LinkOutcome::Failed, None));
        }
        let change = Change::new(state, ctx);
        let opened = opened_by.map(ClientId::as_str);
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
        // The session starts on the client that asked; only the browser holding it gets a
        // new secret, and only when it is the one that opened the link.
        let key = if same_client {
            key.clone()
        } else {
            ClientKey::keeping_secret(&client)
        };
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
