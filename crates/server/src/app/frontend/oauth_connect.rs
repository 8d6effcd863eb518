//! Connected accounts from `<UserProfile/>`: `POST /v1/me/external_accounts` reserves the new
//! account's id and hands clerk-js the provider's authorization URL (its state bound to this
//! browser's client and to the signed-in user), `…/reauthorize` does the same for an account the
//! user has, and the callback links what the provider vouches for — never an account connected
//! to another user. The account exists only once the provider's round trip is complete.

use usher_core::clients::Client;
use usher_core::events::DomainEvent;
use usher_core::ids::UserId;
use usher_core::oauth::accounts::ID_PREFIX;
use usher_core::oauth::flow::{AuthRequest, Intent, check_redirect_url};
use usher_core::oauth::{ExternalAccount, OAuthProvider, PendingAuth};
use usher_core::store::Write;
use usher_core::{CoreError, CoreResult};

use super::oauth::{Answer, callback_url, enabled_provider, link_account, linked_tokens};
use super::{ClientKey, get_user, load_client};
use crate::app::context::RequestContext;
use crate::app::{Change, with_retry};
use crate::outbound::oauth as http;
use crate::state::AppState;

/// What connecting (or reauthorizing) an account takes.
pub struct Connect {
    /// `oauth_<provider>`.
    pub strategy: String,
    pub redirect_url: Option<String>,
    pub action_complete_redirect_url: Option<String>,
    /// Scopes asked for beyond the provider's configured ones (`additional_scope`).
    pub additional_scopes: Vec<String>,
}

/// The account as it stands while the browser is at the provider, and where to send it.
pub struct Pending {
    pub account: ExternalAccount,
    pub redirect_url: String,
    pub expire_at: i64,
}

/// The provider's scopes, then `extra` ones it does not have (split on spaces and commas).
pub fn scopes_with(base: &str, extra: &[String]) -> String {
    let mut out: Vec<&str> = base.split_whitespace().collect();
    for s in extra.iter().flat_map(|e| e.split([' ', ','])) {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
    out.join(" ")
}

async fn start(
    state: &AppState,
    key: &ClientKey,
    user_id: &UserId,
    provider: &OAuthProvider,
    account: ExternalAccount,
    req: Connect,
) -> CoreResult<Pending> {
    let allowed = |origin: &str| crate::fapi::origins::is_allowed(state, origin);
    let raw = req
        .redirect_url
        .ok_or_else(|| CoreError::missing("redirect_url"))?;
    let redirect_url = check_redirect_url(&raw, "redirect_url", allowed)?;
    let action_complete = match req.action_complete_redirect_url {
        Some(u) => Some(check_redirect_url(
            &u,
            "action_complete_redirect_url",
            allowed,
        )?),
        None => None,
    };
    let now = state.now();
    let endpoints =
        http::endpoints(provider.preset, provider.discovery_url.as_deref(), now).await?;
    let client = load_client(state, key).await?;
    let base = scopes_with(
        &provider.scopes,
        std::slice::from_ref(&account.approved_scopes),
    );
    let scopes = scopes_with(&base, &req.additional_scopes);
    let request = AuthRequest::start(
        client.id.as_str(),
        &provider.provider,
        Intent::Connect {
            user_id: user_id.to_string(),
            external_account_id: Some(account.id.clone()),
        },
        redirect_url,
        action_complete,
        now,
    );
    let url = request.authorization_url(
        &endpoints.authorization_endpoint,
        &provider.client_id,
        &callback_url(state),
        &scopes,
        provider.preset.is_oidc(),
    )?;
    state
        .store
        .insert_oauth_state(&state.instance.id, &request.pending)
        .await?;
    Ok(Pending {
        account,
        redirect_url: url,
        expire_at: request.pending.expires_at,
    })
}

/// `POST /v1/me/external_accounts`: a new account of `strategy`'s provider, to be connected
/// when the browser comes back.
pub async fn connect(
    state: &AppState,
    key: &ClientKey,
    user_id: &UserId,
    req: Connect,
) -> CoreResult<Pending> {
    let name = req
        .strategy
        .strip_prefix("oauth_")
        .ok_or(CoreError::StrategyInvalid { param: "strategy" })?;
    let provider = enabled_provider(state, name).await?;
    get_user(state, user_id).await?;
    let now = state.now();
    let account = ExternalAccount {
        id: usher_core::ids::new_id(ID_PREFIX),
        provider: provider.provider.clone(),
        provider_user_id: String::new(),
        identification_id: None,
        email_address: String::new(),
        email_verified: false,
        first_name: None,
        last_name: None,
        image_url: None,
        username: None,
        approved_scopes: String::new(),
        label: None,
        public_metadata: Default::default(),
        created_at: now,
        updated_at: now,
    };
    start(state, key, user_id, &provider, account, req).await
}

/// `PATCH /v1/me/external_accounts/{id}/reauthorize`: the user's account `id` through the
/// provider again (for more scopes, or fresh tokens).
pub async fn reauthorize(
    state: &AppState,
    key: &ClientKey,
    user_id: &UserId,
    id: &str,
    additional_scopes: Vec<String>,
    redirect_url: Option<String>,
    action_complete_redirect_url: Option<String>,
) -> CoreResult<Pending> {
    let user = get_user(state, user_id).await?;
    let account = user
        .external_accounts
        .iter()
        .find(|a| a.id == id)
        .cloned()
        .ok_or(CoreError::NotFound {
            resource: "external account",
        })?;
    let provider = enabled_provider(state, &account.provider).await?;
    let req = Connect {
        strategy: format!("oauth_{}", account.provider),
        redirect_url,
        action_complete_redirect_url,
        additional_scopes,
    };
    start(state, key, user_id, &provider, account, req).await
}

/// The callback of a connect flow: the provider's account linked to the user who started it,
/// from the browser client it was started in while that user is still signed in there.
pub(super) async fn finish(
    state: &AppState,
    ctx: &RequestContext,
    client: &Client,
    pending: &PendingAuth,
    provider: &OAuthProvider,
    answer: &Answer,
) -> CoreResult<()> {
    let Intent::Connect {
        user_id,
        external_account_id,
    } = &pending.intent
    else {
        return Err(CoreError::FlowInvalid {
            reason: "this is not a connection",
        });
    };
    let user_id = UserId::from_stored(user_id.clone());
    // The state is this client's (checked by the callback); its user must still be signed in
    // there.
    let session = super::clients::current_session(state, client, None).await?;
    if session.user_id != user_id {
        return Err(CoreError::SignedOut);
    }
    let owner = state
        .store
        .external_account_by_subject(
            &state.instance.id,
            &provider.provider,
            &answer.profile.provider_user_id,
        )
        .await?;
    if owner
        .as_ref()
        .is_some_and(|o| o.user_id != user_id.as_str())
    {
        return Err(CoreError::ExternalAccountExists);
    }
    with_retry(|| async {
        let mut user = get_user(state, &user_id).await?;
        let now = state.now();
        // The account this provider account already is, else the one reserved at the start.
        let reserved = external_account_id.as_deref();
        let (account, created) =
            link_account(&mut user, &provider.provider, answer, reserved, now)?;
        let tokens = linked_tokens(state, &account, user.id.as_str(), answer, created).await?;
        user.updated_at = now;
        let mut change = Change::new(state, ctx);
        change
            .write(Write::UpdateUser(user.clone()))
            .write(Write::PutExternalAccount(tokens))
            .event(DomainEvent::UserUpdated(user.clone()));
        let action = if created {
            "external_account.create"
        } else {
            "external_account.reauthorize"
        };
        change.commit(action, Some(&account.id)).await
    })
    .await
}
