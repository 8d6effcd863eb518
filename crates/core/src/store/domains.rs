//! The instance's satellite domains (written through [`super::Write`] with their audit entries).

use async_trait::async_trait;

use super::StoreResult;
use crate::domains::SatelliteDomain;
use crate::ids::InstanceId;

#[async_trait]
pub trait DomainStore: Send + Sync {
    /// Every satellite domain, oldest first.
    async fn satellite_domains(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<SatelliteDomain>>;
}
