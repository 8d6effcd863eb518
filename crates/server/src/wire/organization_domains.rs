//! Clerk's `OrganizationDomain` object.

use serde::Serialize;
use usher_core::clock::Millis;
use usher_core::ids::{OrganizationDomainId, OrganizationId};
use usher_core::organizations::domains::OrganizationDomain;
use usher_core::store::DomainPendingCount;

#[derive(Debug, Serialize)]
pub struct VerificationJson {
    status: &'static str,
    strategy: &'static str,
    attempts: Option<i64>,
    expire_at: Option<Millis>,
    verified_at: Option<Millis>,
}

#[derive(Debug, Serialize)]
pub struct DomainJson {
    object: &'static str,
    id: OrganizationDomainId,
    organization_id: OrganizationId,
    name: String,
    enrollment_mode: &'static str,
    affiliation_email_address: Option<String>,
    affiliation_verification: Option<VerificationJson>,
    ownership_verification: Option<VerificationJson>,
    verification: Option<VerificationJson>,
    total_pending_invitations: i64,
    total_pending_suggestions: i64,
    public_organization_data: Option<()>,
    created_at: Millis,
    updated_at: Millis,
}

/// An emailed code, prepared or spent: its own status, attempts and expiry (`email_code`). Else
/// a domain verified through the Backend API: Clerk's `admin` strategy, no attempts or expiry.
/// An unverified domain nobody has tried to verify has none.
fn verification(d: &OrganizationDomain) -> Option<VerificationJson> {
    if let Some(a) = &d.affiliation {
        let v = &a.verification;
        return Some(VerificationJson {
            status: v.status.as_str(),
            strategy: "email_code",
            attempts: Some(v.attempts),
            expire_at: v.expire_at,
            verified_at: None,
        });
    }
    d.verified.then_some(VerificationJson {
        status: "verified",
        strategy: "admin",
        attempts: Some(0),
        expire_at: None,
        verified_at: None,
    })
}

/// Ownership of the DNS domain, declared through the Backend API (`manual_override`); none until
/// then, as Clerk shows a domain nobody has tried to prove.
fn ownership(d: &OrganizationDomain) -> Option<VerificationJson> {
    d.ownership_verified_at.map(|at| VerificationJson {
        status: "verified",
        strategy: "manual_override",
        attempts: None,
        expire_at: None,
        verified_at: Some(at),
    })
}

impl DomainJson {
    pub fn new(d: &OrganizationDomain) -> Self {
        Self {
            object: "organization_domain",
            id: d.id.clone(),
            organization_id: d.organization_id.clone(),
            name: d.name.clone(),
            enrollment_mode: d.enrollment_mode.as_str(),
            affiliation_email_address: d.affiliation.as_ref().map(|a| a.email_address.clone()),
            affiliation_verification: verification(d),
            ownership_verification: ownership(d),
            verification: verification(d),
            // Counted where the store is at hand: see `counted`.
            total_pending_invitations: 0,
            total_pending_suggestions: 0,
            public_organization_data: None,
            created_at: d.created_at,
            updated_at: d.updated_at,
        }
    }

    /// With the domain's pending invitations and suggestions (`app::organization_domains::pending`).
    pub fn counted(mut self, pending: &DomainPendingCount) -> Self {
        self.total_pending_invitations = pending.invitations;
        self.total_pending_suggestions = pending.suggestions;
        self
    }
}
