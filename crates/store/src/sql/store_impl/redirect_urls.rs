// The RedirectUrlStore trait, answered by the shared queries. Included by each backend's
// module next to `store_impl.rs`.

#[async_trait]
impl usher_core::store::RedirectUrlStore for Backend {
    async fn redirect_urls(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<usher_core::redirects::RedirectUrl>> {
        redirect_urls::list(self.reader(), instance_id).await
            .map_err(|e| e.during("redirect_urls"))
    }
}
