//! Requests to join an organization (made by accepting a suggestion): an admin accepts one,
//! which makes the user a member with the verified domains' default role, or rejects it.

use serde::{Deserialize, Serialize};

use super::memberships::{self, NewMembership};
use super::model::{Organization, OrganizationMembership};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{
    OrganizationId, OrganizationMembershipRequestId, OrganizationSuggestionId, UserId,
};
use crate::users::query::Page;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Accepted,
    Rejected,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "accepted" => Some(Self::Accepted),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MembershipRequest {
    pub id: OrganizationMembershipRequestId,
    pub organization_id: OrganizationId,
    pub user_id: UserId,
    /// The suggestion whose acceptance made the request.
    #[serde(default)]
    pub suggestion_id: Option<OrganizationSuggestionId>,
    pub status: RequestStatus,
    pub created_at: Millis,
    pub updated_at: Millis,
    #[serde(skip)]
    pub version: i64,
}

fn require_pending(r: &MembershipRequest) -> CoreResult<()> {
    match r.status {
        RequestStatus::Pending => Ok(()),
        other => Err(CoreError::MembershipRequestNotPending {
            status: other.as_str(),
        }),
    }
}

/// Accepts a pending request: the membership to insert, with `role`.
pub fn accept(
    r: &mut MembershipRequest,
    org: &Organization,
    role: &str,
    now: Millis,
) -> CoreResult<OrganizationMembership> {
    require_pending(r)?;
    let m = memberships::validate_new(
        org,
        NewMembership {
            user_id: Some(r.user_id.to_string()),
            role: Some(role.to_owned()),
            public_metadata: None,
            private_metadata: None,
        },
        now,
    )?;
    r.status = RequestStatus::Accepted;
    r.updated_at = now;
    Ok(m)
}

pub fn reject(r: &mut MembershipRequest, now: Millis) -> CoreResult<()> {
    require_pending(r)?;
    r.status = RequestStatus::Rejected;
    r.updated_at = now;
    Ok(())
}

/// A page of requests, newest first.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    pub organization_id: Option<OrganizationId>,
    pub user_id: Option<UserId>,
    /// Empty: every status.
    pub statuses: Vec<RequestStatus>,
    pub page: Page,
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::org;
    use super::*;

    fn pending() -> MembershipRequest {
        MembershipRequest {
            id: OrganizationMembershipRequestId::new(),
            organization_id: OrganizationId::from_stored("org_1"),
            user_id: UserId::from_stored("user_1"),
            suggestion_id: None,
            status: RequestStatus::Pending,
            created_at: 1,
            updated_at: 1,
            version: 1,
        }
    }

    #[test]
    fn a_request_is_decided_once() {
        let org = org(0, 3);
        let mut r = pending();
        let m = accept(&mut r, &org, "org:member", 5).unwrap();
        assert_eq!((m.role.as_str(), &m.user_id), ("org:member", &r.user_id));
        assert_eq!(r.status, RequestStatus::Accepted);
        assert_eq!(
            reject(&mut r, 6),
            Err(CoreError::MembershipRequestNotPending { status: "accepted" })
        );
        let mut r = pending();
        reject(&mut r, 7).unwrap();
        assert_eq!((r.status, r.updated_at), (RequestStatus::Rejected, 7));
        assert!(matches!(
            accept(&mut r, &org, "org:member", 8),
            Err(CoreError::MembershipRequestNotPending { status: "rejected" })
        ));
    }

    #[test]
    fn a_full_organization_accepts_no_one() {
        let org = org(1, 1);
        let mut r = pending();
        assert_eq!(
            accept(&mut r, &org, "org:member", 5),
            Err(CoreError::MembershipQuotaExceeded)
        );
        assert_eq!(r.status, RequestStatus::Pending);
    }
}
