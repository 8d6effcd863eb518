//! Machines and M2M tokens. Written through `commit`.

use async_trait::async_trait;

use super::StoreResult;
use crate::clock::Millis;
use crate::ids::InstanceId;

#[async_trait]
pub trait MachineStore: Send + Sync {
    async fn get_machine(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::MachineId,
    ) -> StoreResult<Option<crate::machines::Machine>>;

    /// A page of the instance's machines and the total matching the query.
    async fn list_machines(
        &self,
        instance_id: &InstanceId,
        query: &crate::machines::MachineQuery,
    ) -> StoreResult<(Vec<crate::machines::Machine>, i64)>;

    /// The machines `from` may call, oldest scope first.
    async fn scoped_machines(
        &self,
        instance_id: &InstanceId,
        from: &crate::ids::MachineId,
    ) -> StoreResult<Vec<crate::machines::Machine>>;

    /// The machine whose secret key digests to `digest` and is valid at `now`, with the digest
    /// as stored (the caller compares it in constant time).
    async fn machine_by_secret_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
        now: Millis,
    ) -> StoreResult<Option<(crate::machines::Machine, String)>>;

    /// The machine's current secret key, sealed.
    async fn machine_sealed_secret(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::MachineId,
    ) -> StoreResult<Option<crate::api_keys::SealedSecret>>;

    async fn get_m2m_token(
        &self,
        instance_id: &InstanceId,
        id: &crate::ids::M2mTokenId,
    ) -> StoreResult<Option<crate::machines::M2mToken>>;

    /// The opaque token whose digest is `digest`, with the digest as stored.
    async fn m2m_token_by_digest(
        &self,
        instance_id: &InstanceId,
        digest: &str,
    ) -> StoreResult<Option<(crate::machines::M2mToken, String)>>;

    /// A page of a machine's tokens (newest first) and the total matching the query.
    async fn list_m2m_tokens(
        &self,
        instance_id: &InstanceId,
        query: &crate::machines::M2mTokenQuery,
    ) -> StoreResult<(Vec<crate::machines::M2mToken>, i64)>;
}
