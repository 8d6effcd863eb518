// `MachineStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

#[async_trait]
impl MachineStore for Backend {
    async fn get_machine(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::MachineId,
    ) -> StoreResult<Option<usher_core::machines::Machine>> {
        machines::get(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("get_machine"))
    }

    async fn list_machines(
        &self,
        instance_id: &InstanceId,
        query: &usher_core::machines::MachineQuery,
    ) -> StoreResult<(Vec<usher_core::machines::Machine>, i64)> {
        machines::list(self.reader(), instance_id, query)
            .await
            .map_err(|e| e.during("list_machines"))
    }

    async fn scoped_machines(
        &self,
        instance_id: &InstanceId,
        from: &usher_core::ids::MachineId,
    ) -> StoreResult<Vec<usher_core::machines::Machine>> {
        machines::scoped(self.reader(), instance_id, from)
            .await
            .map_err(|e| e.during("scoped_machines"))
    }

    async fn machine_by_secret_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
        now: i64,
    ) -> StoreResult<Option<(usher_core::machines::Machine, String)>> {
        machines::by_secret_digest(self.reader(), instance_id, digest, now)
            .await
            .map_err(|e| e.during("machine_by_secret_digest"))
    }

    async fn machine_sealed_secret(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::MachineId,
    ) -> StoreResult<Option<usher_core::api_keys::SealedSecret>> {
        machines::sealed(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("machine_sealed_secret"))
    }

    async fn get_m2m_token(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::M2mTokenId,
    ) -> StoreResult<Option<usher_core::machines::M2mToken>> {
        m2m_tokens::get(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("get_m2m_token"))
    }

    async fn m2m_token_by_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
    ) -> StoreResult<Option<(usher_core::machines::M2mToken, String)>> {
        m2m_tokens::by_digest(self.reader(), instance_id, digest)
            .await
            .map_err(|e| e.during("m2m_token_by_digest"))
    }

    async fn list_m2m_tokens(
        &self,
        instance_id: &InstanceId,
        query: &usher_core::machines::M2mTokenQuery,
    ) -> StoreResult<(Vec<usher_core::machines::M2mToken>, i64)> {
        m2m_tokens::list(self.reader(), instance_id, query)
            .await
            .map_err(|e| e.during("list_m2m_tokens"))
    }
}
