//! Passkey reads. Passkeys are written through `commit` (`Write::PutPasskey`,
//! `Write::DeletePasskey`), with the user whose list shows them.

use crate::ids::{IdentificationId, InstanceId, UserId};
use crate::passkeys::PasskeyRecord;

store_trait! {
    pub trait PasskeyStore {
        get_passkey(instance_id: &InstanceId, id: &IdentificationId) -> Option<PasskeyRecord>;

        /// The passkey whose credential id (base64url) is `credential_id`, verified.
        passkey_by_credential(instance_id: &InstanceId, credential_id: &str)
            -> Option<PasskeyRecord>;

        /// A user's passkeys, pending ones included, oldest first.
        user_passkeys(instance_id: &InstanceId, user_id: &UserId) -> Vec<PasskeyRecord>;
    }
}
