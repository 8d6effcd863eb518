//! The PostgreSQL store, for several stateless nodes sharing one database. Writes rely on row
//! versions and unique keys, not on in-process locks, so any number of nodes may write at once.

mod migrations;

// The queries are shared with SQLite: see `crate::sql`.
mod filters {
    type Db = sqlx::Postgres;
    include!("../sql/filters.rs");
}
mod reads {
    type Db = sqlx::Postgres;
    include!("../sql/reads.rs");
}
mod writes {
    type Db = sqlx::Postgres;
    include!("../sql/writes.rs");
}
mod webhooks {
    type Db = sqlx::Postgres;
    /// Workers on several nodes claim endpoints concurrently: a locked candidate is skipped.
    const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";
    include!("../sql/webhooks.rs");
}

use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};
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

pub struct PostgresStore {
    pool: PgPool,
}

pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl PostgresStore {
    pub async fn open(url: &str) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(db_err)?;
        migrations::run(&pool).await?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn load_instance(&self) -> StoreResult<Option<Instance>> {
        reads::load_instance(&self.pool).await
    }

    async fn create_instance(
        &self,
        instance: &Instance,
        secret: &SecretKeyRecord,
        key: &SigningKeyRecord,
    ) -> StoreResult<()> {
        writes::create_instance(&self.pool, instance, secret, key).await
    }

    async fn secret_keys(&self, instance_id: &str) -> StoreResult<Vec<SecretKeyRecord>> {
        reads::secret_keys(&self.pool, instance_id).await
    }

    async fn signing_keys(&self, instance_id: &str) -> StoreResult<Vec<SigningKeyRecord>> {
        reads::signing_keys(&self.pool, instance_id).await
    }

    async fn rotate_signing_key(
        &self,
        instance_id: &str,
        key: &SigningKeyRecord,
    ) -> StoreResult<()> {
        writes::rotate_signing_key(&self.pool, instance_id, key).await
    }

    async fn retire_signing_key(&self, instance_id: &str, kid: &str) -> StoreResult<bool> {
        writes::retire_signing_key(&self.pool, instance_id, kid).await
    }

    async fn get_user(&self, instance_id: &str, id: &str) -> StoreResult<Option<User>> {
        reads::get_user(&self.pool, instance_id, id).await
    }

    async fn list_users(
        &self,
        instance_id: &str,
        filter: &UserFilter,
        order: UserOrder,
        page: &Page,
    ) -> StoreResult<Vec<User>> {
        reads::list_users(&self.pool, instance_id, filter, Some((order, page))).await
    }

    async fn count_users(&self, instance_id: &str, filter: &UserFilter) -> StoreResult<i64> {
        reads::count_users(&self.pool, instance_id, filter).await
    }

    async fn get_session(&self, instance_id: &str, id: &str) -> StoreResult<Option<Session>> {
        reads::get_session(&self.pool, instance_id, id).await
    }

    async fn session_for_token(
        &self,
        instance_id: &str,
        id: &str,
    ) -> StoreResult<Option<SessionForToken>> {
        reads::session_for_token(&self.pool, instance_id, id).await
    }

    async fn list_sessions(
        &self,
        instance_id: &str,
        query: &SessionQuery,
    ) -> StoreResult<(Vec<Session>, i64)> {
        reads::list_sessions(&self.pool, instance_id, query).await
    }

    async fn live_sessions_of_user(
        &self,
        instance_id: &str,
        user_id: &str,
    ) -> StoreResult<Vec<Session>> {
        reads::live_sessions_of_user(&self.pool, instance_id, user_id).await
    }

    async fn commit(&self, instance_id: &str, changes: Changeset) -> StoreResult<()> {
        writes::commit(&self.pool, instance_id, changes).await
    }

    async fn events_after(
        &self,
        instance_id: &str,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxEvent>> {
        reads::events_after(&self.pool, instance_id, after_seq, limit).await
    }

    async fn audit_log(&self, instance_id: &str, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        reads::audit_log(&self.pool, instance_id, limit).await
    }

    async fn webhook_endpoints(&self, instance_id: &str) -> StoreResult<Vec<WebhookEndpoint>> {
        webhooks::endpoints(&self.pool, instance_id).await
    }

    async fn webhook_endpoint(
        &self,
        instance_id: &str,
        id: &str,
    ) -> StoreResult<Option<WebhookEndpoint>> {
        webhooks::endpoint(&self.pool, instance_id, id).await
    }

    async fn claim_webhook_endpoint(
        &self,
        instance_id: &str,
        worker: &str,
        node: &str,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<Option<ClaimedEndpoint>> {
        webhooks::claim(&self.pool, instance_id, worker, node, now, lease_until).await
    }

    async fn pending_webhook_deliveries(
        &self,
        instance_id: &str,
        endpoint_id: &str,
        limit: i64,
    ) -> StoreResult<Vec<PendingDelivery>> {
        webhooks::pending(&self.pool, instance_id, endpoint_id, limit).await
    }

    async fn record_webhook_attempt(
        &self,
        instance_id: &str,
        endpoint_id: &str,
        worker: &str,
        record: &AttemptRecord,
    ) -> StoreResult<bool> {
        webhooks::record_attempt(&self.pool, instance_id, endpoint_id, worker, record).await
    }

    async fn release_webhook_endpoint(
        &self,
        instance_id: &str,
        endpoint_id: &str,
        worker: &str,
    ) -> StoreResult<()> {
        webhooks::release(&self.pool, instance_id, endpoint_id, worker).await
    }

    async fn release_webhook_leases(
        &self,
        instance_id: &str,
        node: &str,
        except: &str,
    ) -> StoreResult<u64> {
        webhooks::release_node(&self.pool, instance_id, node, except).await
    }

    async fn webhook_deliveries(
        &self,
        instance_id: &str,
        query: &DeliveryQuery,
    ) -> StoreResult<(Vec<Delivery>, i64)> {
        webhooks::deliveries(&self.pool, instance_id, query).await
    }

    async fn retry_webhook_message(
        &self,
        instance_id: &str,
        event_id: &str,
        endpoint_id: Option<&str>,
        now: i64,
    ) -> StoreResult<Vec<String>> {
        webhooks::retry_message(&self.pool, instance_id, event_id, endpoint_id, now).await
    }

    async fn replay_webhook_endpoint(
        &self,
        instance_id: &str,
        endpoint_id: &str,
        since: i64,
        now: i64,
    ) -> StoreResult<i64> {
        webhooks::replay(&self.pool, instance_id, endpoint_id, since, now).await
    }

    async fn webhook_stats(
        &self,
        instance_id: &str,
        attempts_since: i64,
    ) -> StoreResult<Vec<EndpointStats>> {
        webhooks::stats(&self.pool, instance_id, attempts_since).await
    }
}
