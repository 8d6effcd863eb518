//! The storage contract. Implementations live in `usher-store` (SQLite, PostgreSQL); both pass the
//! same test suite. Every change is a [`Changeset`] committed in one transaction together with the
//! events (the outbox) and audit entries it causes.

use async_trait::async_trait;
use thiserror::Error;

use crate::audit::AuditEntry;
use crate::error::CoreError;
use crate::events::OutboxEvent;
use crate::instance::{Instance, SecretKeyRecord};
use crate::sessions::query::SessionQuery;
use crate::sessions::{Client, Session};
use crate::signing_keys::SigningKeyRecord;
use crate::users::User;
use crate::users::identifiers::IdentifierKind;
use crate::users::query::{Page, UserFilter, UserOrder};

#[derive(Debug, Error, Clone, PartialEq)]
pub enum StoreError {
    /// A unique identifier (email, phone, username, external id) belongs to another user.
    #[error("{} is already taken", .0.as_str())]
    IdentifierTaken(IdentifierKind),
    /// Another process created the instance first (several nodes starting on one empty database).
    #[error("the database already has an instance")]
    InstanceExists,
    /// The row changed since it was read (optimistic concurrency).
    #[error("stale write")]
    Stale,
    #[error(
        "the database schema is newer than this build of Usher understands (schema {found}, known {known})"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("database error: {0}")]
    Backend(String),
}

impl From<StoreError> for CoreError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::IdentifierTaken(kind) => CoreError::IdentifierExists {
                param: kind.as_str(),
            },
            StoreError::Stale => CoreError::Conflict,
            other => CoreError::Storage(other.to_string()),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// One write within a changeset.
#[derive(Debug, Clone)]
pub enum Write {
    InsertUser(User),
    /// Writes `user` if the stored version is still `user.version`; the stored version becomes `+1`.
    UpdateUser(User),
    DeleteUser {
        id: String,
        version: i64,
    },
    InsertClient(Client),
    InsertSession(Session),
    /// Like `UpdateUser`: guarded by `session.version`.
    UpdateSession(Session),
    Event(OutboxEvent),
    Audit(AuditEntry),
}

/// Writes that belong together: all are committed, or none.
#[derive(Debug, Default, Clone)]
pub struct Changeset {
    pub writes: Vec<Write>,
}

impl Changeset {
    pub fn push(&mut self, w: Write) -> &mut Self {
        self.writes.push(w);
        self
    }
}

/// A session with what the token endpoint needs to know about its user, read in one query.
#[derive(Debug, Clone)]
pub struct SessionForToken {
    pub session: Session,
    pub user_banned: bool,
    pub user_locked_until: Option<i64>,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Checks the connection; `/readyz` calls it.
    async fn ping(&self) -> StoreResult<()>;

    async fn load_instance(&self) -> StoreResult<Option<Instance>>;
    /// Creates the instance with its first secret key and signing key, in one transaction.
    /// Fails with [`StoreError::InstanceExists`] when the database already has one.
    async fn create_instance(
        &self,
        instance: &Instance,
        secret: &SecretKeyRecord,
        key: &SigningKeyRecord,
    ) -> StoreResult<()>;
    async fn secret_keys(&self, instance_id: &str) -> StoreResult<Vec<SecretKeyRecord>>;
    async fn signing_keys(&self, instance_id: &str) -> StoreResult<Vec<SigningKeyRecord>>;
    /// Makes `key` the signing key; the previous ones stay (inactive) so their tokens still verify.
    async fn rotate_signing_key(
        &self,
        instance_id: &str,
        key: &SigningKeyRecord,
    ) -> StoreResult<()>;
    /// Removes an inactive key from JWKS. Returns false when there is no such inactive key.
    async fn retire_signing_key(&self, instance_id: &str, kid: &str) -> StoreResult<bool>;

    async fn get_user(&self, instance_id: &str, id: &str) -> StoreResult<Option<User>>;
    async fn list_users(
        &self,
        instance_id: &str,
        filter: &UserFilter,
        order: UserOrder,
        page: &Page,
    ) -> StoreResult<Vec<User>>;
    async fn count_users(&self, instance_id: &str, filter: &UserFilter) -> StoreResult<i64>;

    async fn get_session(&self, instance_id: &str, id: &str) -> StoreResult<Option<Session>>;
    async fn session_for_token(
        &self,
        instance_id: &str,
        id: &str,
    ) -> StoreResult<Option<SessionForToken>>;
    /// Returns the page and the total matching the filter.
    async fn list_sessions(
        &self,
        instance_id: &str,
        query: &SessionQuery,
    ) -> StoreResult<(Vec<Session>, i64)>;
    async fn live_sessions_of_user(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> StoreResult<Vec<Session>>;

    async fn commit(&self, instance_id: &str, changes: Changeset) -> StoreResult<()>;

    /// Outbox events after `after_seq`, oldest first.
    async fn events_after(
        &self,
        instance_id: &str,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxEvent>>;
    /// Audit entries, newest first.
    async fn audit_log(&self, instance_id: &str, limit: i64) -> StoreResult<Vec<AuditEntry>>;
}
