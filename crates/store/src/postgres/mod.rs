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
}
