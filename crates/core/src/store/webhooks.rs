//! Webhooks. Endpoints are written through `commit`; deliveries are queued by `commit` with their
//! event. The worker leases one endpoint at a time, so each endpoint's deliveries go out in commit
//! order from one worker, and never holds a transaction across HTTP.

use crate::ids::{EventId, InstanceId, WebhookEndpointId};
use crate::webhooks::{
    AttemptRecord, ClaimedEndpoint, Delivery, DeliveryQuery, EndpointStats, PendingDelivery,
    WebhookEndpoint,
};

store_trait! {
    pub trait WebhookStore {
        /// Webhook endpoints, oldest first.
        webhook_endpoints(instance_id: &InstanceId) -> Vec<WebhookEndpoint>;

        webhook_endpoint(instance_id: &InstanceId, id: &WebhookEndpointId)
            -> Option<WebhookEndpoint>;

        /// Leases one active endpoint that has pending deliveries, is not waiting for a retry, and
        /// whose lease is free or expired (a crashed worker's lease expires). `worker` identifies
        /// the lessee, `node` the machine (see [`WebhookStore::release_webhook_leases`]).
        claim_webhook_endpoint(
            instance_id: &InstanceId,
            worker: &str,
            node: &str,
            now: i64,
            lease_until: i64,
        ) -> Option<ClaimedEndpoint>;

        /// The endpoint's oldest pending deliveries, in commit order.
        pending_webhook_deliveries(
            instance_id: &InstanceId,
            endpoint_id: &WebhookEndpointId,
            limit: i64,
        ) -> Vec<PendingDelivery>;

        /// Records an attempt and applies its decision to the delivery and the endpoint, extending
        /// the lease, in one transaction. Returns false when `worker` no longer holds the lease
        /// (the attempt and the delivery's state are recorded anyway).
        record_webhook_attempt(
            instance_id: &InstanceId,
            endpoint_id: &WebhookEndpointId,
            worker: &str,
            record: &AttemptRecord,
        ) -> bool;

        /// Gives the lease back.
        release_webhook_endpoint(
            instance_id: &InstanceId,
            endpoint_id: &WebhookEndpointId,
            worker: &str,
        );

        /// Frees the leases held by earlier lives of this node (any lessee on `node` other than
        /// `except`): a restarted node resumes at once instead of waiting for them to expire.
        release_webhook_leases(instance_id: &InstanceId, node: &str, except: &str) -> u64;

        /// Deliveries of one endpoint, newest first, each with its attempts (newest first), and
        /// the total matching the query.
        webhook_deliveries(instance_id: &InstanceId, query: &DeliveryQuery) -> (Vec<Delivery>, i64);

        /// Queues the deliveries of event `event_id` again (to `endpoint_id` only, if given),
        /// whatever their state, with a fresh schedule, and wakes their endpoints: they are
        /// attempted at once. Returns the endpoint ids affected (none: no such delivery).
        retry_webhook_message(
            instance_id: &InstanceId,
            event_id: &EventId,
            endpoint_id: Option<&WebhookEndpointId>,
            now: i64,
        ) -> Vec<WebhookEndpointId>;

        /// Queues again every event committed at or after `since` that the endpoint accepts (not
        /// resync snapshots meant for other endpoints), in commit order. Returns how many.
        replay_webhook_endpoint(
            instance_id: &InstanceId,
            endpoint_id: &WebhookEndpointId,
            since: i64,
            now: i64,
        ) -> i64;

        /// Queue depth, oldest queued delivery, and attempts since `attempts_since`, per endpoint.
        webhook_stats(instance_id: &InstanceId, attempts_since: i64) -> Vec<EndpointStats>;
    }
}
