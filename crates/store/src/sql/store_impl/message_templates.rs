// The TemplateStore and DomainStore traits, answered by the shared queries. Included by each
// backend's module next to `store_impl.rs`.

#[async_trait]
impl usher_core::store::TemplateStore for Backend {
    async fn message_templates(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<usher_core::message_templates::TemplateOverride>> {
        message_templates::list(self.reader(), instance_id)
            .await
            .map_err(|e| e.during("message_templates"))
    }
}

#[async_trait]
impl usher_core::store::DomainStore for Backend {
    async fn satellite_domains(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<usher_core::domains::SatelliteDomain>> {
        satellite_domains::list(self.reader(), instance_id)
            .await
            .map_err(|e| e.during("satellite_domains"))
    }
}
