//! Plans and subscription items. Written through `commit`.

use async_trait::async_trait;

use super::StoreResult;
use crate::ids::InstanceId;

#[async_trait]
pub trait BillingStore: Send + Sync {
    async fn get_billing_plan(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::PlanId,
    ) -> StoreResult<Option<crate::billing::Plan>>;

    async fn billing_plan_by_slug(
        &self,
        instance_id: &InstanceId,
        slug: &str,
    ) -> StoreResult<Option<crate::billing::Plan>>;

    /// A page of the instance's plans (newest first) and the total matching the query.
    async fn list_billing_plans(
        &self,
        instance_id: &InstanceId,
        query: &crate::billing::PlanQuery,
    ) -> StoreResult<(Vec<crate::billing::Plan>, i64)>;

    async fn get_subscription_item(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::SubscriptionItemId,
    ) -> StoreResult<Option<crate::billing::SubscriptionItem>>;

    /// A payer's subscription items, newest first.
    async fn subscription_items_of_payer(
        &self,
        instance_id: &InstanceId,
        payer_id: &str,
    ) -> StoreResult<Vec<crate::billing::SubscriptionItem>>;

    /// The plan a payer holds as a token carries it: its active item's, or its payer type's
    /// default plan; none without either.
    async fn payer_entitlement(
        &self,
        instance_id: &InstanceId,
        payer_type: crate::billing::PayerType,
        payer_id: &str,
    ) -> StoreResult<Option<crate::billing::Entitlement>>;
}
