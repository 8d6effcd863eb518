//! The browser's client: reading it with everything it renders, dev browsers, and the sessions
//! on it (select, end, remove, sign out, tokens).

use usher_core::billing::{Entitlement, PayerType};
use usher_core::clients::{Client, ClientToken};
use usher_core::events::DomainEvent;
use usher_core::ids::{OrganizationId, SessionId, UserId, prefix};
use usher_core::instance::Environment;
use usher_core::roles::RoleCatalog;
use usher_core::sessions::Session;
use usher_core::sessions::lifecycle::{Ending, end, ensure_can_sign_in, record_activity};
use usher_core::sessions::tasks::{Selection, select_organization, selection_forced};
use usher_core::sessions::tokens::ensure_user_may_hold_token;
use usher_core::store::{ActiveMembership, Write};
use usher_core::users::User;
use usher_core::{CoreError, CoreResult};

use super::{ClientKey, commit_client, load_client, write_client};
use crate::app::context::RequestContext;
use crate::app::degraded::{TokenAsked, TokenRead, read_or_mint_from_memory};
use crate::app::session_tokens::{TokenSource, mint_session_token};
use crate::app::sessions::event_user;
use crate::app::{Change, with_retry};
use crate::state::AppState;
use crate::wire::frontend::client::{ClientView, UserMemberships};

pub async fn by_token(state: &AppState, token: &ClientToken) -> CoreResult<Option<Client>> {
    Ok(state
        .store
        .client_by_token(&state.instance.id, &token.hash())
        .await?)
}

/// A user as the request knows it, or as stored.
async fn user_for_view(state: &AppState, key: &ClientKey, id: &UserId) -> CoreResult<Option<User>> {
    match key.memo.user(id) {
        Some(u) => Ok(Some(u)),
        None => Ok(state.store.get_user(&state.instance.id, id).await?),
    }
}

/// Live sessions of the client with their users, and a fresh token for the active one. `key` is
/// the request's: what it already read is not read again.
pub async fn view(
    state: &AppState,
    key: &ClientKey,
    client: Client,
    azp: Option<&str>,
) -> CoreResult<ClientView> {
    let now = state.now();
    let mut sessions = Vec::new();
    let may_have_sessions = !key.client_is_new() || client.last_active_session_id.is_some();
    let stored = if may_have_sessions {
        state
            .store
            .sessions_of_client(&state.instance.id, &client.id)
            .await?
    } else {
        Vec::new()
    };
    for s in stored {
        if !s.status_at(now).is_live() {
            continue;
        }
        if let Some(u) = user_for_view(state, key, &s.user_id).await? {
            sessions.push((s, u));
        }
    }
    let sign_in_user = match client.sign_in.as_ref().and_then(|s| s.user_id.as_deref()) {
        // Usually the user of a session just listed.
        Some(id) => match sessions.iter().find(|(_, u)| u.id == id) {
            Some((_, u)) => Some(u.clone()),
            None => user_for_view(state, key, &UserId::from_stored(id)).await?,
        },
        None => None,
    };
    let last_active_token = match sessions
        .iter()
        .find(|(s, _)| Some(&s.id) == client.last_active_session_id.as_ref())
    {
        Some((s, u)) if ensure_can_sign_in(u, now).is_ok() => {
            let (membership, user_plan) = active_membership_of(state, s).await?;
            let source = TokenSource {
                session: s,
                membership: membership.as_ref(),
                user_plan: user_plan.as_ref(),
                authorized_party: azp,
                lifetime_secs: None,
            };
            Some(mint_session_token(state, &source).await?.0)
        }
        _ => None,
    };
    let memberships = memberships_of(state, sessions.iter().map(|(_, u)| &u.id)).await?;
    Ok(ClientView {
        client,
        sessions,
        sign_in_user,
        last_active_token,
        memberships,
    })
}

/// The organization memberships of these users, in one query; none when the instance has no
/// organizations.
pub async fn memberships_of<'a>(
    state: &AppState,
    users: impl Iterator<Item = &'a UserId>,
) -> CoreResult<UserMemberships> {
    let mut ids: Vec<UserId> = Vec::new();
    for id in users {
        if !ids.contains(id) {
            ids.push(id.clone());
        }
    }
    if !state.settings().organizations_enabled || ids.is_empty() {
        return Ok(UserMemberships::default());
    }
    let list = state
        .store
        .memberships_of_users(&state.instance.id, &ids, state.now())
        .await?;
    let roles =
        crate::app::roles::catalog_for(state, list.iter().map(|(m, _)| m.role.as_str())).await?;
    Ok(UserMemberships::new(list, roles))
}

/// The session's active organization as its token names it (clerk-js keeps the client's token as
/// the one for the session's active organization, and asks for no other after `setActive`), and
/// the user's plan.
async fn active_membership_of(
    state: &AppState,
    session: &Session,
) -> CoreResult<(Option<ActiveMembership>, Option<Entitlement>)> {
    Ok(state
        .store
        .session_for_token(&state.instance.id, &session.id)
        .await?
        .map(|f| (f.active_membership, f.user_plan))
        .unwrap_or_default())
}

/// A session token for a live session of this client only. `organization` is clerk-js's
/// `organization_id`: absent for the session's active organization, empty for the personal
/// account, or an organization's id or slug the user is a member of.
pub async fn token(
    state: &AppState,
    client: &Client,
    session_id: &SessionId,
    azp: Option<&str>,
    organization: Option<&str>,
) -> CoreResult<String> {
    let read_started_at = state.now();
    let asked = TokenAsked {
        client: Some(&client.id),
        azp,
        organization,
        lifetime_secs: None,
    };
    let found = match read_or_mint_from_memory(state, session_id, &asked).await? {
        TokenRead::Read(found) => *found,
        TokenRead::FromMemory(jwt) => return Ok(jwt),
    };
    let found = found
        .filter(|f| f.session.client_id == client.id)
        .ok_or(CoreError::NotFound {
            resource: "session",
        })?;
    let now = state.now();
    found.session.live_status_at(now)?;
    ensure_user_may_hold_token(&found, now)?;
    let forced = selection_forced(&state.settings());
    let membership = match organization.map(str::trim) {
        None => found.active_membership.clone(),
        // A forced instance has no personal account: an empty value keeps the session's own.
        Some("") if forced => found.active_membership.clone(),
        Some("") => None,
        Some(o) => match &found.active_membership {
            Some(m) if m.organization_id == o || m.organization_slug == o => Some(m.clone()),
            _ => Some(membership_for_token(state, &found.session.user_id, o).await?),
        },
    };
    let source = TokenSource {
        session: &found.session,
        membership: membership.as_ref(),
        user_plan: found.user_plan.as_ref(),
        authorized_party: azp,
        lifetime_secs: None,
    };
    let (jwt, custom) = mint_session_token(state, &source).await?;
    // Degraded mode holds what a token of the session's active organization was minted from.
    if membership == found.active_membership {
        crate::app::degraded::record(
            state,
            &found,
            custom.as_ref(),
            Some(client),
            read_started_at,
        );
    }
    // Using a session keeps it alive; recorded at most hourly, so refreshes rarely write.
    let mut session = found.session;
    if record_activity(
        &mut session,
        state.settings().session_inactivity_ms,
        ACTIVITY_GRANULARITY_MS,
        now,
    ) {
        let ctx = RequestContext::system("session.activity");
        let mut change = Change::new(state, &ctx);
        change.write(Write::UpdateSession(session));
        // A concurrent writer recorded it, or changed the session: either way nothing is lost.
        match change.commit("session.activity", Some(session_id)).await {
            Ok(()) | Err(CoreError::Conflict) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(jwt)
}

/// The membership a token names that is not the session's active one (`getToken({organizationId})`):
/// read on its own, with the instance's roles for a custom role's permissions.
async fn membership_for_token(
    state: &AppState,
    user_id: &UserId,
    raw: &str,
) -> CoreResult<ActiveMembership> {
    let ins = &state.instance.id;
    let org = crate::app::organizations::find(state, raw)
        .await?
        .ok_or(CoreError::NotAMember)?;
    let m = state
        .store
        .get_membership(ins, &org.id, user_id)
        .await?
        .ok_or(CoreError::NotAMember)?;
    let catalog = RoleCatalog::from_records(
        ins,
        state.instance.created_at,
        &state.store.organization_permissions(ins).await?,
        state.store.organization_roles(ins).await?,
    );
    let custom_permissions = catalog
        .get(&m.role)
        .map(|r| r.permissions.iter().map(|p| p.key.clone()).collect())
        .unwrap_or_default();
    let organization_plan = state
        .store
        .payer_entitlement(ins, PayerType::Org, &org.id)
        .await?;
    Ok(ActiveMembership {
        organization_id: org.id,
        organization_slug: org.slug,
        role: m.role,
        custom_permissions,
        organization_plan,
    })
}

/// How often a session's use is written down.
pub const ACTIVITY_GRANULARITY_MS: i64 = 3_600_000;

/// `POST /v1/dev_browser`: a client a development browser names by its token.
pub async fn create_dev_browser(state: &AppState, ctx: &RequestContext) -> CoreResult<ClientToken> {
    if state.instance.environment == Environment::Production {
        return Err(CoreError::ProductionForbidden {
            what: "dev browsers",
        });
    }
    let token = ClientToken::generate();
    let mut client = Client::new(Some(&token), state.now());
    client.dev_browser = true;
    let mut change = Change::new(state, ctx);
    write_client(&mut change, &client);
    change
        .commit("client.dev_browser.create", Some(&client.id))
        .await?;
    Ok(token)
}

/// The organization a touch makes active, given by id or slug: none for an empty value (the
/// personal account); refused unless the session's user is a member.
async fn member_organization(
    state: &AppState,
    user_id: &UserId,
    raw: Option<&str>,
) -> CoreResult<Option<OrganizationId>> {
    let raw = match raw.map(str::trim) {
        None | Some("") => return Ok(None),
        Some(r) => r,
    };
    let ins = &state.instance.id;
    let org_id = if raw.starts_with(prefix::ORGANIZATION) {
        // A malformed id names no organization the user belongs to.
        OrganizationId::parse(raw).map_err(|_| CoreError::NotAMember)?
    } else {
        match state.store.organization_by_slug(ins, raw).await? {
            Some(o) => o.id,
            None => return Err(CoreError::NotAMember),
        }
    };
    match state.store.get_membership(ins, &org_id, user_id).await? {
        Some(m) => Ok(Some(m.organization_id)),
        None => Err(CoreError::NotAMember),
    }
}

/// The session `id` of `client`; one of another client is not found, as one that does not exist.
pub async fn session_of(state: &AppState, client: &Client, id: &SessionId) -> CoreResult<Session> {
    state
        .store
        .get_session(&state.instance.id, id)
        .await?
        .filter(|s| s.client_id == client.id)
        .ok_or(CoreError::NotFound {
            resource: "session",
        })
}

/// What happens to a session of the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionAction {
    /// Make it the client's active session (and set its active organization).
    Touch,
    End,
    Remove,
}

pub async fn act_on_session(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
    session_id: &SessionId,
    action: SessionAction,
    active_org: Option<Option<String>>,
) -> CoreResult<(Client, Session)> {
    with_retry(|| async {
        let mut client = load_client(state, key).await?;
        let mut session = session_of(state, &client, session_id).await?;
        let now = state.now();
        let user = event_user(state, &session).await?;
        let mut change = Change::new(state, ctx);
        let audit = match action {
            SessionAction::Touch => {
                session.live_status_at(now)?;
                record_activity(&mut session, state.settings().session_inactivity_ms, 0, now);
                let mut activated = Selection::Unchanged;
                if let Some(org) = &active_org {
                    let chosen =
                        member_organization(state, &session.user_id, org.as_deref()).await?;
                    activated = select_organization(&mut session, &state.settings(), chosen);
                }
                session.updated_at = now;
                client.last_active_session_id = Some(session.id.clone());
                change.write(Write::UpdateSession(session.clone()));
                if activated == Selection::Activated {
                    // Created pending, the session starts now (Clerk's `session.created`).
                    change.event(DomainEvent::SessionCreated(session.clone(), user));
                    "session.activate"
                } else {
                    "session.touch"
                }
            }
            SessionAction::End | SessionAction::Remove => {
                let (how, audit) = if action == SessionAction::End {
                    (Ending::Ended, "session.end")
                } else {
                    (Ending::Removed, "session.remove")
                };
                if end(&mut session, how, now) {
                    let event = if how == Ending::Ended {
                        DomainEvent::SessionEnded(session.clone(), user)
                    } else {
                        DomainEvent::SessionRemoved(session.clone(), user)
                    };
                    change
                        .write(Write::UpdateSession(session.clone()))
                        .event(event);
                }
                if client.last_active_session_id.as_ref() == Some(session_id) {
                    client.last_active_session_id = None;
                }
                client.rotate_secret(&key.new_token);
                audit
            }
        };
        commit_client(change, &mut client, now, audit, session_id).await?;
        Ok((client, session))
    })
    .await
}

/// Sign-out: ends every live session of the client.
pub async fn sign_out(
    state: &AppState,
    ctx: &RequestContext,
    key: &ClientKey,
) -> CoreResult<Client> {
    with_retry(|| async {
        let mut client = load_client(state, key).await?;
        let now = state.now();
        let mut change = Change::new(state, ctx);
        for mut s in state
            .store
            .sessions_of_client(&state.instance.id, &client.id)
            .await?
        {
            if end(&mut s, Ending::Ended, now) {
                let user = event_user(state, &s).await?;
                change
                    .write(Write::UpdateSession(s.clone()))
                    .event(DomainEvent::SessionEnded(s, user));
            }
        }
        client.last_active_session_id = None;
        client.sign_in = None;
        client.rotate_secret(&key.new_token);
        client.updated_at = now;
        if client.version > 0 {
            write_client(&mut change, &client);
        }
        change.commit("client.sign_out", Some(&client.id)).await?;
        client.version += 1;
        Ok(client)
    })
    .await
}

/// The client's active session, or the one `_clerk_session_id` names, if it is live.
pub async fn current_session(
    state: &AppState,
    client: &Client,
    requested: Option<&SessionId>,
) -> CoreResult<Session> {
    let id = requested
        .or(client.last_active_session_id.as_ref())
        .ok_or(CoreError::SignedOut)?;
    let session = state
        .store
        .get_session(&state.instance.id, id)
        .await?
        .filter(|s| s.client_id == client.id)
        .ok_or(CoreError::SignedOut)?;
    if !session.status_at(state.now()).is_live() {
        return Err(CoreError::SignedOut);
    }
    Ok(session)
}
