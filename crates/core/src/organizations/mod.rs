//! Organizations (Clerk's B2B tenancy): the model, the rules for creating and changing one, its
//! memberships and their roles, and listing both.

pub mod access;
pub mod affiliation;
pub mod domains;
pub mod enrollment;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod invitations;
pub mod membership_requests;
pub mod memberships;
pub mod model;
pub mod query;
pub mod roles;
pub mod rules;
pub mod suggestions;

pub use model::{Organization, OrganizationMembership};
