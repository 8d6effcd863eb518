//! `/v1/organizations/{id}/domains…`: an organization's domains as clerk-js's
//! `<OrganizationProfile/>` manages them, in `{response, client}`.

use axum::extract::State;
use serde_json::json;
use usher_core::organizations::domains::{DomainQuery, EnrollmentMode, OrganizationDomain};

use super::browser::Browser;
use super::respond::{respond, respond_page};
use super::signed_in::{SignedIn, SignedInForm};
use crate::app::frontend::organization_domains as app;
use crate::error::{ApiError, ApiResult};
use crate::extract::path::{DomainPath, OrganizationPath};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::organization_domains::DomainJson;
use crate::wire::requests::frontend::{AffiliationForm, CodeForm, DomainForm, EnrollmentModeForm};

/// Domains with their pending invitations and suggestions counted, as the Backend API shows them.
async fn counted(
    state: &AppState,
    list: &[OrganizationDomain],
) -> Result<Vec<DomainJson>, ApiError> {
    let pending = crate::app::organization_domains::pending(state, list).await?;
    Ok(list
        .iter()
        .zip(pending.iter())
        .map(|(d, p)| DomainJson::new(d).counted(p))
        .collect())
}

async fn respond_domain(state: &AppState, browser: &Browser, d: &OrganizationDomain) -> ApiResult {
    let json = counted(state, std::slice::from_ref(d)).await?;
    respond(state, browser, json!(json.first())).await
}

/// `enrollment_mode` may repeat (clerk-js splits a list into repeated keys).
pub async fn list(
    State(state): State<AppState>,
    me: SignedIn<OrganizationPath>,
    q: QueryParams,
) -> ApiResult {
    let page = q.page()?;
    let enrollment_modes = q
        .all("enrollment_mode")
        .iter()
        .map(|m| EnrollmentMode::parse(m))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ApiError::query)?;
    let query = DomainQuery {
        enrollment_modes,
        page,
        ..Default::default()
    };
    let (user, org) = (&me.session.user_id, &me.path.organization_id);
    let (list, total) = app::list(&state, user, org, query).await?;
    let data = counted(&state, &list).await?;
    respond_page(&state, &me.browser, data, total).await
}

pub async fn create(
    State(state): State<AppState>,
    me: SignedInForm<DomainForm, OrganizationPath>,
) -> ApiResult {
    let (ctx, user, f) = (&me.browser.ctx, &me.session.user_id, me.form);
    let org = &me.path.organization_id;
    let d = app::create(&state, ctx, user, org, f.name, f.enrollment_mode).await?;
    respond_domain(&state, &me.browser, &d).await
}

pub async fn get(State(state): State<AppState>, me: SignedIn<DomainPath>) -> ApiResult {
    let (user, p) = (&me.session.user_id, &me.path);
    let d = app::get(&state, user, &p.organization_id, &p.domain_id).await?;
    respond_domain(&state, &me.browser, &d).await
}

pub async fn delete(State(state): State<AppState>, me: SignedIn<DomainPath>) -> ApiResult {
    let (ctx, user, p) = (&me.browser.ctx, &me.session.user_id, &me.path);
    let d = app::delete(&state, ctx, user, &p.organization_id, &p.domain_id).await?;
    let body = crate::wire::frontend::organizations::deleted("organization_domain", &d.id);
    respond(&state, &me.browser, body).await
}

pub async fn update_enrollment_mode(
    State(state): State<AppState>,
    me: SignedInForm<EnrollmentModeForm, DomainPath>,
) -> ApiResult {
    let (ctx, user, p, f) = (&me.browser.ctx, &me.session.user_id, &me.path, me.form);
    let (org, domain) = (&p.organization_id, &p.domain_id);
    let (mode, delete_pending) = (f.enrollment_mode, f.delete_pending);
    let d =
        app::update_enrollment_mode(&state, ctx, user, org, domain, mode, delete_pending).await?;
    respond_domain(&state, &me.browser, &d).await
}

pub async fn prepare_affiliation(
    State(state): State<AppState>,
    me: SignedInForm<AffiliationForm, DomainPath>,
) -> ApiResult {
    let (ctx, user, p, f) = (&me.browser.ctx, &me.session.user_id, &me.path, &me.form);
    let (org, domain) = (&p.organization_id, &p.domain_id);
    let email = &f.affiliation_email_address;
    let d = app::prepare_affiliation(&state, ctx, user, org, domain, email).await?;
    respond_domain(&state, &me.browser, &d).await
}

pub async fn attempt_affiliation(
    State(state): State<AppState>,
    me: SignedInForm<CodeForm, DomainPath>,
) -> ApiResult {
    let (ctx, user, p, f) = (&me.browser.ctx, &me.session.user_id, &me.path, &me.form);
    let (org, domain) = (&p.organization_id, &p.domain_id);
    let d = app::attempt_affiliation(&state, ctx, user, org, domain, &f.code).await?;
    respond_domain(&state, &me.browser, &d).await
}
