//! The instance's session token template (Clerk's "Customize session token"): read and changed
//! through the Backend API's extension and the CLI, and rendered into every session token.
//!
//! A change is one versioned write with its audit entry; this server holds the new template at
//! once, others reload it (`workers::session_claims`). Rendering reads only what the template
//! names: nothing for an empty one or one of static values and `session.*`, the user for `user.*`,
//! the active organization and membership for `org.*`.

use serde_json::{Map, Value};
use usher_core::CoreResult;
use usher_core::ids::UserId;
use usher_core::jwt_templates::lint;
use usher_core::jwt_templates::render::{OrgFacts, context};
use usher_core::jwt_templates::session_claims::{
    self as rules, LARGE_TOKEN_BYTES, SessionClaimsTemplate,
};
use usher_core::organizations::{Organization, OrganizationMembership};
use usher_core::sessions::Session;
use usher_core::store::{ActiveMembership, Write};

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::app::found;
use crate::state::AppState;
use crate::wire::users::DEFAULT_AVATAR;

/// The stored template (not the copy this server holds, which may lag behind another node).
pub async fn get(state: &AppState) -> CoreResult<SessionClaimsTemplate> {
    Ok(state.store.session_claims(&state.instance.id).await?)
}

/// What `usher audit` says of the template, logged when it is saved.
fn report_findings(template: &SessionClaimsTemplate) {
    for f in lint::claim_findings(&template.claims) {
        tracing::warn!(code = f.code(), "session token template: {}", f.message());
    }
}

/// Replaces the claims (`{}` removes every custom claim) after the rules of
/// `jwt_templates::session_claims::validate`, the budget among them.
pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    claims: &Value,
) -> CoreResult<SessionClaimsTemplate> {
    let (claims, _) = rules::validate(claims)?;
    let updated = with_retry(|| async {
        let mut t = get(state).await?;
        if t.claims == claims && t.version > 0 {
            return Ok(t);
        }
        t.claims = claims.clone();
        t.updated_at = Some(state.now());
        let mut change = Change::new(state, ctx);
        change.write(Write::PutSessionClaims(t.clone()));
        change
            .commit("instance.session_claims.update", None)
            .await?;
        t.version += 1;
        Ok(t)
    })
    .await?;
    report_findings(&updated);
    state.replace_session_claims(updated.clone());
    Ok(updated)
}

/// The custom claims of a token minted for `session`, in the organization `membership` names
/// (none for the personal account or a pending session). `None` when the template is empty.
pub async fn render_for(
    state: &AppState,
    session: &Session,
    membership: Option<&ActiveMembership>,
) -> CoreResult<Option<Map<String, Value>>> {
    let held = state.session_claims();
    if held.template.is_empty() {
        return Ok(None);
    }
    let ins = &state.instance.id;
    let ctx = if held.needs.user || held.needs.organization {
        let user = found(state.store.get_user(ins, &session.user_id).await?, "user")?;
        let org = match membership.filter(|_| held.needs.organization) {
            Some(m) => organization_of(state, m, &user.id).await?,
            None => None,
        };
        let facts = org.as_ref().map(org_facts);
        context(&user, DEFAULT_AVATAR, facts.as_ref(), session)
    } else {
        let mut ctx = Map::new();
        ctx.insert(
            "session".into(),
            serde_json::json!({ "actor": session.actor }),
        );
        ctx
    };
    Ok(Some(rules::render(&held.template, &ctx)))
}

/// The organization a token's `org.*` claims read, with the user's membership in it (none when
/// either is gone): session tokens and JWT templates render the same facts.
pub async fn organization_of(
    state: &AppState,
    membership: &ActiveMembership,
    user_id: &UserId,
) -> CoreResult<Option<(Organization, OrganizationMembership)>> {
    let ins = &state.instance.id;
    let organization = state
        .store
        .get_organization(ins, &membership.organization_id)
        .await?;
    let membership = state
        .store
        .get_membership(ins, &membership.organization_id, user_id)
        .await?;
    Ok(organization.zip(membership))
}

/// [`organization_of`] as the template context takes it (the default avatar when it has no
/// image).
pub fn org_facts(
    (organization, membership): &(Organization, OrganizationMembership),
) -> OrgFacts<'_> {
    OrgFacts {
        organization,
        membership,
        image_url: organization.image_url.as_deref().unwrap_or(DEFAULT_AVATAR),
    }
}

/// Counts a minted session token near a cookie's 4 KB, and says whose it is.
pub fn note_size(state: &AppState, session: &Session, jwt: &str) {
    if jwt.len() > LARGE_TOKEN_BYTES {
        state.metrics.session_tokens_large.inc();
        tracing::warn!(
            user_id = %session.user_id,
            session_id = %session.id,
            size = jwt.len(),
            "session token of {} bytes is close to the 4 KB a cookie holds",
            jwt.len()
        );
    }
}
