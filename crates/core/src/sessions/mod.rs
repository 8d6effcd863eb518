//! Sessions and the clients (browsers, devices) they live on, and the tokens they mint.

pub mod bearer;
pub mod devices;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod lifecycle;
pub mod model;
pub mod query;
pub mod selection;
pub mod tasks;
pub mod tokens;

pub use crate::clients::Client;
pub use model::{Session, SessionStatus};
