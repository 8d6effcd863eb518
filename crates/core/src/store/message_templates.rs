//! The instance's stored email and SMS templates (written through [`super::Write`] with their
//! audit entries).

use crate::ids::InstanceId;
use crate::message_templates::TemplateOverride;

store_trait! {
    pub trait TemplateStore {
        /// Every stored template, by type and slug.
        message_templates(instance_id: &InstanceId) -> Vec<TemplateOverride>;
    }
}
