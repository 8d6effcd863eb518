// `SessionStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

delegate_store! {
    impl SessionStore {
        get_session(instance_id: &InstanceId, id: &SessionId) -> Option<Session>
            = query::versioned_by_id(reader, "sessions");
        session_for_token(instance_id: &InstanceId, id: &SessionId) -> Option<SessionForToken>
            = reads::session_for_token(reader);
        list_sessions(instance_id: &InstanceId, query: &SessionQuery) -> (Vec<Session>, i64)
            = reads::list_sessions(reader);
        live_sessions_of_user(instance_id: &InstanceId, user_id: &UserId) -> Vec<Session>
            = reads::live_sessions_of_user(reader);
        get_client(instance_id: &InstanceId, id: &ClientId) -> Option<Client>
            = clients::get_client(reader);
        client_by_token(instance_id: &InstanceId, token_hash: &str) -> Option<Client>
            = clients::client_by_token(reader);
        sessions_of_client(instance_id: &InstanceId, client_id: &ClientId) -> Vec<Session>
            = clients::sessions_of_client(reader);
    }
}
