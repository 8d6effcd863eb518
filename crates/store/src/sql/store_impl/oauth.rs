// The OAuthStore trait, answered by the shared queries in `sql/oauth.rs`. Included by each
// backend's module next to `store_impl.rs`.

#[async_trait]
impl usher_core::store::OAuthStore for Backend {
    async fn oauth_providers(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<usher_core::oauth::OAuthProvider>> {
        oauth::providers(self.reader(), instance_id).await
            .map_err(|e| e.during("oauth_providers"))
    }

    async fn oauth_provider(
        &self,
        instance_id: &InstanceId,
        provider: &str,
    ) -> StoreResult<Option<usher_core::oauth::OAuthProvider>> {
        oauth::provider(self.reader(), instance_id, provider).await
            .map_err(|e| e.during("oauth_provider"))
    }

    async fn insert_oauth_state(
        &self,
        instance_id: &InstanceId,
        pending: &usher_core::oauth::PendingAuth,
    ) -> StoreResult<()> {
        oauth::insert_state(self.writer(), instance_id, pending).await
            .map_err(|e| e.during("insert_oauth_state"))
    }

    async fn take_oauth_state(
        &self,
        instance_id: &InstanceId,
        state_digest: &str,
    ) -> StoreResult<Option<usher_core::oauth::PendingAuth>> {
        oauth::take_state(self.writer(), instance_id, state_digest).await
            .map_err(|e| e.during("take_oauth_state"))
    }

    async fn prune_oauth_states(
        &self,
        instance_id: &InstanceId,
        now: usher_core::clock::Millis,
    ) -> StoreResult<u64> {
        oauth::prune_states(self.writer(), instance_id, now).await
            .map_err(|e| e.during("prune_oauth_states"))
    }

    async fn external_account_by_subject(
        &self,
        instance_id: &InstanceId,
        provider: &str,
        provider_user_id: &str,
    ) -> StoreResult<Option<usher_core::oauth::ProviderTokens>> {
        oauth::account_by_subject(self.reader(), instance_id, provider, provider_user_id).await
            .map_err(|e| e.during("external_account_by_subject"))
    }

    async fn external_accounts_of(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
    ) -> StoreResult<Vec<usher_core::oauth::ProviderTokens>> {
        oauth::accounts_of(self.reader(), instance_id, user_id).await
            .map_err(|e| e.during("external_accounts_of"))
    }
}
