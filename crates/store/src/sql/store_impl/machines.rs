// `MachineStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

delegate_store! {
    impl MachineStore {
        get_machine(instance_id: &InstanceId, id: &usher_core::ids::MachineId)
            -> Option<usher_core::machines::Machine> = machines::get(reader);
        list_machines(instance_id: &InstanceId, query: &usher_core::machines::MachineQuery)
            -> (Vec<usher_core::machines::Machine>, i64) = machines::list(reader);
        scoped_machines(instance_id: &InstanceId, from: &usher_core::ids::MachineId)
            -> Vec<usher_core::machines::Machine> = machines::scoped(reader);
        machine_by_secret_digest(instance_id: &InstanceId, digest: &str, now: i64)
            -> Option<(usher_core::machines::Machine, String)> = machines::by_secret_digest(reader);
        machine_sealed_secret(instance_id: &InstanceId, id: &usher_core::ids::MachineId)
            -> Option<usher_core::api_keys::SealedSecret>
            = query::sealed_secret(reader, "machines");
        get_m2m_token(instance_id: &InstanceId, id: &usher_core::ids::M2mTokenId)
            -> Option<usher_core::machines::M2mToken> = m2m_tokens::get(reader);
        m2m_token_by_digest(instance_id: &InstanceId, digest: &str)
            -> Option<(usher_core::machines::M2mToken, String)> = m2m_tokens::by_digest(reader);
        list_m2m_tokens(instance_id: &InstanceId, query: &usher_core::machines::M2mTokenQuery)
            -> (Vec<usher_core::machines::M2mToken>, i64) = m2m_tokens::list(reader);
    }
}
