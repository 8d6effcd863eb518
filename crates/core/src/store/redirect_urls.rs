//! The instance's registered redirect URLs (written through [`super::Write`] with their audit
//! entries).

use crate::ids::InstanceId;
use crate::redirects::RedirectUrl;

store_trait! {
    pub trait RedirectUrlStore {
        /// Every registered redirect URL, oldest first.
        redirect_urls(instance_id: &InstanceId) -> Vec<RedirectUrl>;
    }
}
