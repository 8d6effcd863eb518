//! The embedded SQLite store: one file, WAL mode. All writes go through a single-connection pool so
//! transactions queue in-process instead of failing with `SQLITE_BUSY`; reads use their own pool.

mod migrations;

// The queries are shared with PostgreSQL: see `crate::sql`.
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

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use usher_core::audit::AuditEntry;
use usher_core::events::OutboxEvent;
use usher_core::instance::{Instance, SecretKeyRecord};
use usher_core::sessions::Session;
use usher_core::sessions::query::SessionQuery;
use usher_core::signing_keys::SigningKeyRecord;
use usher_core::store::{Changeset, SessionForToken, Store, StoreError, StoreResult};
use usher_core::users::User;
use usher_core::users::query::{Page, UserFilter, UserOrder};
use usher_core::webhooks::{
    AttemptRecord, ClaimedEndpoint, Delivery, DeliveryQuery, EndpointStats, PendingDelivery,
    WebhookEndpoint,
};

pub struct SqliteStore {
    read: SqlitePool,
    write: SqlitePool,
}

pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl SqliteStore {
    pub async fn open(path: &Path) -> StoreResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Backend(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let opts = SqliteConnectOptions::from_str("sqlite://")
            .map_err(db_err)?
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
            .map_err(db_err)?;
        migrations::run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts.read_only(true))
            .await
            .map_err(db_err)?;
        Ok(Self { read, write })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn load_instance(&self) -> StoreResult<Option<Instance>> {
        reads::load_instance(&self.read).await
    }

    async fn create_instance(
        &self,
        instance: &Instance,
        secret: &SecretKeyRecord,
        key: &SigningKeyRecord,
    ) -> StoreResult<()> {
        writes::create_instance(&self.write, instance, secret, key).await
    }

    async fn secret_keys(&self, instance_id: &str) -> StoreResult<Vec<SecretKeyRecord>> {
        reads::secret_keys(&self.read, instance_id).await
    }

    async fn signing_keys(&self, instance_id: &str) -> StoreResult<Vec<SigningKeyRecord>> {
        reads::signing_keys(&self.read, instance_id).await
    }

    async fn rotate_signing_key(
        &self,
        instance_id: &str,
        key: &SigningKeyRecord,
    ) -> StoreResult<()> {
        writes::rotate_signing_key(&self.write, instance_id, key).await
    }

    async fn retire_signing_key(&self, instance_id: &str, kid: &str) -> StoreResult<bool> {
        writes::retire_signing_key(&self.write, instance_id, kid).await
    }

    async fn get_user(&self, instance_id: &str, id: &str) -> StoreResult<Option<User>> {
        reads::get_user(&self.read, instance_id, id).await
    }

    async fn list_users(
        &self,
        instance_id: &str,
        filter: &UserFilter,
        order: UserOrder,
        page: &Page,
    ) -> StoreResult<Vec<User>> {
        reads::list_users(&self.read, instance_id, filter, Some((order, page))).await
    }

    async fn count_users(&self, instance_id: &str, filter: &UserFilter) -> StoreResult<i64> {
        reads::count_users(&self.read, instance_id, filter).await
    }

    async fn get_session(&self, instance_id: &str, id: &str) -> StoreResult<Option<Session>> {
        reads::get_session(&self.read, instance_id, id).await
    }

    async fn session_for_token(
        &self,
        instance_id: &str,
        id: &str,
    ) -> StoreResult<Option<SessionForToken>> {
        reads::session_for_token(&self.read, instance_id, id).await
    }

    async fn list_sessions(
        &self,
        instance_id: &str,
        query: &SessionQuery,
    ) -> StoreResult<(Vec<Session>, i64)> {
        reads::list_sessions(&self.read, instance_id, query).await
    }

    async fn live_sessions_of_user(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> StoreResult<Vec<Session>> {
        reads::live_sessions_of_user(&self.read, instance_id, user_id).await
    }

    async fn commit(&self, instance_id: &str, changes: Changeset) -> StoreResult<()> {
        writes::commit(&self.write, instance_id, changes).await
    }

    async fn events_after(
        &self,
        instance_id: &str,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxEvent>> {
        reads::events_after(&self.read, instance_id, after_seq, limit).await
    }

    async fn audit_log(&self, instance_id: &str, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        reads::audit_log(&self.read, instance_id, limit).await
    }

    async fn webhook_endpoints(&self, instance_id: &str) -> StoreResult<Vec<WebhookEndpoint>> {
        webhooks::endpoints(&self.read, instance_id).await
    }

    async fn webhook_endpoint(
        &self,
        instance_id: &str,
        id: &str,
    ) -> StoreResult<Option<WebhookEndpoint>> {
        webhooks::endpoint(&self.read, instance_id, id).await
    }

    async fn claim_webhook_endpoint(
        &self,
        instance_id: &str,
        worker: &str,
        node: &str,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<Option<ClaimedEndpoint>> {
        webhooks::claim(&self.write, instance_id, worker, node, now, lease_until).await
    }

    async fn pending_webhook_deliveries(
        &self,
        instance_id: &str,
        endpoint_id: &str,
        limit: i64,
    ) -> StoreResult<Vec<PendingDelivery>> {
        webhooks::pending(&self.read, instance_id, endpoint_id, limit).await
    }

    async fn record_webhook_attempt(
        &self,
        instance_id: &str,
        endpoint_id: &str,
        worker: &str,
        record: &AttemptRecord,
    ) -> StoreResult<bool> {
        webhooks::record_attempt(&self.write, instance_id, endpoint_id, worker, record).await
    }

    async fn release_webhook_endpoint(
        &self,
        instance_id: &str,
        endpoint_id: &str,
        worker: &str,
    ) -> StoreResult<()> {
        webhooks::release(&self.write, instance_id, endpoint_id, worker).await
    }

    async fn release_webhook_leases(
        &self,
        instance_id: &str,
        node: &str,
        except: &str,
    ) -> StoreResult<u64> {
        webhooks::release_node(&self.write, instance_id, node, except).await
    }

    async fn webhook_deliveries(
        &self,
        instance_id: &str,
        query: &DeliveryQuery,
    ) -> StoreResult<(Vec<Delivery>, i64)> {
        webhooks::deliveries(&self.read, instance_id, query).await
    }

    async fn retry_webhook_message(
        &self,
        instance_id: &str,
        event_id: &str,
        endpoint_id: Option<&str>,
        now: i64,
    ) -> StoreResult<Vec<String>> {
        webhooks::retry_message(&self.write, instance_id, event_id, endpoint_id, now).await
    }

    async fn replay_webhook_endpoint(
        &self,
        instance_id: &str,
        endpoint_id: &str,
        since: i64,
        now: i64,
    ) -> StoreResult<i64> {
        webhooks::replay(&self.write, instance_id, endpoint_id, since, now).await
    }

    async fn webhook_stats(
        &self,
        instance_id: &str,
        attempts_since: i64,
    ) -> StoreResult<Vec<EndpointStats>> {
        webhooks::stats(&self.read, instance_id, attempts_since).await
    }
}
