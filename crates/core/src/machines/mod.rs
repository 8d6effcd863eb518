//! Machines and their M2M tokens (Clerk's machine-to-machine authentication). A machine holds
//! an `ak_` secret key (digested and sealed as API key secrets are, see `api_keys::secrets`),
//! may call the machines in its scope, and mints short-lived tokens with its key: opaque `mt_`
//! tokens kept as digests, or RS256 JWTs any holder of the instance's JWKS verifies.

pub mod model;
pub mod rules;
pub mod tokens;

pub use model::{M2mToken, M2mTokenQuery, Machine, MachineOrder, MachineQuery, MachineScope};
pub use rules::{MachinePatch, NewMachine};
pub use tokens::{M2mTokenFormat, NewM2mToken};
