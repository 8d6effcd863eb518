// `OperatorStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

delegate_store! {
    impl OperatorStore {
        operators(instance_id: &InstanceId) -> Vec<usher_core::operators::Operator>
            = operators::list(reader);
        operator_by_email(instance_id: &InstanceId, email: &str)
            -> Option<usher_core::operators::OperatorCredentials> = operators::by_email(reader);
        operator_credentials(instance_id: &InstanceId, id: &usher_core::ids::OperatorId)
            -> Option<usher_core::operators::OperatorCredentials> = operators::by_id(reader);
        use_operator_totp_step(
            instance_id: &InstanceId,
            id: &usher_core::ids::OperatorId,
            step: i64,
        ) -> bool = operators::use_totp_step(writer);
        insert_operator_session(
            instance_id: &InstanceId,
            session: &usher_core::operators::OperatorSession,
        ) = operators::insert_session(writer);
        operator_session_by_digest(instance_id: &InstanceId, token_digest: &str)
            -> Option<usher_core::operators::OperatorSession>
            = operators::session_by_digest(reader);
        update_operator_session(
            instance_id: &InstanceId,
            session: &usher_core::operators::OperatorSession,
        ) = operators::update_session(writer);
        delete_operator_session(instance_id: &InstanceId, id: &usher_core::ids::OperatorSessionId)
            = operators::delete_session(writer);
        audit_entries(instance_id: &InstanceId, query: &usher_core::operators::AuditQuery)
            -> (Vec<AuditEntry>, i64) = operators::audit_entries(reader);
    }
}
