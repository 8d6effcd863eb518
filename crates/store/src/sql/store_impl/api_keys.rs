// `ApiKeyStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

delegate_store! {
    impl ApiKeyStore {
        get_api_key(instance_id: &InstanceId, id: &usher_core::ids::ApiKeyId)
            -> Option<usher_core::api_keys::ApiKey> = api_keys::get(reader);
        api_key_by_digest(instance_id: &InstanceId, digest: &str)
            -> Option<(usher_core::api_keys::ApiKey, String)> = api_keys::by_digest(reader);
        api_key_sealed_secret(instance_id: &InstanceId, id: &usher_core::ids::ApiKeyId)
            -> Option<usher_core::api_keys::SealedSecret>
            = query::sealed_secret(reader, "api_keys");
        list_api_keys(instance_id: &InstanceId, query: &usher_core::api_keys::ApiKeyQuery)
            -> (Vec<usher_core::api_keys::ApiKey>, i64) = api_keys::list(reader);
        touch_api_keys(instance_id: &InstanceId, used: &[(usher_core::ids::ApiKeyId, i64)])
            = api_keys::touch(writer);
    }
}
