//! API keys. Written through `commit`, except `last_used_at` (`touch_api_keys`).

use async_trait::async_trait;

use super::StoreResult;
use crate::clock::Millis;
use crate::ids::InstanceId;

#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    async fn get_api_key(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::ApiKeyId,
    ) -> StoreResult<Option<crate::api_keys::ApiKey>>;

    /// The key whose secret's digest is `digest`, and the digest as stored (the caller compares
    /// it in constant time).
    async fn api_key_by_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
    ) -> StoreResult<Option<(crate::api_keys::ApiKey, String)>>;

    /// The key's sealed secret (opened only by the instance's sealing key).
    async fn api_key_sealed_secret(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::ApiKeyId,
    ) -> StoreResult<Option<crate::api_keys::SealedSecret>>;

    /// A page of a subject's keys (newest first) and the total matching the query.
    async fn list_api_keys(
        &self,
        instance_id: &InstanceId,
        query: &crate::api_keys::ApiKeyQuery,
    ) -> StoreResult<(Vec<crate::api_keys::ApiKey>, i64)>;

    /// Moves each key's `last_used_at` forward to the time given (never back), in one
    /// transaction: verification records uses in memory and writes them here in batches.
    async fn touch_api_keys(
        &self,
        instance_id: &InstanceId,
        used: &[(crate::ids::ApiKeyId, Millis)],
    ) -> StoreResult<()>;
}
