//! Clerk's `OrganizationSuggestion` (the signed-in user's) and `OrganizationMembershipRequest`
//! (an organization's, as its admins see them).

use serde::Serialize;
use usher_core::clock::Millis;
use usher_core::ids::{OrganizationId, OrganizationMembershipRequestId, OrganizationSuggestionId};
use usher_core::organizations::Organization;
use usher_core::organizations::membership_requests::MembershipRequest;
use usher_core::organizations::suggestions::OrganizationSuggestion;
use usher_core::users::User;

use crate::wire::organizations::{OrganizationJson, PublicUserDataJson};

#[derive(Debug, Serialize)]
pub struct PublicOrganizationDataJson {
    id: OrganizationId,
    name: String,
    slug: String,
    image_url: String,
    has_image: bool,
}

impl PublicOrganizationDataJson {
    pub fn new(o: &Organization) -> Self {
        let full = OrganizationJson::new(o, false);
        Self {
            id: o.id.clone(),
            name: o.name.clone(),
            slug: o.slug.clone(),
            image_url: full.image_url,
            has_image: full.has_image,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SuggestionJson {
    object: &'static str,
    id: OrganizationSuggestionId,
    public_organization_data: PublicOrganizationDataJson,
    status: &'static str,
    created_at: Millis,
    updated_at: Millis,
}

impl SuggestionJson {
    pub fn new(s: &OrganizationSuggestion, o: &Organization) -> Self {
        Self {
            object: "organization_suggestion",
            id: s.id.clone(),
            public_organization_data: PublicOrganizationDataJson::new(o),
            status: s.status.as_str(),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct MembershipRequestJson {
    object: &'static str,
    id: OrganizationMembershipRequestId,
    organization_id: OrganizationId,
    status: &'static str,
    public_user_data: PublicUserDataJson,
    created_at: Millis,
    updated_at: Millis,
}

impl MembershipRequestJson {
    /// `user` none: the requester is gone (the request is read while the user is being deleted).
    pub fn new(r: &MembershipRequest, user: Option<&User>) -> Self {
        Self {
            object: "organization_membership_request",
            id: r.id.clone(),
            organization_id: r.organization_id.clone(),
            status: r.status.as_str(),
            public_user_data: PublicUserDataJson::new(&r.user_id, user),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}
