//! Users: the model, the rules for creating and changing one, and metadata merging.

pub mod bulk;
pub mod contact_links;
pub mod contacts;
pub mod create;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod identifiers;
pub mod lockout;
pub mod metadata;
pub mod model;
pub mod query;
pub mod update;

pub use model::{EmailAddress, PhoneNumber, User, Verification};
