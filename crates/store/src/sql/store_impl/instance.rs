// `InstanceStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

#[async_trait]
impl InstanceStore for Backend {
    async fn ping(&self) -> StoreResult<()> {
        query::execute(sqlx::query("SELECT 1"), self.reader())
            .await
            .map_err(|e| e.during("ping"))?;
        Ok(())
    }

    async fn load_instance(&self) -> StoreResult<Option<Instance>> {
        reads::load_instance(self.reader())
            .await
            .map_err(|e| e.during("load_instance"))
    }

    async fn create_instance(
        &self,
        instance: &Instance,
        secret: &SecretKeyRecord,
        key: &SigningKeyRecord,
    ) -> StoreResult<()> {
        writes::create_instance(self.writer(), instance, secret, key)
            .await
            .map_err(|e| e.during("create_instance"))
    }

    async fn branding(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<usher_core::branding::Branding> {
        branding::load(self.reader(), instance_id)
            .await
            .map_err(|e| e.during("branding"))
    }

    async fn session_claims(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<usher_core::jwt_templates::session_claims::SessionClaimsTemplate> {
        session_claims::load(self.reader(), instance_id)
            .await
            .map_err(|e| e.during("session_claims"))
    }

    async fn instance_settings(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<usher_core::instance_settings::StoredSettings> {
        instance_settings::load(self.reader(), instance_id)
            .await
            .map_err(|e| e.during("instance_settings"))
    }

    async fn secret_keys(&self, instance_id: &InstanceId) -> StoreResult<Vec<SecretKeyRecord>> {
        reads::secret_keys(self.reader(), instance_id)
            .await
            .map_err(|e| e.during("secret_keys"))
    }

    async fn signing_keys(&self, instance_id: &InstanceId) -> StoreResult<Vec<SigningKeyRecord>> {
        reads::signing_keys(self.reader(), instance_id)
            .await
            .map_err(|e| e.during("signing_keys"))
    }

    async fn rotate_signing_key(
        &self,
        instance_id: &InstanceId,
        key: &SigningKeyRecord,
    ) -> StoreResult<()> {
        writes::rotate_signing_key(self.writer(), instance_id, key)
            .await
            .map_err(|e| e.during("rotate_signing_key"))
    }

    async fn retire_signing_key(&self, instance_id: &InstanceId, kid: &str) -> StoreResult<bool> {
        writes::retire_signing_key(self.writer(), instance_id, kid)
            .await
            .map_err(|e| e.during("retire_signing_key"))
    }

    async fn instance_secret(
        &self,
        instance_id: &InstanceId,
        name: &str,
        candidate: &[u8],
    ) -> StoreResult<Vec<u8>> {
        writes::instance_secret(self.writer(), instance_id, name, candidate)
            .await
            .map_err(|e| e.during("instance_secret"))
    }

    async fn put_handshake_nonce(
        &self,
        instance_id: &InstanceId,
        nonce_hash: &str,
        payload: &str,
        expire_at: i64,
    ) -> StoreResult<()> {
        clients::put_handshake_nonce(self.writer(), instance_id, nonce_hash, payload, expire_at)
            .await
            .map_err(|e| e.during("put_handshake_nonce"))
    }

    async fn handshake_payload(
        &self,
        instance_id: &InstanceId,
        nonce_hash: &str,
        now: i64,
    ) -> StoreResult<Option<String>> {
        clients::handshake_payload(self.reader(), instance_id, nonce_hash, now)
            .await
            .map_err(|e| e.during("handshake_payload"))
    }

    async fn get_image(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::ImageId,
    ) -> StoreResult<Option<usher_core::images::Image>> {
        images::get(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("get_image"))
    }
}
