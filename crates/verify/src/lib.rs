//! # usher-verify
//!
//! Authenticate requests to your Rust web app with session tokens, API keys and machine
//! tokens issued by [Usher](https://example.invalid/usher) — or by Clerk: the wire protocol is
//! the same. It is what Clerk's `clerkMiddleware` / `authenticateRequest` / `verifyToken` do
//! for Node, done locally and cheaply: a 60-second session token is checked with one RSA
//! signature verification and no network, and keeps being checked while the auth server is
//! down.
//!
//! ```no_run
//! use axum::{Router, routing::get};
//! use usher_verify::{Auth, AuthLayer, Authenticator, Has, RouteMatcher, SignedIn, Verifier};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = Verifier::builder()
//!     .api_url("http://127.0.0.1:4000")           // Usher's Backend API (Clerk: the default)
//!     .secret_key(std::env::var("USHER_SECRET_KEY")?) // JWKS + API keys
//!     .authorized_parties(["https://app.example.com"])
//!     .build()?;
//! let auth = Authenticator::builder(verifier)
//!     .publishable_key(&std::env::var("USHER_PUBLISHABLE_KEY")?)?
//!     .sign_in_url("https://app.example.com/sign-in")
//!     .build();
//! let app: Router = Router::new()
//!     .route("/api/me", get(|user: SignedIn| async move { user.user_id().unwrap_or_default().to_owned() }))
//!     .route("/", get(|auth: Auth| async move { format!("signed in: {}", auth.is_authenticated()) }))
//!     .layer(
//!         AuthLayer::new(auth)
//!             .public_routes(RouteMatcher::new(["/webhooks(.*)"])?)
//!             .protect_routes(RouteMatcher::new(["/dashboard(.*)", "/api/private(.*)"])?)
//!             .protect_routes_with(RouteMatcher::new(["/admin(.*)"])?, Has::role("org:admin")),
//!     );
//! # let _ = app; Ok(()) }
//! ```
//!
//! A complete app is in `examples/protected_app.rs`.
//!
//! ## Pieces
//!
//! - [`Verifier`]: token verification. Session tokens (RS256/384/512 JWTs) against a PEM key
//!   (`jwt_key`, no network at all) or the instance JWKS (`{api_url}/v1/jwks` with the secret
//!   key, or any JWKS URL): cached, refreshed in the background, refetched once — single
//!   flight, rate limited, with backoff — when an unknown `kid` appears; a failed refetch never
//!   evicts a key; missing `kid`s are remembered so bogus tokens cannot hammer the endpoint.
//!   Checks: signature and algorithm (only RSA PKCS#1 v1.5 exists here, so `alg: none`, HMAC
//!   and key confusion are impossible by construction), `exp`/`nbf`/`iat` with a 5-second skew,
//!   `azp` against the authorized parties, optional `iss` and `aud`, and the `cat` category.
//!   Errors carry Clerk's [`Reason`]s (`token-expired`, `token-invalid-signature`,
//!   `token-invalid-authorized-parties`, …).
//! - [`Authenticator`]: the request. `Authorization: Bearer` first, then the `__session`
//!   cookie (plain or suffixed) with Clerk's `__client_uat` rules; API keys (`ak_`), M2M tokens
//!   (`mt_` and JWT-form) and OAuth tokens (`oat_` and `at+jwt`) routed to their verifiers by
//!   shape whatever the list of [`AcceptsToken`]; pending sessions signed out unless the app
//!   opts in; optional handshake redirects; organization activation from URL patterns
//!   ([`OrganizationSync`]).
//! - [`Auth`]: what handlers get — user, session and status, organization id/slug/role,
//!   permissions (decoded from `o.per`/`o.fpm`/`fea` exactly as Clerk's SDK does), plans and
//!   features, actor, factor verification age, token type and every claim — with
//!   [`has`](Auth::has) and [`protect`](Auth::protect) (401, or a redirect to sign in for
//!   page requests; 404 — or 403 — when an authorization check fails).
//! - [`AuthLayer`]: a tower layer (axum or any tower server) with public and protected routes
//!   in Clerk's `createRouteMatcher` syntax ([`RouteMatcher`]); with the `axum` feature, the
//!   [`Auth`] and [`SignedIn`] extractors.
//! - [`webhooks`]: the Svix-scheme verifier for webhook receivers, with an idempotency guide.
//!
//! ## Machine tokens and the Backend API
//!
//! Opaque API keys and M2M tokens are verified by the Backend API following Clerk's documented
//! contract — `POST {api_url}/api_keys/verify {"secret"}` answering an `api_key` object (404:
//! invalid) and `POST {api_url}/m2m_tokens/verify {"token"}` answering a
//! `machine_to_machine_token` object — with a short positive and negative cache. Usher's server
//! does not serve these two routes yet; this client is tested against a local stub that
//! follows the contract (`tests/verify/requests.rs`), and works with Clerk today.
//!
//! ## Robustness
//!
//! No header, cookie, token or URL can make it panic (the crate denies `unwrap`/`expect`/`panic`
//! outside tests); `fuzz/` has cargo-fuzz targets for token parsing, request handling and claim
//! decoding, also replayed on stable by `tests/verify/fuzz_replay.rs`. Forwarding headers are
//! validated (a malformed `X-Forwarded-Host` is ignored, never trusted or fatal), and route
//! matching normalises paths like Clerk (decoded unreserved escapes, collapsed slashes) and
//! runs in linear time.
//!
//! ## Where it differs from `@clerk/backend`, on purpose
//!
//! - A JWT template (`cat: cl_B7d4PD222AAA`) is never a session token, also when several token
//!   types are accepted; an opaque machine token sent where only sessions are accepted is
//!   `token-type-mismatch` (Clerk: `token-invalid`).
//! - Header checks (`alg`, `typ`, `cat`) run before any key lookup, so garbage never triggers a
//!   JWKS fetch; a key used with an algorithm it does not allow is `token-invalid-algorithm`.
//! - `aud` of an unexpected type fails when audiences are configured (Clerk lets it pass);
//!   `azp` is not required of machine JWTs (Clerk requires it when authorized parties are set).
//! - No dev-browser (`__clerk_db_jwt`), satellite-domain or refresh-cookie flows: Usher has
//!   none; expired cookie sessions go through the handshake (opt-in) instead.

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
