// The passkey reads, answered by the shared queries. Included by each backend's module next to
// `store_impl.rs`; passkeys are written through `commit` (`Write::PutPasskey`, `DeletePasskey`).

#[async_trait]
impl PasskeyStore for Backend {
    async fn get_passkey(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::IdentificationId,
    ) -> StoreResult<Option<usher_core::passkeys::PasskeyRecord>> {
        passkeys::get(self.reader(), instance_id, id).await
            .map_err(|e| e.during("get_passkey"))
    }

    async fn passkey_by_credential(
        &self,
        instance_id: &InstanceId,
        credential_id: &str,
    ) -> StoreResult<Option<usher_core::passkeys::PasskeyRecord>> {
        passkeys::by_credential(self.reader(), instance_id, credential_id).await
            .map_err(|e| e.during("passkey_by_credential"))
    }

    async fn user_passkeys(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
    ) -> StoreResult<Vec<usher_core::passkeys::PasskeyRecord>> {
        passkeys::of_user(self.reader(), instance_id, user_id).await
            .map_err(|e| e.during("user_passkeys"))
    }
}
