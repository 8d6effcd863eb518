//! The instance's domains (`/v1/domains`, the dashboard's domains page): the primary one is the
//! Frontend API's host (from the instance, never stored, never deleted); satellite domains are
//! stored, each change one write with its audit entry, and each one's origin may call the
//! Frontend API (`fapi::origins`), on this server at once and on the others at their reload.

use usher_core::domains::{self, SatelliteDomain};
use usher_core::instance::Environment;
use usher_core::store::Write;
use usher_core::{CoreError, CoreResult};

use super::Change;
use crate::app::context::RequestContext;
use crate::state::AppState;

pub const NOT_FOUND: CoreError = CoreError::NotFound { resource: "domain" };

/// A domain as the API shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Domain {
    Primary { id: String, name: String },
    Satellite(SatelliteDomain),
}

impl Domain {
    pub fn id(&self) -> &str {
        match self {
            Domain::Primary { id, .. } => id,
            Domain::Satellite(d) => &d.id,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Domain::Primary { name, .. } => name,
            Domain::Satellite(d) => &d.name,
        }
    }
}

fn development(state: &AppState) -> bool {
    state.instance.environment == Environment::Development
}

/// The primary domain: the Frontend API's host, with an id derived from the instance's.
pub fn primary(state: &AppState) -> Domain {
    let ins = state.instance.id.to_string();
    let tail = ins.strip_prefix("ins_").unwrap_or(&ins);
    Domain::Primary {
        id: format!("{}{tail}", domains::PREFIX),
        name: state.instance.frontend_host.clone(),
    }
}

/// The primary domain, then the satellites, oldest first.
pub async fn list(state: &AppState) -> CoreResult<Vec<Domain>> {
    let mut out = vec![primary(state)];
    out.extend(
        state
            .store
            .satellite_domains(&state.instance.id)
            .await?
            .into_iter()
            .map(Domain::Satellite),
    );
    Ok(out)
}

pub async fn get(state: &AppState, id: &str) -> CoreResult<Domain> {
    list(state)
        .await?
        .into_iter()
        .find(|d| d.id() == id)
        .ok_or(NOT_FOUND)
}

/// Adds a satellite domain (`is_satellite` must be true): a valid host name not yet used by
/// the instance (422 `form_identifier_exists` otherwise).
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    name: &str,
    is_satellite: Option<bool>,
    proxy_url: Option<&str>,
) -> CoreResult<Domain> {
    match is_satellite {
        Some(true) => {}
        None => return Err(CoreError::missing("is_satellite")),
        Some(false) => {
            return Err(CoreError::value(
                "is_satellite",
                "must be true: only satellite domains can be added",
            ));
        }
    }
    let d = domains::new_satellite(name, proxy_url, development(state), state.now())?;
    if list(state).await?.iter().any(|x| x.name() == d.name) {
        return Err(CoreError::IdentifierExists { param: "name" });
    }
    let mut change = Change::new(state, ctx);
    change.write(Write::InsertSatelliteDomain(d.clone()));
    change.commit("domain.create", Some(&d.id)).await?;
    reload(state).await;
    Ok(Domain::Satellite(d))
}

/// Renames a satellite domain or changes its proxy URL; the primary domain is the instance's
/// own host and cannot be changed here (403).
pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    id: &str,
    name: Option<&str>,
    proxy_url: Option<Option<&str>>,
) -> CoreResult<Domain> {
    let Domain::Satellite(mut d) = get(state, id).await? else {
        return Err(CoreError::SystemReadOnly {
            what: "the primary domain",
        });
    };
    let dev = development(state);
    if let Some(n) = name {
        let n = domains::check_name(n, dev)?;
        if n != d.name && list(state).await?.iter().any(|x| x.name() == n) {
            return Err(CoreError::IdentifierExists { param: "name" });
        }
        d.name = n;
    }
    if let Some(p) = proxy_url {
        d.proxy_url = p
            .filter(|p| !p.is_empty())
            .map(|p| domains::check_proxy_url(p, dev))
            .transpose()?;
    }
    d.updated_at = state.now();
    let mut change = Change::new(state, ctx);
    change.write(Write::UpdateSatelliteDomain(d.clone()));
    change.commit("domain.update", Some(&d.id)).await?;
    reload(state).await;
    Ok(Domain::Satellite(d))
}

/// Removes a satellite domain; the primary one cannot be (403).
pub async fn delete(state: &AppState, ctx: &RequestContext, id: &str) -> CoreResult<()> {
    let Domain::Satellite(d) = get(state, id).await? else {
        return Err(CoreError::SystemReadOnly {
            what: "the primary domain",
        });
    };
    let mut change = Change::new(state, ctx);
    change.write(Write::DeleteSatelliteDomain { id: d.id.clone() });
    change.commit("domain.delete", Some(&d.id)).await?;
    reload(state).await;
    Ok(())
}

async fn reload(state: &AppState) {
    if let Err(e) = crate::workers::message_templates::refresh_once(state).await {
        tracing::warn!(error = %format!("{e:#}"), "could not reload the satellite domains");
    }
}

/// Whether `origin` (normalized) is a satellite domain's.
pub fn is_satellite_origin(state: &AppState, origin: &str) -> bool {
    let dev = development(state);
    state
        .satellite_domains()
        .iter()
        .any(|d| d.origins(dev).iter().any(|o| o == origin))
}
