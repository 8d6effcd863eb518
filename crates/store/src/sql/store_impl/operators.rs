// `OperatorStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

#[async_trait]
impl OperatorStore for Backend {
    async fn operators(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<usher_core::operators::Operator>> {
        operators::list(self.reader(), instance_id)
            .await
            .map_err(|e| e.during("operators"))
    }

    async fn operator_by_email(
        &self,
        instance_id: &InstanceId,
        email: &str,
    ) -> StoreResult<Option<usher_core::operators::OperatorCredentials>> {
        operators::by_email(self.reader(), instance_id, email)
            .await
            .map_err(|e| e.during("operator_by_email"))
    }

    async fn operator_credentials(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::OperatorId,
    ) -> StoreResult<Option<usher_core::operators::OperatorCredentials>> {
        operators::by_id(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("operator_credentials"))
    }

    async fn use_operator_totp_step(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::OperatorId,
        step: i64,
    ) -> StoreResult<bool> {
        operators::use_totp_step(self.writer(), instance_id, id, step)
            .await
            .map_err(|e| e.during("use_operator_totp_step"))
    }

    async fn insert_operator_session(
        &self,
        instance_id: &InstanceId,
        session: &usher_core::operators::OperatorSession,
    ) -> StoreResult<()> {
        operators::insert_session(self.writer(), instance_id, session)
            .await
            .map_err(|e| e.during("insert_operator_session"))
    }

    async fn operator_session_by_digest(
        &self,
        instance_id: &InstanceId,
        token_digest: &str,
    ) -> StoreResult<Option<usher_core::operators::OperatorSession>> {
        operators::session_by_digest(self.reader(), instance_id, token_digest)
            .await
            .map_err(|e| e.during("operator_session_by_digest"))
    }

    async fn update_operator_session(
        &self,
        instance_id: &InstanceId,
        session: &usher_core::operators::OperatorSession,
    ) -> StoreResult<()> {
        operators::update_session(self.writer(), instance_id, session)
            .await
            .map_err(|e| e.during("update_operator_session"))
    }

    async fn delete_operator_session(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::OperatorSessionId,
    ) -> StoreResult<()> {
        operators::delete_session(self.writer(), instance_id, id)
            .await
            .map_err(|e| e.during("delete_operator_session"))
    }

    async fn audit_entries(
        &self,
        instance_id: &InstanceId,
        query: &usher_core::operators::AuditQuery,
    ) -> StoreResult<(Vec<AuditEntry>, i64)> {
        operators::audit_entries(self.reader(), instance_id, query)
            .await
            .map_err(|e| e.during("audit_entries"))
    }
}
