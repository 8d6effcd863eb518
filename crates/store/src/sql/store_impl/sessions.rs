// `SessionStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

#[async_trait]
impl SessionStore for Backend {
    async fn get_session(
        &self,
        instance_id: &InstanceId,
        id: &SessionId,
    ) -> StoreResult<Option<Session>> {
        reads::get_session(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("get_session"))
    }

    async fn session_for_token(
        &self,
        instance_id: &InstanceId,
        id: &SessionId,
    ) -> StoreResult<Option<SessionForToken>> {
        reads::session_for_token(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("session_for_token"))
    }

    async fn list_sessions(
        &self,
        instance_id: &InstanceId,
        query: &SessionQuery,
    ) -> StoreResult<(Vec<Session>, i64)> {
        reads::list_sessions(self.reader(), instance_id, query)
            .await
            .map_err(|e| e.during("list_sessions"))
    }

    async fn live_sessions_of_user(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
    ) -> StoreResult<Vec<Session>> {
        reads::live_sessions_of_user(self.reader(), instance_id, user_id)
            .await
            .map_err(|e| e.during("live_sessions_of_user"))
    }

    async fn get_client(
        &self,
        instance_id: &InstanceId,
        id: &ClientId,
    ) -> StoreResult<Option<Client>> {
        clients::get_client(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("get_client"))
    }

    async fn client_by_token(
        &self,
        instance_id: &InstanceId,
        token_hash: &str,
    ) -> StoreResult<Option<Client>> {
        clients::client_by_token(self.reader(), instance_id, token_hash)
            .await
            .map_err(|e| e.during("client_by_token"))
    }

    async fn sessions_of_client(
        &self,
        instance_id: &InstanceId,
        client_id: &ClientId,
    ) -> StoreResult<Vec<Session>> {
        clients::sessions_of_client(self.reader(), instance_id, client_id)
            .await
            .map_err(|e| e.during("sessions_of_client"))
    }
}
