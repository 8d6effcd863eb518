//! Plans and subscription items. Written through `commit`.

use crate::ids::InstanceId;

store_trait! {
    pub trait BillingStore {
        get_billing_plan(instance_id: &InstanceId, id: &crate::ids::PlanId)
            -> Option<crate::billing::Plan>;

        billing_plan_by_slug(instance_id: &InstanceId, slug: &str) -> Option<crate::billing::Plan>;

        /// A page of the instance's plans (newest first) and the total matching the query.
        list_billing_plans(instance_id: &InstanceId, query: &crate::billing::PlanQuery)
            -> (Vec<crate::billing::Plan>, i64);

        get_subscription_item(instance_id: &InstanceId, id: &crate::ids::SubscriptionItemId)
            -> Option<crate::billing::SubscriptionItem>;

        /// A payer's subscription items, newest first.
        subscription_items_of_payer(instance_id: &InstanceId, payer_id: &str)
            -> Vec<crate::billing::SubscriptionItem>;

        /// The plan a payer holds as a token carries it: its active item's, or its payer type's
        /// default plan; none without either.
        payer_entitlement(
            instance_id: &InstanceId,
            payer_type: crate::billing::PayerType,
            payer_id: &str,
        ) -> Option<crate::billing::Entitlement>;
    }
}
