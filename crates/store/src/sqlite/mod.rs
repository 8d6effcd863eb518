//! The embedded SQLite store: one file, WAL mode. All writes go through a single-connection pool so
//! transactions queue in-process instead of failing with `SQLITE_BUSY`; reads use their own pool.

pub mod backup;
mod health;
mod migrations;

// The queries are shared by both backends: `sql/modules.rs` lists them, each reading `Db`.
type Db = sqlx::Sqlite;
/// One writer connection: claims cannot race, so no row locks are needed.
const SKIP_LOCKED: &str = "";
/// A write transaction takes the write lock when it begins. Another process (a second node on
/// the same file) may hold it; begun `DEFERRED`, a transaction that read first would then fail
/// at once with `SQLITE_BUSY` instead of waiting out the busy timeout.
const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";
include!("../sql/modules.rs");

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use usher_core::audit::AuditEntry;
use usher_core::clients::Client;
use usher_core::events::OutboxEvent;
use usher_core::ids::{
    ClientId, EmailMessageId, EventId, InstanceId, OrganizationDomainId, OrganizationId,
    OrganizationInvitationId, SessionId, UserId, WebhookEndpointId,
};
use usher_core::instance::{Instance, SecretKeyRecord};
use usher_core::organizations::domains::{DomainQuery, OrganizationDomain};
use usher_core::organizations::invitations::{InvitationQuery, OrganizationInvitation};
use usher_core::organizations::query::{MembershipQuery, OrganizationQuery};
use usher_core::organizations::{Organization, OrganizationMembership};
use usher_core::sessions::Session;
use usher_core::sessions::query::SessionQuery;
use usher_core::signing_keys::SigningKeyRecord;
use usher_core::store::prelude::*;
use usher_core::store::{Changeset, SessionForToken, StoreError, StoreResult};
use usher_core::users::User;
use usher_core::users::identifiers::IdentifierKind;
use usher_core::users::query::{Page, UserFilter, UserOrder};
use usher_core::webhooks::{
    AttemptRecord, ClaimedEndpoint, Delivery, DeliveryQuery, EndpointStats, PendingDelivery,
    WebhookEndpoint,
};

pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
}

pub(crate) use crate::availability::db_err;

impl SqliteStore {
    pub async fn open(path: &Path) -> StoreResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Backend {
                operation: "opening the database",
                cause: usher_core::error::Cause::msg(format!(
                    "cannot create {}: {e}",
                    dir.display()
                )),
            })?;
        }
        let opts = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|e| db_err(e).during("opening the database"))?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await
            .map_err(|e| db_err(e).during("opening the database"))?;
        migrations::run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts.read_only(true))
            .await
            .map_err(|e| db_err(e).during("opening the database"))?;
        Ok(Self { read, write })
    }
}

type Backend = SqliteStore;

impl SqliteStore {
    fn reader(&self) -> &sqlx::Pool<sqlx::Sqlite> {
        &self.read
    }
    /// The single writer connection.
    fn writer(&self) -> &sqlx::Pool<sqlx::Sqlite> {
        &self.write
    }
}

// The Store, one sub-trait a file (sql/store_impl/).
include!("../sql/store_impl/all.rs");
