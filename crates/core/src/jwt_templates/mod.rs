//! JWT templates: named claim sets with Clerk's shortcodes, rendered against a signed-in user into
//! a token signed by the instance's key or the template's own.
//!
//! model (the template, its algorithm, the Backend API's rules on save), shortcodes (the `{{…}}`
//! expression language: parsing and evaluation), render (the claims a token carries: the
//! template's rendered over the context, then the default claims), signing (the template's own key
//! sealed at rest, and the JWS of every algorithm a template may choose), lint (what a template
//! ships that an operator should look at twice), session_claims (the instance's session token
//! template: its rules, its worst-case size, rendered into every session token).

pub mod lint;
pub mod model;
pub mod render;
pub mod session_claims;
pub mod shortcodes;
pub mod signing;

pub use model::{JwtTemplate, SigningAlgorithm, TemplateInput};
