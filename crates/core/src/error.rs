//! The domain's errors. The HTTP layer maps each to a Clerk error body in exactly one place.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum CoreError {
    #[error("{resource} not found")]
    NotFound { resource: &'static str },
    #[error("{param} is already taken")]
    IdentifierExists { param: &'static str },
    #[error("{param} is missing")]
    ParamMissing { param: String },
    #[error("{param} has an invalid format: {reason}")]
    ParamFormatInvalid { param: String, reason: String },
    #[error("{param} has an invalid value: {reason}")]
    ParamValueInvalid { param: String, reason: String },
    #[error("{param} is not a recognised parameter")]
    ParamUnknown { param: String },
    #[error("password is shorter than {min} characters")]
    PasswordTooShort { min: usize },
    #[error("password is longer than {max} characters")]
    PasswordTooLong { max: usize },
    #[error("password is incorrect")]
    PasswordIncorrect,
    /// The new password is on the list of common breached passwords.
    #[error("password has been found in a data breach")]
    PasswordPwned,
    /// The password is right but marked compromised: the user must sign in another way and
    /// set a new one.
    #[error("password is marked as compromised")]
    PasswordCompromised,
    #[error("user has no password")]
    NoPassword,
    #[error("user is banned")]
    UserBanned,
    #[error("user is locked")]
    UserLocked { expires_in_seconds: Option<i64> },
    #[error("session is not active (status {status})")]
    SessionNotActive { status: &'static str },
    #[error("not allowed on a production instance: {what}")]
    ProductionForbidden { what: &'static str },
    /// A concurrent writer changed the row first; the caller re-reads and retries.
    #[error("concurrent modification")]
    Conflict,
    #[error("no account matches the identifier")]
    IdentifierNotFound,
    #[error("the code is incorrect")]
    CodeIncorrect,
    #[error("the verification has expired")]
    VerificationExpired,
    #[error("too many failed attempts")]
    VerificationFailed,
    #[error("already verified")]
    VerificationAlreadyVerified,
    /// A strategy the user or the attempt does not support.
    #[error("{param}: strategy not allowed")]
    StrategyInvalid { param: &'static str },
    /// A step taken out of order (for example a second factor before the first).
    #[error("{reason}")]
    FlowInvalid { reason: &'static str },
    #[error("a session already exists on this client")]
    SessionExists,
    #[error("signed out")]
    SignedOut,
    /// A front-door limit was hit; retry after this many seconds.
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("password hashing is overloaded")]
    Overloaded,
    #[error("storage failure: {0}")]
    Storage(String),
    #[error("crypto failure: {0}")]
    Crypto(String),
}

pub type CoreResult<T> = Result<T, CoreError>;

impl CoreError {
    pub fn format(param: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::ParamFormatInvalid {
            param: param.into(),
            reason: reason.into(),
        }
    }
    pub fn value(param: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::ParamValueInvalid {
            param: param.into(),
            reason: reason.into(),
        }
    }
    pub fn missing(param: impl Into<String>) -> Self {
        Self::ParamMissing {
            param: param.into(),
        }
    }
}

/// An error and every cause under it, outermost first (`what failed: why: root cause`), for logs.
pub fn report(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut next = err.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        // Some errors repeat their cause in their own message; print it once.
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = cause.source();
    }
    out
}
