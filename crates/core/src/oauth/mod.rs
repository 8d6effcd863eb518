//! Social and enterprise sign-in: `oauth_<provider>` strategies over OAuth 2.0 and OpenID
//! Connect. The rules live here — the provider presets, the one-use `state` bound to a
//! browser's client, the `nonce`, the PKCE (S256) verifier, the ID token's checks and the
//! account-linking decision; the HTTP calls to the provider are the server's.

pub mod accounts;
pub mod flow;
pub mod id_token;
pub mod linking;
pub mod profile;
pub mod provider;

pub use accounts::{ExternalAccount, ProviderTokens};
pub use flow::{AuthRequest, Intent, PendingAuth};
pub use id_token::{IdTokenError, Jwk, Jwks, verify_id_token};
pub use linking::{LinkDecision, decide};
pub use profile::Profile;
pub use provider::{OAuthProvider, Preset, ProviderEndpoints};
