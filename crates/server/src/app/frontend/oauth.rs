//! Social and enterprise sign-in (`oauth_<provider>`): the start of a sign-in or sign-up, which
//! stores the flow's state and hands clerk-js the provider's authorization URL; the callback,
//! which takes the state once, exchanges the code, checks the ID token (or GitHub's API) and
//! signs the account's user in, links a verified address's user, or leaves the sign-in
//! `transferable`; and the transfer, which creates the user. Each ends in one transaction with
//! the client, the user and the external account's row.

use usher_core::clients::factors::FactorVerification;
use usher_core::clients::sign_ins::SignIn;
use usher_core::clients::sign_ups::{SignUp, SignUpStatus};
use usher_core::clients::{Client, Strategy};
use usher_core::clock::Millis;
use usher_core::events::DomainEvent;
use usher_core::ids::{ClientId, UserId};
use usher_core::oauth::accounts::{Transfer, seal_context};
use usher_core::oauth::flow::{AuthRequest, Intent, state_digest};
use usher_core::oauth::{
    ExternalAccount, LinkDecision, OAuthProvider, Profile, ProviderTokens, decide, verify_id_token,
};
use usher_core::sessions::lifecycle::{ensure_can_sign_in, record_sign_in};
use usher_core::store::Write;
use usher_core::users::User;
use usher_core::users::identifiers::IdentifierKind;
use usher_core::users::model::Verification;
use usher_core::{CoreError, CoreResult};

use super::{ClientKey, commit_client, get_user, load_client, start_sign_up_session, write_client};
use crate::app::context::RequestContext;
use crate::app::{Change, redirect_urls};
use crate::outbound::oauth as http;
use crate::state::AppState;

/// Where providers send the browser back: register it as the client's redirect URI.
pub fn callback_url(state: &AppState) -> String {
    format!(
        "{}/v1/oauth_callback",
        state.frontend_api_url.trim_end_matches('/')
    )
}

pub(super) async fn enabled_provider(state: &AppState, name: &str) -> CoreResult<OAuthProvider> {
    state
        .store
        .oauth_provider(&state.instance.id, name)
        .await?
        .filter(|p| p.enabled)
        .ok_or(CoreError::StrategyInvalid { param: "strategy" })
}

/// What starting a social sign-in or sign-up takes.
pub struct Start {
    pub provider: String,
    pub redirect_url: Option<String>,
    pub action_complete_redirect_url: Option<String>,
}

/// `POST /v1/client/sign_ins` (or `sign_ups`) with `strategy=oauth_<provider>`: a new attempt
/// whose verification carries the provider's authorization URL.
pub async fn start(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    req: Start,
    sign_up: bool,
) -> CoreResult<Client> {
    let provider = enabled_provider(state, &req.provider).await?;
    let raw = req
        .redirect_url
        .ok_or_else(|| CoreError::missing("redirect_url"))?;
    let redirect_url = redirect_urls::check(state, &raw, "redirect_url", false).await?;
    let action_complete = redirect_urls::check_opt(
        state,
        req.action_complete_redirect_url,
        "action_complete_redirect_url",
        false,
    )
    .await?;
    let endpoints = http::endpoints(
        provider.preset,
        provider.discovery_url.as_deref(),
        state.now(),
    )
    .await?;
    let mut client = load_client(state, key).await?;
    let now = state.now();
    let strategy = Strategy::Oauth(provider.provider.clone());
    let (intent, attempt_id) = if sign_up {
        let su = SignUp::start(now);
        let id = su.id.clone();
        client.sign_up = Some(su);
        (
            Intent::SignUp {
                sign_up_id: id.clone(),
            },
            id,
        )
    } else {
        let si = SignIn::start(None, None, now);
        let id = si.id.clone();
        client.sign_in = Some(si);
        (
            Intent::SignIn {
                sign_in_id: id.clone(),
            },
            id,
        )
    };
    let request = AuthRequest::start(
        client.id.as_str(),
        &provider.provider,
        intent,
        redirect_url,
        action_complete,
        now,
    );
    let url = request.authorization_url(
        &endpoints.authorization_endpoint,
        &provider.client_id,
        &callback_url(state),
        &provider.scopes,
        provider.preset.is_oidc(),
    )?;
    let verification = FactorVerification::external(strategy, url, request.pending.expires_at);
    if let Some(si) = client.sign_in.as_mut().filter(|_| !sign_up) {
        si.first_factor = Some(verification);
    } else if let Some(su) = client.sign_up.as_mut() {
        su.external_verification = Some(verification);
    }
    state
        .store
        .insert_oauth_state(&state.instance.id, &request.pending)
        .await?;
    let action = if sign_up {
        "sign_up.create"
    } else {
        "sign_in.create"
    };
    let change = Change::new(state, ctx);
    commit_client(change, &mut client, now, action, &attempt_id).await?;
    Ok(client)
}

/// The provider's answer at `/v1/oauth_callback`.
pub struct Callback {
    pub state: String,
    pub code: Option<String>,
    pub error: Option<String>,
}

/// The profile the provider vouches for, and its tokens.
pub(super) struct Answer {
    pub(super) profile: Profile,
    access_token: String,
    refresh_token: Option<String>,
    expires_at: Option<i64>,
    pub(super) scopes: String,
}

/// The provider's answer; a failure drops its kept discovery document (its keys or endpoints
/// may have changed), so the next flow fetches it again.
async fn ask_provider(
    state: &AppState,
    provider: &OAuthProvider,
    code: &str,
    verifier: &str,
    nonce: &str,
) -> CoreResult<Answer> {
    let answer = ask_provider_once(state, provider, code, verifier, nonce).await;
    if answer.is_err() {
        http::forget_discovery(provider.discovery_url.as_deref());
    }
    answer
}

async fn ask_provider_once(
    state: &AppState,
    provider: &OAuthProvider,
    code: &str,
    verifier: &str,
    nonce: &str,
) -> CoreResult<Answer> {
    let endpoints = http::endpoints(
        provider.preset,
        provider.discovery_url.as_deref(),
        state.now(),
    )
    .await?;
    let secret = crate::app::oauth_providers::client_secret(state, provider).await?;
    let tokens = http::exchange(
        &endpoints.token_endpoint,
        &provider.client_id,
        &secret,
        code,
        &callback_url(state),
        verifier,
    )
    .await?;
    let profile = if provider.preset.is_oidc() {
        let id_token = tokens
            .id_token
            .as_deref()
            .ok_or(CoreError::VerificationFailed)?;
        let jwks_uri = endpoints
            .jwks_uri
            .as_deref()
            .ok_or(CoreError::VerificationFailed)?;
        let jwks = http::jwks(jwks_uri).await?;
        let mut claims = verify_id_token(
            id_token,
            &jwks,
            &endpoints,
            &provider.client_id,
            nonce,
            state.now(),
        )
        .map_err(|e| {
            tracing::warn!(error = %e, provider = %provider.provider, "ID token refused");
            CoreError::VerificationFailed
        })?;
        // The ID token may leave the profile to userinfo; its subject must be the token's.
        if !claims.contains_key("email")
            && let Some(u) = endpoints.userinfo_endpoint.as_deref()
        {
            let info = http::userinfo(u, &tokens.access_token).await?;
            if info.get("sub") == claims.get("sub") {
                for (k, v) in info {
                    claims.entry(k).or_insert(v);
                }
            }
        }
        Profile::from_oidc_claims(&claims).ok_or(CoreError::VerificationFailed)?
    } else {
        let user_endpoint = endpoints
            .userinfo_endpoint
            .as_deref()
            .ok_or(CoreError::VerificationFailed)?;
        http::github_profile(user_endpoint, &tokens.access_token).await?
    };
    Ok(Answer {
        profile,
        expires_at: tokens.expires_in.map(|s| state.now() + s * 1000),
        scopes: tokens.scope.unwrap_or_else(|| provider.scopes.clone()),
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
    })
}

/// The external account's row with the provider's tokens sealed to it.
pub(super) async fn sealed_tokens(
    state: &AppState,
    account: &ExternalAccount,
    user_id: &str,
    answer: &Answer,
) -> CoreResult<ProviderTokens> {
    let keys = state.api_key_keys().await?;
    let seal = |which: &str, t: &str| -> CoreResult<String> {
        Ok(keys.seal(&seal_context(&account.id, which), t)?.0)
    };
    let now = state.now();
    Ok(ProviderTokens {
        external_account_id: account.id.clone(),
        user_id: user_id.to_owned(),
        provider: account.provider.clone(),
        provider_user_id: account.provider_user_id.clone(),
        access_token_sealed: Some(seal("access", &answer.access_token)?),
        refresh_token_sealed: match &answer.refresh_token {
            Some(t) => Some(seal("refresh", t)?),
            None => None,
        },
        expires_at: answer.expires_at,
        scopes: answer.scopes.clone(),
        created_at: now,
        updated_at: now,
    })
}

/// The user's account at `provider` as `answer` describes it: the one already linked, refreshed,
/// or a new one (with the id the flow reserved for it, if any) tied to the user's email address
/// it names. `true` when it is new. A reserved id the user already has is another account of
/// the provider: refused.
pub(super) fn link_account(
    user: &mut User,
    provider: &str,
    answer: &Answer,
    reserved_id: Option<&str>,
    now: Millis,
) -> CoreResult<(ExternalAccount, bool)> {
    let existing = user
        .external_accounts
        .iter_mut()
        .find(|a| a.provider == provider && a.provider_user_id == answer.profile.provider_user_id);
    if let Some(a) = existing {
        a.refresh(&answer.profile, &answer.scopes, now);
        return Ok((a.clone(), false));
    }
    if reserved_id.is_some_and(|id| user.external_accounts.iter().any(|a| a.id == id)) {
        return Err(CoreError::VerificationFailed);
    }
    let mut a = ExternalAccount::new(provider, &answer.profile, &answer.scopes, now);
    if let Some(id) = reserved_id {
        a.id = id.to_owned();
    }
    a.identification_id = user
        .email_addresses
        .iter()
        .find(|e| e.email_address.eq_ignore_ascii_case(&a.email_address))
        .map(|e| e.id.to_string());
    user.external_accounts.push(a.clone());
    Ok((a, true))
}

/// [`sealed_tokens`] of an account [`link_account`] gave: a refreshed account's keep the time
/// they were first stored.
pub(super) async fn linked_tokens(
    state: &AppState,
    account: &ExternalAccount,
    user_id: &str,
    answer: &Answer,
    created: bool,
) -> CoreResult<ProviderTokens> {
    let mut tokens = sealed_tokens(state, account, user_id, answer).await?;
    if !created {
        tokens.created_at = account.created_at;
    }
    Ok(tokens)
}

/// The provider's access token of an external account, opened.
pub async fn open_access_token(state: &AppState, t: &ProviderTokens) -> CoreResult<Option<String>> {
    let Some(sealed) = &t.access_token_sealed else {
        return Ok(None);
    };
    let keys = state.api_key_keys().await?;
    let context = seal_context(&t.external_account_id, "access");
    Ok(Some(keys.open(
        &context,
        &usher_core::api_keys::SealedSecret(sealed.clone()),
    )?))
}

/// `GET /v1/oauth_callback`: where the browser goes next (the flow's `redirect_url`).
pub async fn callback(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    client_id: Option<&ClientId>,
    cb: Callback,
) -> CoreResult<String> {
    let pending = state
        .store
        .take_oauth_state(&state.instance.id, &state_digest(&cb.state))
        .await?
        .ok_or(CoreError::FlowInvalid {
            reason: "this sign-in link was used already or has expired",
        })?;
    pending.check(client_id.map(ClientId::as_str), state.now())?;
    let provider = enabled_provider(state, &pending.provider).await?;
    let strategy = Strategy::Oauth(provider.provider.clone());
    let mut client = load_client(state, key).await?;
    let connect = matches!(pending.intent, Intent::Connect { .. });
    let code = match (cb.code, cb.error) {
        (Some(c), None) if !c.is_empty() => c,
        // Refused at the provider (or no code): nothing is connected.
        _ if connect => return Ok(pending.redirect_url),
        _ => {
            // Refused at the provider (or no code): the attempt's verification failed.
            fail(state, ctx, &mut client, &strategy).await?;
            return Ok(pending.redirect_url);
        }
    };
    let answer = ask_provider(
        state,
        &provider,
        &code,
        &pending.pkce_verifier,
        &pending.nonce,
    )
    .await?;
    if connect {
        super::oauth_connect::finish(state, ctx, &client, &pending, &provider, &answer).await?;
        return Ok(pending.redirect_url);
    }
    let linked = match state
        .store
        .external_account_by_subject(
            &state.instance.id,
            &provider.provider,
            &answer.profile.provider_user_id,
        )
        .await?
    {
        Some(row) => Some(get_user(state, &UserId::from_stored(row.user_id)).await?),
        None => None,
    };
    let by_email = match &answer.profile.email_address {
        Some(e) => {
            state
                .store
                .user_by_identifier(&state.instance.id, IdentifierKind::Email, e)
                .await?
        }
        None => None,
    };
    match decide(&answer.profile, linked.as_ref(), by_email.as_ref()) {
        LinkDecision::SignIn(_) | LinkDecision::Link(_) => {
            let user = linked.or(by_email).ok_or(CoreError::VerificationFailed)?;
            sign_in(state, ctx, key, client, user, &provider, &answer).await?;
        }
        LinkDecision::NewUser => {
            let account = ExternalAccount::new(
                &provider.provider,
                &answer.profile,
                &answer.scopes,
                state.now(),
            );
            let tokens = sealed_tokens(state, &account, "", &answer).await?;
            let transfer = Transfer { account, tokens };
            match pending.intent {
                Intent::SignUp { .. } => {
                    create_user(state, ctx, key, client, transfer).await?;
                }
                _ => {
                    let mut si = client
                        .sign_in
                        .clone()
                        .unwrap_or_else(|| SignIn::start(None, None, state.now()));
                    si.transferable(strategy, transfer, state.now());
                    client.sign_in = Some(si);
                    client.updated_at = state.now();
                    let mut change = Change::new(state, ctx);
                    write_client(&mut change, &client);
                    change.commit("sign_in.oauth_transferable", None).await?;
                }
            }
        }
        LinkDecision::Refuse => fail(state, ctx, &mut client, &strategy).await?,
    }
    Ok(pending.redirect_url)
}

async fn fail(
    state: &AppState,
    ctx: &RequestContext,
    client: &mut Client,
    strategy: &Strategy,
) -> CoreResult<()> {
    if let Some(si) = client.sign_in.as_mut() {
        let expire_at = si.external_expiry(strategy, state.now());
        let mut v = FactorVerification::checked(strategy.clone(), false);
        v.status = usher_core::clients::factors::VerificationStatus::Failed;
        v.expire_at = Some(expire_at);
        si.first_factor = Some(v);
        si.updated_at = state.now();
    }
    client.updated_at = state.now();
    let mut change = Change::new(state, ctx);
    write_client(&mut change, client);
    change.commit("sign_in.oauth_failed", None).await?;
    client.version += 1;
    Ok(())
}

/// Signs `user` in with the provider's account, linking it first when it is new to the user.
async fn sign_in(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    client: Client,
    mut user: User,
    provider: &OAuthProvider,
    answer: &Answer,
) -> CoreResult<Client> {
    ensure_can_sign_in(&user, state.now())?;
    let now = state.now();
    let (account, created) = link_account(&mut user, &provider.provider, answer, None, now)?;
    let tokens = linked_tokens(state, &account, user.id.as_str(), answer, created).await?;
    let mut si = client
        .sign_in
        .clone()
        .unwrap_or_else(|| SignIn::start(None, None, now));
    si.verified_by_provider(&user, Strategy::Oauth(provider.provider.clone()), now);
    let mut change = Change::new(state, ctx);
    change.write(Write::PutExternalAccount(tokens));
    if created {
        change.audit("external_account.create", Some(&account.id));
    }
    super::sign_ins::finish_step(key, change, client, si, user, true, "sign_in.oauth").await
}

/// A transferable social sign-in (or a social sign-up) for a new account: the client's sign-up
/// holds the account, and creates its user at once when the provider gave every field the
/// instance requires; otherwise it waits in `missing_requirements` for an update that gives
/// the rest (clerk-js's "continue" step), which [`complete_social`] then finishes.
async fn create_user(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    mut client: Client,
    transfer: Transfer,
) -> CoreResult<Client> {
    let now = state.now();
    let mut su = client
        .sign_up
        .clone()
        .filter(|s| s.status != SignUpStatus::Complete && !s.is_abandoned(now))
        .unwrap_or_else(|| SignUp::start(now));
    let strategy = Strategy::Oauth(transfer.account.provider.clone());
    su.hold_social(strategy, transfer, now);
    if let Some(si) = client.sign_in.as_mut() {
        si.oauth_transfer = None;
    }
    let mut change = Change::new(state, ctx);
    let ready = su.is_ready(&state.settings());
    let user = if ready {
        Some(complete_social(&mut change, key, &mut client, &mut su).await?)
    } else {
        None
    };
    let su_id = su.id.clone();
    client.sign_up = Some(su);
    let action = if ready {
        "sign_up.oauth"
    } else {
        "sign_up.oauth_missing_requirements"
    };
    commit_client(change, &mut client, now, action, &su_id).await?;
    if let Some(user) = &user {
        key.memo.remember_user(user);
    }
    Ok(client)
}

/// Creates the user a held social sign-up describes, with its external account, and signs it
/// in, all in `change`.
pub(super) async fn complete_social(
    change: &mut Change<'_>,
    key: &ClientKey,
    client: &mut Client,
    su: &mut SignUp,
) -> CoreResult<User> {
    let state = change.state();
    let now = state.now();
    let settings = state.settings();
    su.ensure_complete(&settings)?;
    let Transfer {
        mut account,
        mut tokens,
    } = su.oauth_transfer.take().ok_or(CoreError::FlowInvalid {
        reason: "there is no social account to create the user with",
    })?;
    let mut user = su.to_user(&settings, now)?;
    for e in &mut user.email_addresses {
        if e.email_address.eq_ignore_ascii_case(&account.email_address) {
            e.verification = if account.email_verified {
                Verification::Oauth
            } else {
                Verification::Unverified
            };
            account.identification_id = Some(e.id.to_string());
        }
    }
    if user.image_url.is_none() {
        user.image_url = account.image_url.clone();
    }
    user.external_accounts.push(account.clone());
    tokens.user_id = user.id.to_string();
    record_sign_in(&mut user, now);
    change
        .write(Write::InsertUser(user.clone()))
        .event(DomainEvent::UserCreated(user.clone()))
        .write(Write::PutExternalAccount(tokens));
    let strategy = Strategy::Oauth(account.provider.clone());
    let session = start_sign_up_session(change, key, client, &mut user, &strategy);
    crate::app::organization_enrollment::enroll(change, &user, None).await?;
    change.count(usher_core::activity::ActivityKind::SignUp);
    su.complete(user.id.as_str(), session.id.as_str(), now);
    Ok(user)
}

/// `POST /v1/client/sign_ups` with `transfer=true`: the user the client's transferable social
/// sign-in described.
pub async fn transfer(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
) -> CoreResult<Client> {
    let client = load_client(state, key).await?;
    let transfer = client
        .sign_in
        .as_ref()
        .and_then(|s| s.oauth_transfer.clone())
        .ok_or(CoreError::FlowInvalid {
            reason: "there is no sign-in to transfer",
        })?;
    create_user(state, ctx, key, client, transfer).await
}
