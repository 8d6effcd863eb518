//! Webhooks. Endpoints are written through `commit`; deliveries are queued by `commit` with their
//! event. The worker leases one endpoint at a time, so each endpoint's deliveries go out in commit
//! order from one worker, and never holds a transaction across HTTP.

use async_trait::async_trait;

use super::StoreResult;
use crate::ids::{EventId, InstanceId, WebhookEndpointId};
use crate::webhooks::{
    AttemptRecord, ClaimedEndpoint, Delivery, DeliveryQuery, EndpointStats, PendingDelivery,
    WebhookEndpoint,
};

#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Webhook endpoints, oldest first.
    async fn webhook_endpoints(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<WebhookEndpoint>>;

    async fn webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        id: &WebhookEndpointId,
    ) -> StoreResult<Option<WebhookEndpoint>>;

    /// Leases one active endpoint that has pending deliveries, is not waiting for a retry, and
    /// whose lease is free or expired (a crashed worker's lease expires). `worker` identifies
    /// the lessee, `node` the machine (see [`WebhookStore::release_webhook_leases`]).
    async fn claim_webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        worker: &str,
        node: &str,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<Option<ClaimedEndpoint>>;

    /// The endpoint's oldest pending deliveries, in commit order.
    async fn pending_webhook_deliveries(
        &self,
        instance_id: &InstanceId,
        endpoint_id: &WebhookEndpointId,
        limit: i64,
    ) -> StoreResult<Vec<PendingDelivery>>;

    /// Records an attempt and applies its decision to the delivery and the endpoint, extending
    /// the lease, in one transaction. Returns false when `worker` no longer holds the lease (the
    /// attempt and the delivery's state are recorded anyway).
    async fn record_webhook_attempt(
        &self,
        instance_id: &InstanceId,
        endpoint_id: &WebhookEndpointId,
        worker: &str,
        record: &AttemptRecord,
    ) -> StoreResult<bool>;

    /// Gives the lease back.
    async fn release_webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        endpoint_id: &WebhookEndpointId,
        worker: &str,
    ) -> StoreResult<()>;

    /// Frees the leases held by earlier lives of this node (any lessee on `node` other than
    /// `except`): a restarted node resumes at once instead of waiting for them to expire.
    async fn release_webhook_leases(
        &self,
        instance_id: &InstanceId,
        node: &str,
        except: &str,
    ) -> StoreResult<u64>;

    /// Deliveries of one endpoint, newest first, each with its attempts (newest first), and
    /// the total matching the query.
    async fn webhook_deliveries(
        &self,
        instance_id: &InstanceId,
        query: &DeliveryQuery,
    ) -> StoreResult<(Vec<Delivery>, i64)>;

    /// Queues the deliveries of event `event_id` again (to `endpoint_id` only, if given), whatever
    /// their state, with a fresh schedule, and wakes their endpoints: they are attempted at once.
    /// Returns the endpoint ids affected (none: no such delivery).
    async fn retry_webhook_message(
        &self,
        instance_id: &InstanceId,
        event_id: &EventId,
        endpoint_id: Option<&WebhookEndpointId>,
        now: i64,
    ) -> StoreResult<Vec<WebhookEndpointId>>;

    /// Queues again every event committed at or after `since` that the endpoint accepts (not
    /// resync snapshots meant for other endpoints), in commit order. Returns how many.
    async fn replay_webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        endpoint_id: &WebhookEndpointId,
        since: i64,
        now: i64,
    ) -> StoreResult<i64>;

    /// Queue depth, oldest queued delivery, and attempts since `attempts_since`, per endpoint.
    async fn webhook_stats(
        &self,
        instance_id: &InstanceId,
        attempts_since: i64,
    ) -> StoreResult<Vec<EndpointStats>>;
}
