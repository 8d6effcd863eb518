//! Listing organizations and memberships: filters, ordering and paging as the Backend API takes them.

use crate::ids::{OrganizationId, UserId};
use crate::order_by::{self, OrderBy, order_fields};
use crate::users::query::Page;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct OrganizationQuery {
    /// Exact match on the id, partial (case-insensitive) on name and slug.
    pub query: Option<String>,
    /// Organizations with any of these users as members.
    /// Filters from a request, as text (like `UserFilter`'s): one that is not an id matches none.
    pub user_ids: Vec<String>,
    pub exclude_user_ids: Vec<String>,
    pub organization_ids: Vec<String>,
    pub exclude_organization_ids: Vec<String>,
    pub order: OrganizationOrder,
    pub page: Page,
}

order_fields! {
    /// What organizations can be listed by.
    pub enum OrganizationOrderField {
        CreatedAt = "created_at",
        Name = "name",
        MembersCount = "members_count",
    }
    default CreatedAt;
    unknown(name) => order_by::unknown_field(name, "organizations");
}

/// How organizations are listed: `-created_at` by default.
pub type OrganizationOrder = OrderBy<OrganizationOrderField>;

/// Memberships of one organization, or of one user, or of the whole instance.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct MembershipQuery {
    pub organization_id: Option<OrganizationId>,
    pub user_id: Option<UserId>,
    /// Members with any of these users (the `user_id` filter of an organization's list).
    pub user_ids: Vec<String>,
    pub exclude_user_ids: Vec<String>,
    pub roles: Vec<String>,
    /// Partial, case-insensitive match over the member's ids, names and identifiers.
    pub query: Option<String>,
    pub order: MembershipOrder,
    pub page: Page,
}

order_fields! {
    /// What memberships can be listed by.
    pub enum MembershipOrderField {
        CreatedAt = "created_at",
        EmailAddress = "email_address",
        PhoneNumber = "phone_number",
        Username = "username",
        FirstName = "first_name",
        LastName = "last_name",
    }
    default CreatedAt;
    unknown(name) => order_by::unknown_field(name, "memberships");
}

/// How memberships are listed: `-created_at` by default.
pub type MembershipOrder = OrderBy<MembershipOrderField>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders() {
        assert_eq!(
            OrganizationOrder::parse("-created_at").unwrap(),
            OrganizationOrder::default()
        );
        let o = OrganizationOrder::parse("members_count").unwrap();
        assert!(!o.descending && o.field == OrganizationOrderField::MembersCount);
        assert!(OrganizationOrder::parse("-slug").is_err());
        assert_eq!(
            MembershipOrder::parse("+first_name").unwrap().field,
            MembershipOrderField::FirstName
        );
        assert!(MembershipOrder::parse("role").is_err());
    }
}
