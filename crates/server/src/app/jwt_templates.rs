//! JWT templates: the Backend API's CRUD and the tokens both APIs mint from a template.

use usher_core::ids::{ClientId, JwtTemplateId, SessionId};
use usher_core::jwt_templates::lint;
use usher_core::jwt_templates::model::{CustomSigning, SigningChoice, validate};
use usher_core::jwt_templates::render::{TokenRequest, claims_json, context};
use usher_core::jwt_templates::signing::Signer;
use usher_core::jwt_templates::{JwtTemplate, TemplateInput};
use usher_core::sessions::SessionStatus;
use usher_core::sessions::tokens::ensure_user_may_hold_token;
use usher_core::store::Write;
use usher_core::users::query::Page;
use usher_core::{CoreError, CoreResult};

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::state::AppState;
use crate::wire::users::DEFAULT_AVATAR;

pub const JWT_TEMPLATE: &str = "JWT template";

fn not_found() -> CoreError {
    CoreError::NotFound {
        resource: JWT_TEMPLATE,
    }
}

pub async fn list(state: &AppState, page: &Page) -> CoreResult<(Vec<JwtTemplate>, i64)> {
    Ok(state.store.jwt_templates(&state.instance.id, page).await?)
}

pub async fn get(state: &AppState, id: &JwtTemplateId) -> CoreResult<JwtTemplate> {
    state
        .store
        .jwt_template(&state.instance.id, id)
        .await?
        .ok_or_else(not_found)
}

/// What `usher audit` would say of a template, logged when it is saved: Clerk's response has no
/// place for a warning, and both findings can be intended.
fn report_findings(template: &JwtTemplate) {
    for f in lint::findings(template) {
        tracing::warn!(
            template_id = %template.id,
            template_name = %template.name,
            code = f.code(),
            "JWT template: {}",
            f.message()
        );
    }
}

async fn signing_for(
    state: &AppState,
    id: &JwtTemplateId,
    choice: SigningChoice,
    existing: Option<&JwtTemplate>,
) -> CoreResult<Option<CustomSigning>> {
    Ok(match choice {
        SigningChoice::Keep => existing.and_then(|t| t.signing.clone()),
        SigningChoice::Instance => None,
        SigningChoice::Custom(key) => Some(CustomSigning {
            algorithm: key.algorithm(),
            sealed_key: key.seal(state.template_sealing_key().await?, id)?,
        }),
    })
}

pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    input: TemplateInput,
) -> CoreResult<JwtTemplate> {
    let valid = validate(input, None)?;
    let id = JwtTemplateId::new();
    let signing = signing_for(state, &id, valid.signing, None).await?;
    let now = state.now();
    let template = JwtTemplate {
        id,
        version: 0,
        name: valid.name,
        claims: valid.claims,
        lifetime: valid.lifetime,
        allowed_clock_skew: valid.allowed_clock_skew,
        signing,
        created_at: now,
        updated_at: now,
    };
    let mut change = Change::new(state, ctx);
    change.write(Write::InsertJwtTemplate(template.clone()));
    change
        .commit("jwt_template.create", Some(&template.id))
        .await?;
    report_findings(&template);
    Ok(template)
}

/// A concurrent change (or delete) makes the write stale: it is redone over what is stored then.
pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    id: &JwtTemplateId,
    input: TemplateInput,
) -> CoreResult<JwtTemplate> {
    with_retry(|| async {
        let existing = get(state, id).await?;
        let valid = validate(input.clone(), Some(&existing))?;
        let signing = signing_for(state, id, valid.signing, Some(&existing)).await?;
        let template = JwtTemplate {
            name: valid.name,
            claims: valid.claims,
            lifetime: valid.lifetime,
            allowed_clock_skew: valid.allowed_clock_skew,
            signing,
            updated_at: state.now(),
            ..existing
        };
        let mut change = Change::new(state, ctx);
        change.write(Write::UpdateJwtTemplate(template.clone()));
        change.commit("jwt_template.update", Some(id)).await?;
        report_findings(&template);
        Ok(JwtTemplate {
            version: template.version + 1,
            ..template
        })
    })
    .await
}

pub async fn delete(
    state: &AppState,
    ctx: &RequestContext,
    id: &JwtTemplateId,
) -> CoreResult<JwtTemplate> {
    let template = get(state, id).await?;
    let mut change = Change::new(state, ctx);
    change.write(Write::DeleteJwtTemplate { id: id.clone() });
    change.commit("jwt_template.delete", Some(id)).await?;
    Ok(template)
}

/// Who asks for a template's token: the Backend API (any session of the instance, its lifetime
/// overridable) or a browser (a session of its own client, `azp` its origin).
pub struct MintFor<'a> {
    pub session_id: &'a SessionId,
    pub template_name: &'a str,
    pub client: Option<&'a ClientId>,
    pub authorized_party: Option<&'a str>,
    pub lifetime_override: Option<i64>,
}

/// A template's token for a session: the session and its user checked as for a session token,
/// then the template (404 when no template has the name), rendered over the user, the active
/// organization and the session, signed by the template's key or the instance's.
pub async fn mint(state: &AppState, req: &MintFor<'_>) -> CoreResult<String> {
    let found = state
        .store
        .session_for_token(&state.instance.id, req.session_id)
        .await?
        .filter(|f| req.client.is_none_or(|c| f.session.client_id == *c))
        .ok_or(CoreError::NotFound {
            resource: "session",
        })?;
    let now = state.now();
    let status = found.session.live_status_at(now)?;
    ensure_user_may_hold_token(&found, now)?;
    let template = state
        .store
        .jwt_template_by_name(&state.instance.id, req.template_name)
        .await?
        .ok_or_else(not_found)?;
    let user = crate::app::found(
        state
            .store
            .get_user(&state.instance.id, &found.session.user_id)
            .await?,
        "user",
    )?;
    // A pending session's tokens name no organization, as its session tokens.
    let membership = found
        .active_membership
        .as_ref()
        .filter(|_| status == SessionStatus::Active);
    let org = match membership {
        Some(m) => super::session_claims::organization_of(state, m, &user.id).await?,
        None => None,
    };
    let facts = org.as_ref().map(super::session_claims::org_facts);
    let ctx = context(&user, DEFAULT_AVATAR, facts.as_ref(), &found.session);
    let issuer = state.instance.issuer();
    let claims = claims_json(&TokenRequest {
        template: &template,
        context: &ctx,
        issuer: &issuer,
        subject: &user.id,
        authorized_party: req.authorized_party,
        lifetime_override: req.lifetime_override,
        now,
    })?;
    let jwt = match &template.signing {
        None => Signer::Instance(&state.keys().active).sign(&claims)?,
        Some(custom) => {
            let key = state.template_key(&template, custom).await?;
            Signer::Custom(&key).sign(&claims)?
        }
    };
    state.metrics.tokens_minted.inc();
    Ok(jwt)
}
