//! Listing organizations and memberships: filters, ordering and paging as the Backend API takes them.

use crate::error::{CoreError, CoreResult};
use crate::ids::{OrganizationId, UserId};
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationOrderField {
    CreatedAt,
    Name,
    MembersCount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrganizationOrder {
    pub field: OrganizationOrderField,
    pub descending: bool,
}

impl Default for OrganizationOrder {
    fn default() -> Self {
        Self {
            field: OrganizationOrderField::CreatedAt,
            descending: true,
        }
    }
}

/// `[+|-]name`: the direction and the name.
fn split_order(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

fn unknown_order(name: &str, what: &str) -> CoreError {
    CoreError::value(
        "order_by",
        format!(
            "'{}' is not a field {what} can be ordered by",
            name.chars().take(40).collect::<String>()
        ),
    )
}

impl OrganizationOrder {
    pub fn parse(s: &str) -> CoreResult<Self> {
        let (descending, name) = split_order(s);
        let field = match name {
            "created_at" => OrganizationOrderField::CreatedAt,
            "name" => OrganizationOrderField::Name,
            "members_count" => OrganizationOrderField::MembersCount,
            _ => return Err(unknown_order(name, "organizations")),
        };
        Ok(Self { field, descending })
    }
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipOrderField {
    CreatedAt,
    EmailAddress,
    PhoneNumber,
    Username,
    FirstName,
    LastName,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MembershipOrder {
    pub field: MembershipOrderField,
    pub descending: bool,
}

impl Default for MembershipOrder {
    fn default() -> Self {
        Self {
            field: MembershipOrderField::CreatedAt,
            descending: true,
        }
    }
}

impl MembershipOrder {
    pub fn parse(s: &str) -> CoreResult<Self> {
        let (descending, name) = split_order(s);
        let field = match name {
            "created_at" => MembershipOrderField::CreatedAt,
            "email_address" => MembershipOrderField::EmailAddress,
            "phone_number" => MembershipOrderField::PhoneNumber,
            "username" => MembershipOrderField::Username,
            "first_name" => MembershipOrderField::FirstName,
            "last_name" => MembershipOrderField::LastName,
            _ => return Err(unknown_order(name, "memberships")),
        };
        Ok(Self { field, descending })
    }
}

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
