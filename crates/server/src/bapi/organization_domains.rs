//! Organization domains: `/v1/organizations/{id}/domains…` and `/v1/organization_domains`.

use axum::Json;
use axum::response::IntoResponse;
use usher_core::CoreError;
use usher_core::ids::OrganizationId;
use usher_core::organizations::domains::{DomainQuery, EnrollmentMode, OrganizationDomain};

use super::call::Call;
use crate::app::organization_domains as app;
use crate::error::{ApiError, ApiResult};
use crate::extract::body::JsonBody;
use crate::extract::path::{DomainPath, OrganizationPath, Path};
use crate::extract::query::QueryParams;
use crate::state::AppState;
use crate::wire::lists::paginated;
use crate::wire::organization_domains::DomainJson;
use crate::wire::requests::organization_domains::{CreateDomainRequest, UpdateDomainRequest};
use crate::wire::users::DeletedObjectJson;

async fn domain_json(state: &AppState, d: &OrganizationDomain) -> ApiResult {
    let pending = app::pending(state, std::slice::from_ref(d)).await?;
    let json = match pending.first() {
        Some(p) => DomainJson::new(d).counted(p),
        None => DomainJson::new(d),
    };
    Ok(Json(json).into_response())
}

/// The filters both lists take. `enrollment_mode` may repeat; `-mode` (exclusion, in Clerk's
/// instance-wide list) is refused rather than ignored.
fn query_from(
    q: &QueryParams,
    organization_id: Option<OrganizationId>,
) -> Result<DomainQuery, ApiError> {
    let page = q.page()?;
    let verified = q.bool("verified")?;
    let enrollment_modes = q
        .all("enrollment_mode")
        .iter()
        .map(|m| EnrollmentMode::parse(m))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ApiError::query)?;
    if let Some(order) = q.one("order_by").filter(|o| *o != "-created_at") {
        return Err(ApiError::query(CoreError::value(
            "order_by",
            format!("{order} is not supported; use -created_at"),
        )));
    }
    let names = q.all("domains");
    if names.len() > 100 {
        return Err(ApiError::query(CoreError::value(
            "domains",
            "accepts at most 100 values",
        )));
    }
    Ok(DomainQuery {
        organization_id,
        verified,
        enrollment_modes,
        names: names
            .iter()
            .map(|n| n.trim().to_ascii_lowercase())
            .collect(),
        query: q.one("query").map(str::to_owned),
        page,
    })
}

async fn list_json(state: &AppState, query: DomainQuery) -> ApiResult {
    let (list, total) = app::list(state, &query).await?;
    let pending = app::pending(state, &list).await?;
    Ok(paginated(
        list.iter()
            .zip(&pending)
            .map(|(d, p)| DomainJson::new(d).counted(p))
            .collect(),
        total,
    ))
}

/// `GET /v1/organizations/{organization_id}/domains`.
pub async fn list(
    Call { state, .. }: Call,
    Path(p): Path<OrganizationPath>,
    q: QueryParams,
) -> ApiResult {
    let query = query_from(&q, Some(p.organization_id))?;
    list_json(&state, query).await
}

/// `GET /v1/organization_domains`: every organization's domains.
pub async fn list_all(Call { state, .. }: Call, q: QueryParams) -> ApiResult {
    // An organization id that is malformed names no organization.
    let org = q
        .one("organization_id")
        .map(|o| {
            OrganizationId::parse(o).map_err(|_| CoreError::NotFound {
                resource: "organization",
            })
        })
        .transpose()?;
    let query = query_from(&q, org)?;
    list_json(&state, query).await
}

pub async fn create(
    Call { state, ctx }: Call,
    Path(p): Path<OrganizationPath>,
    JsonBody(body): JsonBody<CreateDomainRequest>,
) -> ApiResult {
    let d = app::create(&state, &ctx, &p.organization_id, body.into()).await?;
    domain_json(&state, &d).await
}

pub async fn update(
    Call { state, ctx }: Call,
    Path(p): Path<DomainPath>,
    JsonBody(body): JsonBody<UpdateDomainRequest>,
) -> ApiResult {
    let d = app::update(&state, &ctx, &p.organization_id, &p.domain_id, body.into()).await?;
    domain_json(&state, &d).await
}

/// `POST /v1/organizations/{organization_id}/domains/{domain_id}/verify_ownership`.
pub async fn verify_ownership(Call { state, ctx }: Call, Path(p): Path<DomainPath>) -> ApiResult {
    let d = app::verify_ownership(&state, &ctx, &p.organization_id, &p.domain_id).await?;
    domain_json(&state, &d).await
}

pub async fn delete(Call { state, ctx }: Call, Path(p): Path<DomainPath>) -> ApiResult {
    let d = app::delete(&state, &ctx, &p.organization_id, &p.domain_id).await?;
    Ok(Json(DeletedObjectJson::new("organization_domain", d.id)).into_response())
}
