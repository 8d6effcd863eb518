// `WebhookStore`, answered by the shared queries. Included by each backend's module, which
// defines `Backend` (its store type) with `reader()` and `writer()` pools.

#[async_trait]
impl WebhookStore for Backend {
    async fn webhook_endpoints(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<WebhookEndpoint>> {
        webhooks::endpoints(self.reader(), instance_id)
            .await
            .map_err(|e| e.during("webhook_endpoints"))
    }

    async fn webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        id: &WebhookEndpointId,
    ) -> StoreResult<Option<WebhookEndpoint>> {
        webhooks::endpoint(self.reader(), instance_id, id)
            .await
            .map_err(|e| e.during("webhook_endpoint"))
    }

    async fn claim_webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        worker: &str,
        node: &str,
        now: i64,
        lease_until: i64,
    ) -> StoreResult<Option<ClaimedEndpoint>> {
        webhooks::claim(self.writer(), instance_id, worker, node, now, lease_until)
            .await
            .map_err(|e| e.during("claim_webhook_endpoint"))
    }

    async fn pending_webhook_deliveries(
        &self,
        instance_id: &InstanceId,
        endpoint_id: &WebhookEndpointId,
        limit: i64,
    ) -> StoreResult<Vec<PendingDelivery>> {
        webhooks::pending(self.reader(), instance_id, endpoint_id, limit)
            .await
            .map_err(|e| e.during("pending_webhook_deliveries"))
    }

    async fn record_webhook_attempt(
        &self,
        instance_id: &InstanceId,
        endpoint_id: &WebhookEndpointId,
        worker: &str,
        record: &AttemptRecord,
    ) -> StoreResult<bool> {
        webhooks::record_attempt(self.writer(), instance_id, endpoint_id, worker, record)
            .await
            .map_err(|e| e.during("record_webhook_attempt"))
    }

    async fn release_webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        endpoint_id: &WebhookEndpointId,
        worker: &str,
    ) -> StoreResult<()> {
        webhooks::release(self.writer(), instance_id, endpoint_id, worker)
            .await
            .map_err(|e| e.during("release_webhook_endpoint"))
    }

    async fn release_webhook_leases(
        &self,
        instance_id: &InstanceId,
        node: &str,
        except: &str,
    ) -> StoreResult<u64> {
        webhooks::release_node(self.writer(), instance_id, node, except)
            .await
            .map_err(|e| e.during("release_webhook_leases"))
    }

    async fn webhook_deliveries(
        &self,
        instance_id: &InstanceId,
        query: &DeliveryQuery,
    ) -> StoreResult<(Vec<Delivery>, i64)> {
        webhooks::deliveries(self.reader(), instance_id, query)
            .await
            .map_err(|e| e.during("webhook_deliveries"))
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

    async fn replay_webhook_endpoint(
        &self,
        instance_id: &InstanceId,
        endpoint_id: &WebhookEndpointId,
        since: i64,
        now: i64,
    ) -> StoreResult<i64> {
        webhooks::replay(self.writer(), instance_id, endpoint_id, since, now)
            .await
            .map_err(|e| e.during("replay_webhook_endpoint"))
    }

    async fn webhook_stats(
        &self,
        instance_id: &InstanceId,
        attempts_since: i64,
    ) -> StoreResult<Vec<EndpointStats>> {
        webhooks::stats(self.reader(), instance_id, attempts_since)
            .await
            .map_err(|e| e.during("webhook_stats"))
    }
}
