// `WebhookStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

delegate_store! {
    impl WebhookStore {
        webhook_endpoints(instance_id: &InstanceId) -> Vec<WebhookEndpoint>
            = webhooks::endpoints(reader);
        webhook_endpoint(instance_id: &InstanceId, id: &WebhookEndpointId)
            -> Option<WebhookEndpoint> = query::versioned_by_id(reader, "webhook_endpoints");
        claim_webhook_endpoint(
            instance_id: &InstanceId,
            worker: &str,
            node: &str,
            now: i64,
            lease_until: i64,
        ) -> Option<ClaimedEndpoint> = webhooks::claim(writer);
        pending_webhook_deliveries(
            instance_id: &InstanceId,
            endpoint_id: &WebhookEndpointId,
            limit: i64,
        ) -> Vec<PendingDelivery> = webhooks::pending(reader);
        record_webhook_attempt(
            instance_id: &InstanceId,
            endpoint_id: &WebhookEndpointId,
            worker: &str,
            record: &AttemptRecord,
        ) -> bool = webhooks::record_attempt(writer);
        release_webhook_endpoint(
            instance_id: &InstanceId,
            endpoint_id: &WebhookEndpointId,
            worker: &str,
        ) = webhooks::release(writer);
        release_webhook_leases(instance_id: &InstanceId, node: &str, except: &str) -> u64
            = webhooks::release_node(writer);
        webhook_deliveries(instance_id: &InstanceId, query: &DeliveryQuery) -> (Vec<Delivery>, i64)
            = webhooks::deliveries(reader);
        replay_webhook_endpoint(
            instance_id: &InstanceId,
            endpoint_id: &WebhookEndpointId,
            since: i64,
            now: i64,
        ) -> i64 = webhooks::replay(writer);
        webhook_stats(instance_id: &InstanceId, attempts_since: i64) -> Vec<EndpointStats>
            = webhooks::stats(reader);
    }

    async fn retry_webhook_message(
        &self,
        instance_id: &InstanceId,
        event_id: &EventId,
        endpoint_id: Option<&WebhookEndpointId>,
        now: i64,
    ) -> StoreResult<Vec<WebhookEndpointId>> {
        let ids = webhooks::retry_message(
            self.writer(),
            instance_id,
            event_id,
            endpoint_id.map(WebhookEndpointId::as_str),
            now,
        )
        .await
        .map_err(|e| e.during("retry_webhook_message"))?;
        Ok(ids
            .into_iter()
            .map(WebhookEndpointId::from_stored)
            .collect())
    }
}
