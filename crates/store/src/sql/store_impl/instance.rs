// `InstanceStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

delegate_store! {
    impl InstanceStore {
        load_instance() -> Option<Instance> = reads::load_instance(reader);
        create_instance(instance: &Instance, secret: &SecretKeyRecord, key: &SigningKeyRecord)
            = writes::create_instance(writer);
        branding(instance_id: &InstanceId) -> usher_core::branding::Branding
            = instance_documents::load(reader);
        session_claims(instance_id: &InstanceId)
            -> usher_core::jwt_templates::session_claims::SessionClaimsTemplate
            = instance_documents::load(reader);
        instance_settings(instance_id: &InstanceId) -> usher_core::instance_settings::StoredSettings
            = instance_documents::load(reader);
        secret_keys(instance_id: &InstanceId) -> Vec<SecretKeyRecord> = reads::secret_keys(reader);
        signing_keys(instance_id: &InstanceId) -> Vec<SigningKeyRecord>
            = reads::signing_keys(reader);
        rotate_signing_key(instance_id: &InstanceId, key: &SigningKeyRecord)
            = writes::rotate_signing_key(writer);
        retire_signing_key(instance_id: &InstanceId, kid: &str) -> bool
            = writes::retire_signing_key(writer);
        instance_secret(instance_id: &InstanceId, name: &str, candidate: &[u8]) -> Vec<u8>
            = writes::instance_secret(writer);
        put_handshake_nonce(
            instance_id: &InstanceId,
            nonce_hash: &str,
            payload: &str,
            expire_at: i64,
        ) = clients::put_handshake_nonce(writer);
        handshake_payload(instance_id: &InstanceId, nonce_hash: &str, now: i64) -> Option<String>
            = clients::handshake_payload(reader);
        get_image(instance_id: &InstanceId, id: &usher_core::ids::ImageId)
            -> Option<usher_core::images::Image> = images::get(reader);
    }

    async fn ping(&self) -> StoreResult<()> {
        query::execute(sqlx::query("SELECT 1"), self.reader())
            .await
            .map_err(|e| e.during("ping"))?;
        Ok(())
    }
}
