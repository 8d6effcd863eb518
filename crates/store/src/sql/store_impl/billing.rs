// `BillingStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

#[async_trait]
impl BillingStore for Backend {
    async fn get_billing_plan(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::PlanId,
    ) -> StoreResult<Option<usher_core::billing::Plan>> {
        billing::get_plan(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("get_billing_plan"))
    }

    async fn billing_plan_by_slug(
        &self,
        instance_id: &InstanceId,
        slug: &str,
    ) -> StoreResult<Option<usher_core::billing::Plan>> {
        billing::plan_by_slug(self.reader(), instance_id, slug)
            .await
            .map_err(|e| e.during("billing_plan_by_slug"))
    }

    async fn list_billing_plans(
        &self,
        instance_id: &InstanceId,
        query: &usher_core::billing::PlanQuery,
    ) -> StoreResult<(Vec<usher_core::billing::Plan>, i64)> {
        billing::list_plans(self.reader(), instance_id, query)
            .await
            .map_err(|e| e.during("list_billing_plans"))
    }

    async fn get_subscription_item(
        &self,
        instance_id: &InstanceId,
        id: &usher_core::ids::SubscriptionItemId,
    ) -> StoreResult<Option<usher_core::billing::SubscriptionItem>> {
        billing::get_item(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("get_subscription_item"))
    }

    async fn subscription_items_of_payer(
        &self,
        instance_id: &InstanceId,
        payer_id: &str,
    ) -> StoreResult<Vec<usher_core::billing::SubscriptionItem>> {
        billing::items_of_payer(self.reader(), instance_id, payer_id)
            .await
            .map_err(|e| e.during("subscription_items_of_payer"))
    }

    async fn payer_entitlement(
        &self,
        instance_id: &InstanceId,
        payer_type: usher_core::billing::PayerType,
        payer_id: &str,
    ) -> StoreResult<Option<usher_core::billing::Entitlement>> {
        billing::entitlement(self.reader(), instance_id, payer_type, payer_id)
            .await
            .map_err(|e| e.during("payer_entitlement"))
    }
}
