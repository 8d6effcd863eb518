//! The instance: its record, keys, settings, branding, session claims, server-side secrets,
//! handshake payloads and uploaded images.

use async_trait::async_trait;

use super::StoreResult;
use crate::branding::Branding;
use crate::ids::{ImageId, InstanceId};
use crate::images::Image;
use crate::instance::{Instance, SecretKeyRecord};
use crate::jwt_templates::session_claims::SessionClaimsTemplate;
use crate::signing_keys::SigningKeyRecord;

#[async_trait]
pub trait InstanceStore: Send + Sync {
    /// Checks the connection; `/readyz` calls it.
    async fn ping(&self) -> StoreResult<()>;

    async fn load_instance(&self) -> StoreResult<Option<Instance>>;

    /// Creates the instance with its first secret key and signing key, in one transaction.
    /// Fails with [`StoreError::InstanceExists`](super::StoreError::InstanceExists) when the
    /// database already has one.
    async fn create_instance(
        &self,
        instance: &Instance,
        secret: &SecretKeyRecord,
        key: &SigningKeyRecord,
    ) -> StoreResult<()>;

    /// The instance's branding; the defaults (version 0) when it was never set.
    async fn branding(&self, instance_id: &InstanceId) -> StoreResult<Branding>;

    /// The instance's session token template; an empty one (version 0) when it was never set.
    async fn session_claims(&self, instance_id: &InstanceId) -> StoreResult<SessionClaimsTemplate>;

    /// The instance's stored settings; none (version 0) when they were never written.
    async fn instance_settings(
        &self,
        instance_id: &InstanceId,
    ) -> StoreResult<crate::instance_settings::StoredSettings>;

    async fn secret_keys(&self, instance_id: &InstanceId) -> StoreResult<Vec<SecretKeyRecord>>;

    async fn signing_keys(&self, instance_id: &InstanceId) -> StoreResult<Vec<SigningKeyRecord>>;

    /// Makes `key` the signing key; the previous ones stay (inactive) so their tokens still verify.
    async fn rotate_signing_key(
        &self,
        instance_id: &InstanceId,
        key: &SigningKeyRecord,
    ) -> StoreResult<()>;

    /// Removes an inactive key from JWKS. Returns false when there is no such inactive key.
    async fn retire_signing_key(&self, instance_id: &InstanceId, kid: &str) -> StoreResult<bool>;

    /// The instance's server-side secret `name`, kept as `candidate` if there is none yet.
    async fn instance_secret(
        &self,
        instance_id: &InstanceId,
        name: &str,
        candidate: &[u8],
    ) -> StoreResult<Vec<u8>>;

    /// Keeps a handshake payload for the Backend API to fetch by nonce until `expire_at`.
    async fn put_handshake_nonce(
        &self,
        instance_id: &InstanceId,
        nonce_hash: &str,
        payload: &str,
        expire_at: i64,
    ) -> StoreResult<()>;

    async fn handshake_payload(
        &self,
        instance_id: &InstanceId,
        nonce_hash: &str,
        now: i64,
    ) -> StoreResult<Option<String>>;

    /// An uploaded image of the instance, bytes included.
    async fn get_image(&self, instance_id: &InstanceId, id: &ImageId)
    -> StoreResult<Option<Image>>;
}
