//! Storage for social and enterprise sign-in: configured providers, the pending states of
//! flows under way, and the look-up rows of external accounts. Providers and external accounts
//! are written through [`super::Write`] (with their events and audit entries); a state is
//! written and taken on its own.

use async_trait::async_trait;

use super::StoreResult;
use crate::clock::Millis;
use crate::ids::{InstanceId, UserId};
use crate::oauth::{OAuthProvider, PendingAuth, ProviderTokens};

#[async_trait]
pub trait OAuthStore: Send + Sync {
    /// Every configured provider, oldest first.
    async fn oauth_providers(&self, instance_id: &InstanceId) -> StoreResult<Vec<OAuthProvider>>;
    /// The provider named `provider` (`google`, `custom_acme`, …).
    async fn oauth_provider(
        &self,
        instance_id: &InstanceId,
        provider: &str,
    ) -> StoreResult<Option<OAuthProvider>>;

    /// Keeps a flow's state until the browser comes back.
    async fn insert_oauth_state(
        &self,
        instance_id: &InstanceId,
        pending: &PendingAuth,
    ) -> StoreResult<()>;
    /// Takes (reads and deletes, atomically) the state with this digest: a second take of the
    /// same state finds nothing.
    async fn take_oauth_state(
        &self,
        instance_id: &InstanceId,
        state_digest: &str,
    ) -> StoreResult<Option<PendingAuth>>;
    /// Deletes states that expired before `now`; how many.
    async fn prune_oauth_states(&self, instance_id: &InstanceId, now: Millis) -> StoreResult<u64>;

    /// The external account (provider, provider user id) names, if linked.
    async fn external_account_by_subject(
        &self,
        instance_id: &InstanceId,
        provider: &str,
        provider_user_id: &str,
    ) -> StoreResult<Option<ProviderTokens>>;
    /// A user's external accounts' rows, oldest first.
    async fn external_accounts_of(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
    ) -> StoreResult<Vec<ProviderTokens>>;
}
