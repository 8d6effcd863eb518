//! The waitlist's entries (written through [`super::Write`] with their events and audit
//! entries).

use crate::ids::InstanceId;
use crate::waitlist::{WaitlistEntry, WaitlistQuery};

store_trait! {
    pub trait WaitlistStore {
        get_waitlist_entry(instance_id: &InstanceId, id: &str) -> Option<WaitlistEntry>;
        /// The entry of `email_address` (lower-cased), if the address has one.
        waitlist_entry_by_email(instance_id: &InstanceId, email_address: &str)
            -> Option<WaitlistEntry>;
        /// A page in the query's order, with the total matching it.
        list_waitlist_entries(instance_id: &InstanceId, query: &WaitlistQuery)
            -> (Vec<WaitlistEntry>, i64);
    }
}
