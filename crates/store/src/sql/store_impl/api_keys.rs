// `ApiKeyStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

#[async_trait]
impl ApiKeyStore for Backend {
    async fn get_api_key(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::ApiKeyId,
    ) -> StoreResult<Option<usher_core::api_keys::ApiKey>> {
        api_keys::get(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("get_api_key"))
    }

    async fn api_key_by_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
    ) -> StoreResult<Option<(usher_core::api_keys::ApiKey, String)>> {
        api_keys::by_digest(self.reader(), instance_id, digest)
            .await
            .map_err(|e| e.during("api_key_by_digest"))
    }

    async fn api_key_sealed_secret(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::ApiKeyId,
    ) -> StoreResult<Option<usher_core::api_keys::SealedSecret>> {
        api_keys::sealed(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("api_key_sealed_secret"))
    }

    async fn list_api_keys(
        &self,
        instance_id: &InstanceId,
        query: &usher_core::api_keys::ApiKeyQuery,
    ) -> StoreResult<(Vec<usher_core::api_keys::ApiKey>, i64)> {
        api_keys::list(self.reader(), instance_id, query)
            .await
            .map_err(|e| e.during("list_api_keys"))
    }

    async fn touch_api_keys(
        &self,
        instance_id: &InstanceId,
        used: &[(usher_core::ids::ApiKeyId, i64)],
    ) -> StoreResult<()> {
        api_keys::touch(self.writer(), instance_id, used)
            .await
            .map_err(|e| e.during("touch_api_keys"))
    }
}
