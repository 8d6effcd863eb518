//! What a store call can fail with, and how a failure reaches the domain's errors.

use thiserror::Error;

use crate::error::{Cause, CoreError};
use crate::users::identifiers::IdentifierKind;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum StoreError {
    /// A unique identifier (email, phone, username, external id) belongs to another user.
    #[error("{} is already taken", .0.as_str())]
    IdentifierTaken(IdentifierKind),
    /// A custom role or permission key (`what`) already belongs to another one of the instance.
    #[error("that {what} key is already taken")]
    KeyTaken { what: &'static str },
    /// Another JWT template of the instance has this name.
    #[error("the JWT template name is already taken")]
    NameTaken,
    /// Another organization of the instance has this slug.
    #[error("the organization slug is already taken")]
    SlugTaken,
    /// The user is a member of the organization already.
    #[error("the user is already a member of the organization")]
    AlreadyMember,
    /// The organization has `max_allowed_memberships` members already.
    #[error("the organization has reached its membership limit")]
    MembershipQuotaExceeded,
    /// The domain name is listed by this organization already, or verified by another one.
    #[error("the organization domain is already taken")]
    DomainTaken,
    /// The write would remove or demote the organization's last admin.
    #[error("the organization's last admin cannot be removed or demoted")]
    LastAdmin,
    /// The address has a pending invitation to the organization already.
    #[error("a pending invitation to this address exists")]
    InvitationPending,
    /// A member holds the custom role, or a pending invitation grants it.
    #[error("the role is held by a member or granted by a pending invitation")]
    RoleInUse,
    /// Another process created the instance first (several nodes starting on one empty database).
    #[error("the database already has an instance")]
    InstanceExists,
    /// The row changed since it was read (optimistic concurrency).
    #[error("stale write")]
    Stale,
    /// The machine may call the other one already.
    #[error("the machine scope exists")]
    MachineScopeTaken,
    #[error(
        "the database schema is newer than this build of Usher understands (schema {found}, known {known})"
    )]
    SchemaTooNew { found: i64, known: i64 },
    /// A migration file differs from the one applied to this database (its checksum changed).
    #[error(
        "migration {version} was changed after it was applied to this database; restore the original file"
    )]
    MigrationChanged { version: i64 },
    /// The database failed (unreachable, I/O, a record that cannot be read back): `operation` is
    /// what was being done, `cause` the driver's error, kept for the log.
    #[error("database error during {operation}")]
    Backend {
        operation: &'static str,
        #[source]
        cause: Cause,
    },
    /// The database could not be reached in time (no connection could be had, the connection
    /// broke, the server is shutting down, or the call exceeded its bound): a failure of the
    /// moment, which degraded mode serves around and clients retry.
    #[error("database unavailable during {operation}")]
    Unavailable {
        operation: &'static str,
        #[source]
        cause: Cause,
    },
}

impl StoreError {
    /// What a query's failure is until the store method that ran it names the operation.
    pub const QUERY: &'static str = "a query";

    pub fn backend(
        operation: &'static str,
        err: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Backend {
            operation,
            cause: Cause::new(err),
        }
    }

    /// Names the operation a backend failure happened in (the `Store` method); other errors pass.
    pub fn during(self, operation: &'static str) -> Self {
        match self {
            Self::Backend { cause, .. } => Self::Backend { operation, cause },
            Self::Unavailable { cause, .. } => Self::Unavailable { operation, cause },
            other => other,
        }
    }

    pub fn unavailable(
        operation: &'static str,
        err: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Unavailable {
            operation,
            cause: Cause::new(err),
        }
    }

    /// Whether the failure says the database is unreachable or slow, rather than that the
    /// request or a record is at fault.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }
}

impl From<StoreError> for CoreError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::IdentifierTaken(kind) => CoreError::IdentifierExists {
                param: kind.as_str(),
            },
            StoreError::KeyTaken { what } => CoreError::KeyTaken { what },
            StoreError::Stale => CoreError::Conflict,
            StoreError::MachineScopeTaken => CoreError::AlreadyAssigned {
                what: "machine scope",
            },
            StoreError::SlugTaken => CoreError::IdentifierExists { param: "slug" },
            StoreError::NameTaken => CoreError::IdentifierExists { param: "name" },
            StoreError::AlreadyMember => CoreError::AlreadyMember,
            StoreError::MembershipQuotaExceeded => CoreError::MembershipQuotaExceeded,
            StoreError::LastAdmin => CoreError::LastAdmin,
            StoreError::InvitationPending => CoreError::InvitationDuplicate,
            StoreError::RoleInUse => CoreError::RoleInUse,
            StoreError::DomainTaken => CoreError::IdentifierExists { param: "name" },
            e @ StoreError::Unavailable { .. } => CoreError::Unavailable(Cause::new(e)),
            other => CoreError::Storage(Cause::new(other)),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
