//! Data lifecycle (`crate::lifecycle`): a deleted user's purge, completed in batches by whichever
//! node claims it, and retention.

use crate::clock::Millis;
use crate::ids::InstanceId;
use crate::lifecycle::{PiiPurge, Pruned, PurgeStep, RetentionCutoffs};

store_trait! {
    pub trait LifecycleStore {
        /// Takes the oldest unfinished purge whose lease is free or expired, leased until
        /// `lease_until`; a purge another node holds is not taken.
        claim_pii_purge(instance_id: &InstanceId, now: Millis, lease_until: Millis)
            -> Option<PiiPurge>;

        /// One batch of a purge, in one transaction: the user's remaining rows removed (sessions,
        /// emails and text messages to their addresses, finished invitations to them), audit
        /// entries' client addresses cleared, and up to `limit` events' payloads scrubbed, from
        /// where the last batch stopped. Held at an event still pending delivery until
        /// [`PiiPurge::scrub_pending`]. The last batch records the purge as done (identifiers
        /// emptied). Repeating a batch changes nothing more.
        pii_purge_step(instance_id: &InstanceId, purge: &PiiPurge, now: Millis, limit: i64)
            -> PurgeStep;

        /// Every purge, oldest first.
        pii_purges(instance_id: &InstanceId) -> Vec<PiiPurge>;

        /// Removes up to `limit` records of each kind older than its cutoff, each kind in its own
        /// transaction: finished webhook deliveries with their attempts, events no delivery refers
        /// to, emails not queued, text messages, audit entries.
        prune_expired(instance_id: &InstanceId, cutoffs: &RetentionCutoffs, limit: i64) -> Pruned;
    }
}
