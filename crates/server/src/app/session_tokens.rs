//! The one place a session token is made. The Frontend API's token endpoint (and the client's
//! `last_active_token`), the Backend API's, and a token minted from memory in degraded mode all
//! sign the same claims the same way: the session, its active organization, the user's and the
//! organization's plans, the session token template's claims. Only where those come from
//! differs (the store, or the degraded-mode cache).

use serde_json::{Map, Value};
use usher_core::CoreResult;
use usher_core::billing::{Entitlement, Entitlements};
use usher_core::clock::Millis;
use usher_core::sessions::tokens::{MintRequest, active_organization, mint};
use usher_core::sessions::{Session, SessionStatus};
use usher_core::store::{ActiveMembership, SessionForToken};

use crate::state::AppState;

/// What a session token is made from.
pub struct TokenSource<'a> {
    pub session: &'a Session,
    /// The organization the token names (`o`), with its plan.
    pub membership: Option<&'a ActiveMembership>,
    pub user_plan: Option<&'a Entitlement>,
    pub authorized_party: Option<&'a str>,
    pub lifetime_secs: Option<i64>,
}

impl<'a> TokenSource<'a> {
    /// A token of the session as read for one: in its own active organization.
    pub fn active(
        found: &'a SessionForToken,
        authorized_party: Option<&'a str>,
        lifetime_secs: Option<i64>,
    ) -> Self {
        TokenSource {
            session: &found.session,
            membership: found.active_membership.as_ref(),
            user_plan: found.user_plan.as_ref(),
            authorized_party,
            lifetime_secs,
        }
    }
}

/// Signs the token with the active key and counts it. `custom_claims`: the session token
/// template's claims as rendered for this session (degraded mode passes those it holds).
pub fn sign(
    state: &AppState,
    source: &TokenSource<'_>,
    custom_claims: Option<&Map<String, Value>>,
    now: Millis,
) -> CoreResult<String> {
    let organization = source.membership.map(active_organization);
    let entitlements = Entitlements {
        user: source.user_plan.cloned(),
        organization: source.membership.and_then(|m| m.organization_plan.clone()),
    };
    let keys = state.keys();
    let issuer = state.instance.issuer();
    let jwt = mint(
        &keys.active,
        &MintRequest {
            instance: &state.current_instance(),
            issuer: &issuer,
            session: source.session,
            lifetime_secs: source.lifetime_secs,
            authorized_party: source.authorized_party,
            organization: organization.as_ref(),
            custom_claims,
            entitlements: Some(&entitlements),
            now,
        },
    )?;
    state.metrics.tokens_minted.inc();
    Ok(jwt)
}

/// A session token minted from what the store holds: the template's claims rendered (with the
/// organization's only for an active session), signed, counted as a token refresh, and its size
/// watched. Also gives the rendered claims, which degraded mode keeps with the session.
pub async fn mint_session_token(
    state: &AppState,
    source: &TokenSource<'_>,
) -> CoreResult<(String, Option<Map<String, Value>>)> {
    let now = state.now();
    let session = source.session;
    let custom = crate::app::session_claims::render_for(
        state,
        session,
        source
            .membership
            .filter(|_| session.status_at(now) == SessionStatus::Active),
    )
    .await?;
    let jwt = sign(state, source, custom.as_ref(), now)?;
    state
        .activity
        .add(usher_core::activity::ActivityKind::TokenRefresh, now, 1);
    crate::app::session_claims::note_size(state, session, &jwt);
    Ok((jwt, custom))
}
