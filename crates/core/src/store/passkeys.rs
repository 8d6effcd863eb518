//! Passkey reads. Passkeys are written through `commit` (`Write::PutPasskey`,
//! `Write::DeletePasskey`), with the user whose list shows them.

use async_trait::async_trait;

use super::StoreResult;
use crate::ids::{IdentificationId, InstanceId, UserId};
use crate::passkeys::PasskeyRecord;

#[async_trait]
pub trait PasskeyStore: Send + Sync {
    async fn get_passkey(
        &self,
        instance_id: &InstanceId,
        id: &IdentificationId,
    ) -> StoreResult<Option<PasskeyRecord>>;

    /// The passkey whose credential id (base64url) is `credential_id`, verified.
    async fn passkey_by_credential(
        &self,
        instance_id: &InstanceId,
        credential_id: &str,
    ) -> StoreResult<Option<PasskeyRecord>>;

    /// A user's passkeys, pending ones included, oldest first.
    async fn user_passkeys(
        &self,
        instance_id: &InstanceId,
        user_id: &UserId,
    ) -> StoreResult<Vec<PasskeyRecord>>;
}
