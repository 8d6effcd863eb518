//! The domain's errors. The HTTP layer maps each to a Clerk error body in exactly one place.

use std::fmt;
use std::sync::Arc;

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum CoreError {
    #[error("{resource} not found")]
    NotFound { resource: &'static str },
    #[error("{param} is already taken")]
    IdentifierExists { param: &'static str },
    /// A custom role or permission key (`what`) that another one of the instance has.
    #[error("that {what} key is already taken")]
    KeyTaken { what: &'static str },
    /// Granting what is already granted (a permission a role holds).
    #[error("that {what} is already assigned")]
    AlreadyAssigned { what: &'static str },
    /// The built-in roles and permissions (`what`) can be read and granted, never changed.
    #[error("{what} cannot be changed or deleted")]
    SystemReadOnly { what: &'static str },
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
    #[error("user has no TOTP or backup codes")]
    NoTotp,
    #[error("user is banned")]
    UserBanned,
    #[error("user is locked")]
    UserLocked { expires_in_seconds: Option<i64> },
    #[error("session is not active (status {status})")]
    SessionNotActive { status: &'static str },
    #[error("not allowed on a production instance: {what}")]
    ProductionForbidden { what: &'static str },
    /// The organization has as many members as it allows.
    #[error("the organization has reached its membership limit")]
    MembershipQuotaExceeded,
    /// The change would leave the organization without an admin.
    #[error("an organization needs at least one admin")]
    LastAdmin,
    /// Members hold the role, or pending invitations grant it: it cannot be deleted.
    #[error("the role is in use")]
    RoleInUse,
    /// The user is a member of the organization already.
    #[error("already a member of the organization")]
    AlreadyMember,
    /// The address has a pending invitation to the organization already.
    #[error("a pending invitation to this address exists")]
    InvitationDuplicate,
    /// The invitation is no longer pending (accepted, revoked or expired).
    #[error("the invitation is {status}")]
    InvitationNotPending { status: &'static str },
    /// The waitlist entry's status does not allow the action (inviting an invited entry,
    /// deleting one that is no longer pending, …).
    #[error("the waitlist entry is {status}")]
    WaitlistEntryNotActionable { status: &'static str },
    /// The sign-in token was used or revoked already.
    #[error("the sign-in token is {status}")]
    SignInTokenNotPending { status: &'static str },
    /// The actor token was revoked already.
    #[error("the actor token is revoked")]
    ActorTokenRevoked,
    /// The organization suggestion was accepted already.
    #[error("the organization suggestion is {status}")]
    SuggestionNotPending { status: &'static str },
    /// The membership request was decided already (accepted or rejected).
    #[error("the membership request is {status}")]
    MembershipRequestNotPending { status: &'static str },
    /// A ticket names no pending invitation (unknown, used or revoked).
    #[error("the ticket is invalid")]
    TicketInvalid,
    /// The ticket's invitation expired.
    #[error("the ticket has expired")]
    TicketExpired,
    /// A sign-in ticket's address has no account: the invitee signs up instead.
    #[error("no account has the invited address")]
    InvitationAccountNotExists,
    /// The user accepting an invitation does not own its address, verified.
    #[error("the invitation was sent to another address")]
    InvitationEmailMismatch,
    /// A public email provider's domain (gmail.com, …) offered as an organization's domain:
    /// anyone can have an address there, so it says nothing about affiliation.
    #[error("a common email provider's domain")]
    DomainCommon,
    /// The signed-in user is not a member of the organization (or it does not exist): the two
    /// are not told apart, so that non-members learn nothing about it.
    #[error("organization not found or not a member")]
    NotAMember,
    /// The member's role lacks the permission the action needs.
    #[error("missing permission {permission}")]
    MissingPermission { permission: &'static str },
    /// The instance, the organization or the user does not allow this action.
    #[error("not allowed: {reason}")]
    NotAllowed { reason: &'static str },
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
    /// A passkey's answer that does not verify (challenge, origin, RP, signature, counter…),
    /// or names no passkey that may sign in.
    #[error("passkey refused: {reason}")]
    PasskeyRefused { reason: &'static str },
    /// Removing the user's last email address, phone number or username would leave nothing to
    /// sign in with.
    #[error("the last identification cannot be removed")]
    LastIdentification,
    /// The provider's account is connected to another user already.
    #[error("this external account is connected to another user")]
    ExternalAccountExists,
    /// A strategy the user or the attempt does not support.
    #[error("{param}: strategy not allowed")]
    StrategyInvalid { param: &'static str },
    /// A step taken out of order (for example a second factor before the first).
    #[error("{reason}")]
    FlowInvalid { reason: &'static str },
    #[error("a session already exists on this client")]
    SessionExists,
    /// The identifier may not be used here (the blocklist, the allowlist or an email
    /// restriction): which rule refused is not told.
    #[error("the identifier is not allowed")]
    IdentifierNotAllowed,
    /// Sign-up is restricted to the invited (sign-up mode `restricted`).
    #[error("sign-up is restricted to invited users")]
    SignUpRestricted,
    /// Sign-up is closed: the waitlist is the way in (sign-up mode `waitlist`).
    #[error("sign-up is closed; join the waitlist")]
    SignUpWaitlist,
    #[error("signed out")]
    SignedOut,
    /// An uploaded image that is empty or not one of the accepted formats.
    #[error("file: {reason}")]
    ImageInvalid { reason: String },
    /// An uploaded image over the size limit.
    #[error("the file is larger than {limit} bytes")]
    ImageTooLarge { limit: usize },
    /// A front-door limit was hit; retry after this many seconds.
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("password hashing is overloaded")]
    Overloaded,
    /// The storage (or what serves it) failed; the cause is logged, never shown to a client.
    #[error("storage failure")]
    Storage(#[source] Cause),
    /// The database is unreachable or slow for now (Clerk's 503): the client retries, and a
    /// browser keeps its session.
    #[error("storage unavailable")]
    Unavailable(#[source] Cause),
    #[error("crypto failure: {0}")]
    Crypto(String),
}

pub type CoreResult<T> = Result<T, CoreError>;

/// The error under an internal failure, kept (not flattened to its text) so that the log shows
/// its whole chain of causes. Shared, so that the errors holding it stay `Clone`; two causes are
/// equal when they say the same thing.
#[derive(Debug, Clone)]
pub struct Cause(Arc<dyn std::error::Error + Send + Sync>);

impl Cause {
    pub fn new(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Arc::new(err))
    }

    /// A cause with a message of its own and no error under it.
    pub fn msg(message: impl Into<String>) -> Self {
        Self(Arc::new(Message(message.into())))
    }

    /// `context`, caused by `err`: what was being done when `err` happened.
    pub fn context(
        context: &'static str,
        err: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self(Arc::new(Context {
            context,
            cause: Box::new(err),
        }))
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.to_string() == other.0.to_string()
    }
}

#[derive(Debug, Error)]
#[error("{0}")]
struct Message(String);

#[derive(Debug, Error)]
#[error("{context}")]
struct Context {
    context: &'static str,
    #[source]
    cause: Box<dyn std::error::Error + Send + Sync>,
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Error)]
    #[error("connection refused")]
    struct Refused;

    #[derive(Debug, Error)]
    #[error("pool timed out")]
    struct Timeout(#[source] Refused);

    #[test]
    fn a_report_names_every_cause_once() {
        let err = CoreError::Storage(Cause::context("reading a user", Timeout(Refused)));
        assert_eq!(
            report(&err),
            "storage failure: reading a user: pool timed out: connection refused"
        );
        let repeats = Cause::new(std::io::Error::other(Refused));
        assert_eq!(report(&repeats), "connection refused");
    }

    #[test]
    fn causes_compare_by_what_they_say() {
        assert_eq!(Cause::msg("boom"), Cause::msg("boom"));
        assert_ne!(Cause::msg("boom"), Cause::msg("bang"));
    }
}
