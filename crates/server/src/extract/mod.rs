//! Extractors that never answer with anything but a Clerk-shaped error.

pub mod auth;
pub mod body;
pub mod machine_auth;
pub mod multipart;
pub mod path;
pub mod query;
pub mod text;
pub mod upload;
