//! The instance's registered redirect URLs (written through [`super::Write`] with their audit
//! entries).

use async_trait::async_trait;

use super::StoreResult;
use crate::ids::InstanceId;
use crate::redirects::RedirectUrl;

#[async_trait]
pub trait RedirectUrlStore: Send + Sync {
    /// Every registered redirect URL, oldest first.
    async fn redirect_urls(&self, instance_id: &InstanceId) -> StoreResult<Vec<RedirectUrl>>;
}
