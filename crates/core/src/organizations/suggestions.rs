//! Organization suggestions: a verified domain in `automatic_suggestion` mode suggests its
//! organization to a user with an address at it. Accepting a suggestion asks to join (a
//! membership request an admin decides); it does not make the user a member.

use serde::{Deserialize, Serialize};

use super::membership_requests::{MembershipRequest, RequestStatus};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{
    OrganizationId, OrganizationMembershipRequestId, OrganizationSuggestionId, UserId,
};
use crate::users::query::Page;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionStatus {
    Pending,
    Accepted,
}

impl SuggestionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Accepted => "accepted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "accepted" => Some(Self::Accepted),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationSuggestion {
    pub id: OrganizationSuggestionId,
    pub organization_id: OrganizationId,
    pub user_id: UserId,
    /// The user's address at the domain, lower-cased (pending suggestions are counted per domain).
    pub email_address: String,
    pub status: SuggestionStatus,
    pub created_at: Millis,
    pub updated_at: Millis,
    #[serde(skip)]
    pub version: i64,
}

impl OrganizationSuggestion {
    pub fn new(
        organization_id: &OrganizationId,
        user_id: &UserId,
        email_address: &str,
        now: Millis,
    ) -> Self {
        Self {
            id: OrganizationSuggestionId::new(),
            organization_id: organization_id.clone(),
            user_id: user_id.clone(),
            email_address: email_address.to_lowercase(),
            status: SuggestionStatus::Pending,
            created_at: now,
            updated_at: now,
            version: 0,
        }
    }
}

/// Accepts a pending suggestion: it becomes `accepted` and the user's request to join is made.
pub fn accept(s: &mut OrganizationSuggestion, now: Millis) -> CoreResult<MembershipRequest> {
    if s.status != SuggestionStatus::Pending {
        return Err(CoreError::SuggestionNotPending {
            status: s.status.as_str(),
        });
    }
    s.status = SuggestionStatus::Accepted;
    s.updated_at = now;
    Ok(MembershipRequest {
        id: OrganizationMembershipRequestId::new(),
        organization_id: s.organization_id.clone(),
        user_id: s.user_id.clone(),
        suggestion_id: Some(s.id.clone()),
        status: RequestStatus::Pending,
        created_at: now,
        updated_at: now,
        version: 0,
    })
}

/// A page of suggestions, newest first.
#[derive(Debug, Clone, Default)]
pub struct SuggestionQuery {
    pub user_id: Option<UserId>,
    pub organization_id: Option<OrganizationId>,
    /// Made for an address at this domain name (lower-case).
    pub email_domain: Option<String>,
    /// Empty: every status.
    pub statuses: Vec<SuggestionStatus>,
    pub page: Page,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepting_asks_to_join_once() {
        let org = OrganizationId::from_stored("org_1");
        let user = UserId::from_stored("user_1");
        let mut s = OrganizationSuggestion::new(&org, &user, "Ann@Example.com", 10);
        assert_eq!(s.email_address, "ann@example.com");
        let r = accept(&mut s, 20).unwrap();
        assert_eq!(s.status, SuggestionStatus::Accepted);
        assert_eq!(s.updated_at, 20);
        assert_eq!(r.status, RequestStatus::Pending);
        assert_eq!((&r.organization_id, &r.user_id), (&org, &user));
        assert_eq!(r.suggestion_id.as_ref(), Some(&s.id));
        assert_eq!(
            accept(&mut s, 30),
            Err(CoreError::SuggestionNotPending { status: "accepted" })
        );
        for st in [SuggestionStatus::Pending, SuggestionStatus::Accepted] {
            assert_eq!(SuggestionStatus::parse(st.as_str()), Some(st));
        }
        assert_eq!(SuggestionStatus::parse("rejected"), None);
    }
}
