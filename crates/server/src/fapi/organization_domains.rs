//! `/v1/organizations/{id}/domains…`: an organization's domains as clerk-js's
//! `<OrganizationProfile/>` manages them, in `{response, client}`.

use axum::extract::State;
use serde_json::json;
use usher_core::organizations::domains::{DomainQuery, EnrollmentMode, OrganizationDomain};

use super::browser::Browser;
use super::form::Form;
use super::me::signed_in;
use super::respond::{respond, respond_page};
use crate::app::frontend::organization_domains as app;
use crate::error::{ApiError, ApiResult};
use crate::extract::path::{DomainPath, OrganizationPath, Path};
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
    browser: Browser,
    Path(p): Path<OrganizationPath>,
    q: QueryParams,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
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
    let (list, total) = app::list(&state, &s.user_id, &p.organization_id, query).await?;
    let data = counted(&state, &list).await?;
    respond_page(&state, &browser, data, total).await
}

pub async fn create(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<OrganizationPath>,
    form: Form,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let f: DomainForm = form.read()?;
    let d = app::create(
        &state,
        &browser.ctx,
        &s.user_id,
        &p.organization_id,
        f.name,
        f.enrollment_mode,
    )
    .await?;
    respond_domain(&state, &browser, &d).await
}

pub async fn get(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<DomainPath>,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let d = app::get(&state, &s.user_id, &p.organization_id, &p.domain_id).await?;
    respond_domain(&state, &browser, &d).await
}

pub async fn delete(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<DomainPath>,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let d = app::delete(
        &state,
        &browser.ctx,
        &s.user_id,
        &p.organization_id,
        &p.domain_id,
    )
    .await?;
    let body = crate::wire::frontend::organizations::deleted("organization_domain", &d.id);
    respond(&state, &browser, body).await
}

pub async fn update_enrollment_mode(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<DomainPath>,
    form: Form,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let f: EnrollmentModeForm = form.read()?;
    let d = app::update_enrollment_mode(
        &state,
        &browser.ctx,
        &s.user_id,
        &p.organization_id,
        &p.domain_id,
        f.enrollment_mode,
        f.delete_pending,
    )
    .await?;
    respond_domain(&state, &browser, &d).await
}

pub async fn prepare_affiliation(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<DomainPath>,
    form: Form,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let f: AffiliationForm = form.read()?;
    let d = app::prepare_affiliation(
        &state,
        &browser.ctx,
        &s.user_id,
        &p.organization_id,
        &p.domain_id,
        &f.affiliation_email_address,
    )
    .await?;
    respond_domain(&state, &browser, &d).await
}

pub async fn attempt_affiliation(
    State(state): State<AppState>,
    browser: Browser,
    Path(p): Path<DomainPath>,
    form: Form,
) -> ApiResult {
    let s = signed_in(&state, &browser).await?;
    let f: CodeForm = form.read()?;
    let d = app::attempt_affiliation(
        &state,
        &browser.ctx,
        &s.user_id,
        &p.organization_id,
        &p.domain_id,
        &f.code,
    )
    .await?;
    respond_domain(&state, &browser, &d).await
}
