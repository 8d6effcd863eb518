//! # usher-verify
//!
//! CRATE_DOCS_PLACEHOLDER

mod auth;
mod clock;
mod context;
mod error;
mod http_util;
mod jwks;
mod jwt;
mod keys;
mod layer;
mod machine;
mod request;
mod routes;
mod verifier;
pub mod webhooks;

#[doc(hidden)]
pub mod fuzzing;

pub use auth::{
    AcceptsToken, AuthState, Has, MachineAuth, Reverification, ReverificationLevel, SessionAuth,
    SignedOut, TokenType,
};
pub use clock::{Clock, FixedClock, SystemClock};
pub use context::PublishableKey;
pub use error::{ConfigError, Reason, VerifyError};
pub use jwks::{JwksSettings, JwksStats};
pub use keys::{Alg, Jwk, JwkSet, RsaKey};
#[cfg(feature = "axum")]
pub use layer::SignedIn;
pub use layer::{AuthLayer, AuthService};
pub use machine::MachineSettings;
pub use request::{Auth, Authenticator, AuthenticatorBuilder, Rejection, RequestState, Status};
pub use routes::{OrganizationSync, OrganizationTarget, RouteMatcher, normalize_path};
pub use verifier::{
    DEFAULT_API_URL, IGNORE_CATEGORY, JWT_TEMPLATE_CATEGORY, M2M_TOKEN_CATEGORY,
    SESSION_TOKEN_CATEGORY, Verifier, VerifierBuilder,
};
pub use webhooks::{Webhook, WebhookError};
