// The RedirectUrlStore trait, answered by the shared queries. Included by each backend's
// module next to `store_impl.rs`.

delegate_store! {
    impl usher_core::store::RedirectUrlStore {
        redirect_urls(instance_id: &InstanceId) -> Vec<usher_core::redirects::RedirectUrl>
            = redirect_urls::list(reader);
    }
}
