//! Why a token or a request was not accepted. The strings are Clerk's, so logs, metrics and
//! client code that switch on `@clerk/backend`'s `reason` keep working.

use std::borrow::Cow;
use std::fmt;

/// A precise reason, as a stable kebab-case string (see [`Reason::as_str`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    // ---- token verification (Clerk's `TokenVerificationErrorReason`) ----
    /// `exp` is at or before now minus the clock skew.
    TokenExpired,
    /// Not a JWT of the expected kind: wrong shape, undecodable, wrong `typ` or category.
    TokenInvalid,
    /// `alg` is not RS256/RS384/RS512, or not the algorithm of the key that must verify it.
    TokenInvalidAlgorithm,
    /// `azp` is missing or not one of the configured authorized parties.
    TokenInvalidAuthorizedParties,
    /// The signature does not verify with the key.
    TokenInvalidSignature,
    /// `nbf` is after now plus the clock skew.
    TokenNotActiveYet,
    /// `iat` is after now plus the clock skew.
    TokenIatInTheFuture,
    /// A required claim is missing or of the wrong type, or `aud` does not match.
    TokenVerificationFailed,
    /// `iss` is not one of the configured issuers.
    TokenInvalidIssuer,
    /// The Backend API refused the secret key (JWKS or machine-token verification).
    SecretKeyInvalid,
    /// No PEM key and no JWKS source is configured.
    JwkFailedToResolve,
    /// The JWKS could not be fetched (network, status, body) and no cached key matches.
    RemoteJwkFailedToLoad,
    /// No key in the JWKS has the token's `kid`.
    JwkKidMismatch,

    // ---- request authentication (Clerk's `AuthErrorReason`) ----
    /// A token of a type the route does not accept (e.g. an M2M token where sessions are expected).
    TokenTypeMismatch,
    /// No `__session` cookie and no (or a zero) `__client_uat` cookie: simply signed out.
    SessionTokenAndUatMissing,
    /// A handshake answered without a session cookie.
    SessionTokenMissing,
    /// `__client_uat` says signed in but there is no `__session` cookie.
    ClientUatWithoutSessionToken,
    /// A `__session` cookie without `__client_uat`.
    SessionTokenWithoutClientUat,
    /// The cookie token was issued before the client's last sign-in/out (`iat < __client_uat`).
    SessionTokenIatBeforeClientUat,
    /// Expired session token, not refreshable because the request has no refresh cookie.
    SessionTokenExpiredRefreshNoCookie,
    /// Expired session token, not refreshable because the request is not a GET.
    SessionTokenExpiredRefreshNonGet,
    /// Expired session token; a refresh would need the Backend API, which this crate leaves to
    /// the handshake.
    SessionTokenExpiredRefreshMissingApiClient,
    /// Session token whose `nbf` is in the future.
    SessionTokenNbf,
    /// Session token whose `iat` is in the future.
    SessionTokenIatInTheFuture,
    /// The URL asks for another active organization than the token's.
    ActiveOrganizationMismatch,
    /// A machine token type is required but the request has no `Authorization` header.
    NoTokenInHeader,

    // ---- machine tokens (Clerk's `MachineTokenVerificationErrorCode`) ----
    /// The Backend API does not know the API key / machine token (404), or it is revoked or expired.
    MachineTokenInvalid,
    /// A machine JWT failed verification.
    MachineTokenVerificationFailed,
    /// The Backend API could not be reached or answered something unexpected.
    UnexpectedError,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::TokenExpired => "token-expired",
            Reason::TokenInvalid => "token-invalid",
            Reason::TokenInvalidAlgorithm => "token-invalid-algorithm",
            Reason::TokenInvalidAuthorizedParties => "token-invalid-authorized-parties",
            Reason::TokenInvalidSignature => "token-invalid-signature",
            Reason::TokenNotActiveYet => "token-not-active-yet",
            Reason::TokenIatInTheFuture => "token-iat-in-the-future",
            Reason::TokenVerificationFailed => "token-verification-failed",
            Reason::TokenInvalidIssuer => "token-invalid-issuer",
            Reason::SecretKeyInvalid => "secret-key-invalid",
            Reason::JwkFailedToResolve => "jwk-failed-to-resolve",
            Reason::RemoteJwkFailedToLoad => "jwk-remote-failed-to-load",
            Reason::JwkKidMismatch => "jwk-kid-mismatch",
            Reason::TokenTypeMismatch => "token-type-mismatch",
            Reason::SessionTokenAndUatMissing => "session-token-and-uat-missing",
            Reason::SessionTokenMissing => "session-token-missing",
            Reason::ClientUatWithoutSessionToken => "client-uat-but-no-session-token",
            Reason::SessionTokenWithoutClientUat => "session-token-but-no-client-uat",
            Reason::SessionTokenIatBeforeClientUat => "session-token-iat-before-client-uat",
            Reason::SessionTokenExpiredRefreshNoCookie => {
                "session-token-expired-refresh-non-eligible-no-refresh-cookie"
            }
            Reason::SessionTokenExpiredRefreshNonGet => {
                "session-token-expired-refresh-non-eligible-non-get"
            }
            Reason::SessionTokenExpiredRefreshMissingApiClient => {
                "session-token-expired-refresh-missing-api-client"
            }
            Reason::SessionTokenNbf => "session-token-nbf",
            Reason::SessionTokenIatInTheFuture => "session-token-iat-in-the-future",
            Reason::ActiveOrganizationMismatch => "active-organization-mismatch",
            Reason::NoTokenInHeader => "No token in header",
            Reason::MachineTokenInvalid => "token-invalid",
            Reason::MachineTokenVerificationFailed => "token-verification-failed",
            Reason::UnexpectedError => "unexpected-error",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed verification: the [`Reason`] plus a human-readable message (never containing the
/// token or any key).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} (reason={reason})")]
pub struct VerifyError {
    pub reason: Reason,
    pub message: Cow<'static, str>,
}

impl VerifyError {
    pub(crate) fn new(reason: Reason, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            reason,
            message: message.into(),
        }
    }
}

/// Building a [`Verifier`](crate::Verifier) or [`Authenticator`](crate::Authenticator) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("invalid PEM public key: {0}")]
    InvalidPem(String),
    #[error("invalid JWK: {0}")]
    InvalidJwk(String),
    #[error("invalid publishable key: {0}")]
    InvalidPublishableKey(String),
    #[error("invalid route pattern {pattern:?}: {message}")]
    InvalidPattern { pattern: String, message: String },
    #[error("invalid URL {0:?}")]
    InvalidUrl(String),
    #[error("no key source: set a PEM key (jwt_key) or a secret key (for the JWKS)")]
    NoKeySource,
    #[error("the HTTP client could not be built: {0}")]
    Http(String),
}
