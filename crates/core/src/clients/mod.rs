//! Clients are the browsers and devices users sign in from. A client carries at most one sign-in
//! attempt and one sign-up attempt in progress, and the sessions started on it.

pub mod decoys;
pub mod email_links;
pub mod factors;
pub mod model;
pub mod passkeys;
pub mod phone_codes;
pub mod sign_ins;
pub mod sign_up_fields;
pub mod sign_up_phones;
pub mod sign_ups;
pub mod strategy;
pub mod supported;

pub use model::{Client, ClientToken};
pub use strategy::Strategy;
