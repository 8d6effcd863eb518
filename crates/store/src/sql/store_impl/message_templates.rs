// The TemplateStore and DomainStore traits, answered by the shared queries. Included by each
// backend's module next to `store_impl.rs`.

delegate_store! {
    impl usher_core::store::TemplateStore {
        message_templates(instance_id: &InstanceId)
            -> Vec<usher_core::message_templates::TemplateOverride>
            = message_templates::list(reader);
    }
}

delegate_store! {
    impl usher_core::store::DomainStore {
        satellite_domains(instance_id: &InstanceId) -> Vec<usher_core::domains::SatelliteDomain>
            = satellite_domains::list(reader);
    }
}
