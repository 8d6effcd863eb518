// The WaitlistStore trait, answered by the shared queries. Included by each backend's module
// next to `store_impl.rs`.

delegate_store! {
    impl usher_core::store::WaitlistStore {
        get_waitlist_entry(instance_id: &InstanceId, id: &str)
            -> Option<usher_core::waitlist::WaitlistEntry>
            = query::versioned_by_id(reader, "waitlist_entries");
        waitlist_entry_by_email(instance_id: &InstanceId, email_address: &str)
            -> Option<usher_core::waitlist::WaitlistEntry> = waitlist::by_email(reader);
        list_waitlist_entries(instance_id: &InstanceId, query: &usher_core::waitlist::WaitlistQuery)
            -> (Vec<usher_core::waitlist::WaitlistEntry>, i64) = waitlist::list(reader);
    }
}
