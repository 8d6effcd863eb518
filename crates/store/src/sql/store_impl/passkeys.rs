// The passkey reads, answered by the shared queries. Included by each backend's module next to
// `store_impl.rs`; passkeys are written through `commit` (`Write::PutPasskey`, `DeletePasskey`).

delegate_store! {
    impl PasskeyStore {
        get_passkey(instance_id: &InstanceId, id: &usher_core::ids::IdentificationId)
            -> Option<usher_core::passkeys::PasskeyRecord> = passkeys::get(reader);
        passkey_by_credential(instance_id: &InstanceId, credential_id: &str)
            -> Option<usher_core::passkeys::PasskeyRecord> = passkeys::by_credential(reader);
        user_passkeys(instance_id: &InstanceId, user_id: &UserId)
            -> Vec<usher_core::passkeys::PasskeyRecord> = passkeys::of_user(reader);
    }
}
