//! Organization roles and permissions, as Clerk models them: a role (`org:<name>`) grants
//! permissions (`org:<feature>:<action>`); the system roles `org:admin` and `org:member` and the
//! `org:sys_*` permissions exist in every instance, custom ones are the instance's own.

pub mod assign;
pub mod claims;
pub mod keys;
pub mod manage;
pub mod model;
pub mod sets;
pub mod system;

pub use assign::{RoleCatalog, check_assignable};
pub use claims::{ActiveOrganization, OrganizationClaim, encode_claims, encode_claims_with};
pub use keys::{PermissionKey, RoleKey};
pub use model::{Permission, PermissionType, Role};
