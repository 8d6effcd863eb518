//! The instance's satellite domains (written through [`super::Write`] with their audit entries).

use crate::domains::SatelliteDomain;
use crate::ids::InstanceId;

store_trait! {
    pub trait DomainStore {
        /// Every satellite domain, oldest first.
        satellite_domains(instance_id: &InstanceId) -> Vec<SatelliteDomain>;
    }
}
