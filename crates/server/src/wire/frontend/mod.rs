//! The Frontend API's JSON shapes, as Clerk's browser SDK reads them: resources wrapped as
//! `{response, client}` with the whole client piggybacked on every mutation, timestamps in
//! milliseconds, and the environment and token responses unwrapped.

pub mod api_version;
pub mod client;
pub mod environment;
pub mod mfa;
pub mod organizations;
pub mod suggestions;

use serde_json::{Value, json};

/// `{response, client}`: clerk-js replaces its whole client state with `client` on every
/// mutation.
pub fn envelope(response: Value, client: Value) -> Value {
    json!({ "response": response, "client": client })
}
