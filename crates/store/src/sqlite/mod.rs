//! The embedded SQLite store: one file, WAL mode. All writes go through a single-connection pool so
//! transactions queue in-process instead of failing with `SQLITE_BUSY`; reads use their own pool.

pub mod backup;
mod health;
mod migrations;

// The queries are shared with PostgreSQL: see `crate::sql`.
mod query {
    type Db = sqlx::Sqlite;
    include!("../sql/query.rs");
}
mod filters {
    type Db = sqlx::Sqlite;
    include!("../sql/filters.rs");
}
mod reads {
    type Db = sqlx::Sqlite;
    include!("../sql/reads.rs");
}
mod writes {
    type Db = sqlx::Sqlite;
    include!("../sql/writes.rs");
}
mod webhooks {
    type Db = sqlx::Sqlite;
    /// One writer connection: claims cannot race, so no row locks are needed.
    const SKIP_LOCKED: &str = "";
    include!("../sql/webhooks.rs");
}
mod clients {
    type Db = sqlx::Sqlite;
    include!("../sql/clients.rs");
}
mod images {
    type Db = sqlx::Sqlite;
    include!("../sql/images.rs");
}
mod branding {
    type Db = sqlx::Sqlite;
    include!("../sql/branding.rs");
}
mod session_claims {
    type Db = sqlx::Sqlite;
    include!("../sql/session_claims.rs");
}
mod instance_settings {
    type Db = sqlx::Sqlite;
    include!("../sql/instance_settings.rs");
}
mod jwt_templates {
    type Db = sqlx::Sqlite;
    include!("../sql/jwt_templates.rs");
}
mod roles {
    type Db = sqlx::Sqlite;
    include!("../sql/roles.rs");
}
mod outbound {
    type Db = sqlx::Sqlite;
    include!("../sql/outbound.rs");
}
mod emails {
    type Db = sqlx::Sqlite;
    include!("../sql/emails.rs");
}
mod sms {
    type Db = sqlx::Sqlite;
    include!("../sql/sms.rs");
}
mod lifecycle {
    type Db = sqlx::Sqlite;
    include!("../sql/lifecycle.rs");
}
mod identifier_lists {
    type Db = sqlx::Sqlite;
    include!("../sql/identifier_lists.rs");
}
mod invitations {
    type Db = sqlx::Sqlite;
    include!("../sql/invitations.rs");
}
mod organization_invitations {
    type Db = sqlx::Sqlite;
    include!("../sql/organization_invitations.rs");
}
mod organizations {
    type Db = sqlx::Sqlite;
    include!("../sql/organizations.rs");
}
mod role_sets {
    type Db = sqlx::Sqlite;
    include!("../sql/role_sets.rs");
}
mod sign_in_tokens {
    type Db = sqlx::Sqlite;
    include!("../sql/sign_in_tokens.rs");
}
mod organization_domains {
    type Db = sqlx::Sqlite;
    include!("../sql/organization_domains.rs");
}
mod passkeys {
    type Db = sqlx::Sqlite;
    include!("../sql/passkeys.rs");
}
mod api_keys {
    type Db = sqlx::Sqlite;
    include!("../sql/api_keys.rs");
}
mod activity {
    type Db = sqlx::Sqlite;
    include!("../sql/activity.rs");
}

mod operators {
    type Db = sqlx::Sqlite;
    include!("../sql/operators.rs");
}
mod billing {
    type Db = sqlx::Sqlite;
    include!("../sql/billing.rs");
}
mod machines {
    type Db = sqlx::Sqlite;
    include!("../sql/machines.rs");
}
mod m2m_tokens {
    type Db = sqlx::Sqlite;
    include!("../sql/m2m_tokens.rs");
}
mod organization_suggestions {
    type Db = sqlx::Sqlite;
    include!("../sql/organization_suggestions.rs");
}
mod oauth {
    type Db = sqlx::Sqlite;
    include!("../sql/oauth.rs");
}
mod ops {
    type Db = sqlx::Sqlite;
    include!("../sql/ops.rs");
}
mod dashboard {
    type Db = sqlx::Sqlite;
    include!("../sql/dashboard.rs");
}

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
include!("../sql/store_impl/instance.rs");
include!("../sql/store_impl/users.rs");
include!("../sql/store_impl/sessions.rs");
include!("../sql/store_impl/organizations.rs");
include!("../sql/store_impl/roles.rs");
include!("../sql/store_impl/tokens.rs");
include!("../sql/store_impl/api_keys.rs");
include!("../sql/store_impl/machines.rs");
include!("../sql/store_impl/billing.rs");
include!("../sql/store_impl/operators.rs");
include!("../sql/store_impl/commit.rs");
include!("../sql/store_impl/webhooks.rs");
include!("../sql/store_impl/mail.rs");
include!("../sql/store_impl/sms.rs");
include!("../sql/store_impl/lifecycle.rs");
include!("../sql/store_impl/activity.rs");
include!("../sql/store_impl/oauth.rs");
include!("../sql/store_impl/sign_up_rules.rs");
include!("../sql/store_impl/passkeys.rs");
include!("../sql/store_impl/ops.rs");
include!("../sql/store_impl/dashboard.rs");
