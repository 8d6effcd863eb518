// `BillingStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

delegate_store! {
    impl BillingStore {
        get_billing_plan(instance_id: &InstanceId, id: &usher_core::ids::PlanId)
            -> Option<usher_core::billing::Plan> = billing::get_plan(reader);
        billing_plan_by_slug(instance_id: &InstanceId, slug: &str)
            -> Option<usher_core::billing::Plan> = billing::plan_by_slug(reader);
        list_billing_plans(instance_id: &InstanceId, query: &usher_core::billing::PlanQuery)
            -> (Vec<usher_core::billing::Plan>, i64) = billing::list_plans(reader);
        get_subscription_item(instance_id: &InstanceId, id: &usher_core::ids::SubscriptionItemId)
            -> Option<usher_core::billing::SubscriptionItem>
            = query::versioned_by_id(reader, "billing_subscription_items");
        subscription_items_of_payer(instance_id: &InstanceId, payer_id: &str)
            -> Vec<usher_core::billing::SubscriptionItem> = billing::items_of_payer(reader);
        payer_entitlement(
            instance_id: &InstanceId,
            payer_type: usher_core::billing::PayerType,
            payer_id: &str,
        ) -> Option<usher_core::billing::Entitlement> = billing::entitlement(reader);
    }
}
