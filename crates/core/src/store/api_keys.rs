//! API keys. Written through `commit`, except `last_used_at` (`touch_api_keys`).

use crate::clock::Millis;
use crate::ids::InstanceId;

store_trait! {
    pub trait ApiKeyStore {
        get_api_key(instance_id: &InstanceId, id: &crate::ids::ApiKeyId)
            -> Option<crate::api_keys::ApiKey>;

        /// The key whose secret's digest is `digest`, and the digest as stored (the caller compares
        /// it in constant time).
        api_key_by_digest(instance_id: &InstanceId, digest: &str)
            -> Option<(crate::api_keys::ApiKey, String)>;

        /// The key's sealed secret (opened only by the instance's sealing key).
        api_key_sealed_secret(instance_id: &InstanceId, id: &crate::ids::ApiKeyId)
            -> Option<crate::api_keys::SealedSecret>;

        /// A page of a subject's keys (newest first) and the total matching the query.
        list_api_keys(instance_id: &InstanceId, query: &crate::api_keys::ApiKeyQuery)
            -> (Vec<crate::api_keys::ApiKey>, i64);

        /// Moves each key's `last_used_at` forward to the time given (never back), in one
        /// transaction: verification records uses in memory and writes them here in batches.
        touch_api_keys(instance_id: &InstanceId, used: &[(crate::ids::ApiKeyId, Millis)]);
    }
}
