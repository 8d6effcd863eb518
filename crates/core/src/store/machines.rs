//! Machines and M2M tokens. Written through `commit`.

use crate::clock::Millis;
use crate::ids::InstanceId;

store_trait! {
    pub trait MachineStore {
        get_machine(instance_id: &InstanceId, id: &crate::ids::MachineId)
            -> Option<crate::machines::Machine>;

        /// A page of the instance's machines and the total matching the query.
        list_machines(instance_id: &InstanceId, query: &crate::machines::MachineQuery)
            -> (Vec<crate::machines::Machine>, i64);

        /// The machines `from` may call, oldest scope first.
        scoped_machines(instance_id: &InstanceId, from: &crate::ids::MachineId)
            -> Vec<crate::machines::Machine>;

        /// The machine whose secret key digests to `digest` and is valid at `now`, with the digest
        /// as stored (the caller compares it in constant time).
        machine_by_secret_digest(instance_id: &InstanceId, digest: &str, now: Millis)
            -> Option<(crate::machines::Machine, String)>;

        /// The machine's current secret key, sealed.
        machine_sealed_secret(instance_id: &InstanceId, id: &crate::ids::MachineId)
            -> Option<crate::api_keys::SealedSecret>;

        get_m2m_token(instance_id: &InstanceId, id: &crate::ids::M2mTokenId)
            -> Option<crate::machines::M2mToken>;

        /// The opaque token whose digest is `digest`, with the digest as stored.
        m2m_token_by_digest(instance_id: &InstanceId, digest: &str)
            -> Option<(crate::machines::M2mToken, String)>;

        /// A page of a machine's tokens (newest first) and the total matching the query.
        list_m2m_tokens(instance_id: &InstanceId, query: &crate::machines::M2mTokenQuery)
            -> (Vec<crate::machines::M2mToken>, i64);
    }
}
