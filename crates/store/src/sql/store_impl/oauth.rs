// The OAuthStore trait, answered by the shared queries in `sql/oauth.rs`. Included by each
// backend's module next to `store_impl.rs`.

delegate_store! {
    impl usher_core::store::OAuthStore {
        oauth_providers(instance_id: &InstanceId) -> Vec<usher_core::oauth::OAuthProvider>
            = oauth::providers(reader);
        oauth_provider(instance_id: &InstanceId, provider: &str)
            -> Option<usher_core::oauth::OAuthProvider> = oauth::provider(reader);
        insert_oauth_state(instance_id: &InstanceId, pending: &usher_core::oauth::PendingAuth)
            = oauth::insert_state(writer);
        take_oauth_state(instance_id: &InstanceId, state_digest: &str)
            -> Option<usher_core::oauth::PendingAuth> = oauth::take_state(writer);
        prune_oauth_states(instance_id: &InstanceId, now: usher_core::clock::Millis) -> u64
            = oauth::prune_states(writer);
        external_account_by_subject(
            instance_id: &InstanceId,
            provider: &str,
            provider_user_id: &str,
        ) -> Option<usher_core::oauth::ProviderTokens> = oauth::account_by_subject(reader);
        external_accounts_of(instance_id: &InstanceId, user_id: &UserId)
            -> Vec<usher_core::oauth::ProviderTokens> = oauth::accounts_of(reader);
    }
}
