//! The PostgreSQL store, for several stateless nodes sharing one database. Writes rely on row
//! versions and unique keys, not on in-process locks, so any number of nodes may write at once.

mod health;
mod migrations;

// The queries are shared with SQLite: see `crate::sql`.
mod query {
    type Db = sqlx::Postgres;
    include!("../sql/query.rs");
}
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
mod clients {
    type Db = sqlx::Postgres;
    include!("../sql/clients.rs");
}
mod images {
    type Db = sqlx::Postgres;
    include!("../sql/images.rs");
}
mod branding {
    type Db = sqlx::Postgres;
    include!("../sql/branding.rs");
}
mod session_claims {
    type Db = sqlx::Postgres;
    include!("../sql/session_claims.rs");
}
mod instance_settings {
    type Db = sqlx::Postgres;
    include!("../sql/instance_settings.rs");
}
mod jwt_templates {
    type Db = sqlx::Postgres;
    include!("../sql/jwt_templates.rs");
}
mod roles {
    type Db = sqlx::Postgres;
    include!("../sql/roles.rs");
}
mod outbound {
    type Db = sqlx::Postgres;
    include!("../sql/outbound.rs");
}
mod emails {
    type Db = sqlx::Postgres;
    include!("../sql/emails.rs");
}
mod sms {
    type Db = sqlx::Postgres;
    include!("../sql/sms.rs");
}
mod lifecycle {
    type Db = sqlx::Postgres;
    include!("../sql/lifecycle.rs");
}
mod identifier_lists {
    type Db = sqlx::Postgres;
    include!("../sql/identifier_lists.rs");
}
mod invitations {
    type Db = sqlx::Postgres;
    include!("../sql/invitations.rs");
}
mod organization_invitations {
    type Db = sqlx::Postgres;
    include!("../sql/organization_invitations.rs");
}
mod organizations {
    type Db = sqlx::Postgres;
    include!("../sql/organizations.rs");
}
mod role_sets {
    type Db = sqlx::Postgres;
    include!("../sql/role_sets.rs");
}
mod sign_in_tokens {
    type Db = sqlx::Postgres;
    include!("../sql/sign_in_tokens.rs");
}
mod organization_domains {
    type Db = sqlx::Postgres;
    include!("../sql/organization_domains.rs");
}
mod passkeys {
    type Db = sqlx::Postgres;
    include!("../sql/passkeys.rs");
}
mod api_keys {
    type Db = sqlx::Postgres;
    include!("../sql/api_keys.rs");
}
mod activity {
    type Db = sqlx::Postgres;
    include!("../sql/activity.rs");
}

mod operators {
    type Db = sqlx::Postgres;
    include!("../sql/operators.rs");
}
mod billing {
    type Db = sqlx::Postgres;
    include!("../sql/billing.rs");
}
mod machines {
    type Db = sqlx::Postgres;
    include!("../sql/machines.rs");
}
mod m2m_tokens {
    type Db = sqlx::Postgres;
    include!("../sql/m2m_tokens.rs");
}
mod organization_suggestions {
    type Db = sqlx::Postgres;
    include!("../sql/organization_suggestions.rs");
}
mod oauth {
    type Db = sqlx::Postgres;
    include!("../sql/oauth.rs");
}
mod ops {
    type Db = sqlx::Postgres;
    include!("../sql/ops.rs");
}
mod dashboard {
    type Db = sqlx::Postgres;
    include!("../sql/dashboard.rs");
}

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
