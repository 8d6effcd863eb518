//! The PostgreSQL store, for several stateless nodes sharing one database. Writes rely on row
//! versions and unique keys, not on in-process locks, so any number of nodes may write at once.

mod health;
mod migrations;

// The queries are shared by both backends: `sql/modules.rs` lists them, each reading `Db`.
type Db = sqlx::Postgres;
/// Workers on several nodes claim endpoints concurrently: a locked candidate is skipped.
const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";
/// Row locks and versions order concurrent writers; a plain `BEGIN` is enough.
const BEGIN_WRITE: &str = "BEGIN";
include!("../sql/modules.rs");

use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};
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
use usher_core::store::{Changeset, SessionForToken, StoreResult};
use usher_core::users::User;
use usher_core::users::identifiers::IdentifierKind;
use usher_core::users::query::{Page, UserFilter, UserOrder};
use usher_core::webhooks::{
    AttemptRecord, ClaimedEndpoint, Delivery, DeliveryQuery, EndpointStats, PendingDelivery,
    WebhookEndpoint,
};

pub struct PostgresStore {
    pool: PgPool,
}

pub(crate) use crate::availability::db_err;

impl PostgresStore {
    pub async fn open(url: &str) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|e| db_err(e).during("opening the database"))?;
        migrations::run(&pool).await?;
        Ok(Self { pool })
    }
}

type Backend = PostgresStore;

impl PostgresStore {
    fn reader(&self) -> &sqlx::Pool<sqlx::Postgres> {
        &self.pool
    }
    fn writer(&self) -> &sqlx::Pool<sqlx::Postgres> {
        &self.pool
    }
}

// The Store, one sub-trait a file (sql/store_impl/).
include!("../sql/store_impl/all.rs");
