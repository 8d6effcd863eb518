//! The instance's stored email and SMS templates (written through [`super::Write`] with their
//! audit entries).

use async_trait::async_trait;

use super::StoreResult;
use crate::ids::InstanceId;
use crate::message_templates::TemplateOverride;

#[async_trait]
pub trait TemplateStore: Send + Sync {
    /// Every stored template, by type and slug.
    async fn message_templates(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<Vec<TemplateOverride>>;
}
