//! The instance: its record, keys, settings, branding, session claims, server-side secrets,
//! handshake payloads and uploaded images.

use crate::branding::Branding;
use crate::ids::{ImageId, InstanceId};
use crate::images::Image;
use crate::instance::{Instance, SecretKeyRecord};
use crate::jwt_templates::session_claims::SessionClaimsTemplate;
use crate::signing_keys::SigningKeyRecord;

store_trait! {
    pub trait InstanceStore {
        /// Checks the connection; `/readyz` calls it.
        ping();

        load_instance() -> Option<Instance>;

        /// Creates the instance with its first secret key and signing key, in one transaction.
        /// Fails with [`StoreError::InstanceExists`](super::StoreError::InstanceExists) when the
        /// database already has one.
        create_instance(instance: &Instance, secret: &SecretKeyRecord, key: &SigningKeyRecord);

        /// The instance's branding; the defaults (version 0) when it was never set.
        branding(instance_id: &InstanceId) -> Branding;

        /// The instance's session token template; an empty one (version 0) when it was never set.
        session_claims(instance_id: &InstanceId) -> SessionClaimsTemplate;

        /// The instance's stored settings; none (version 0) when they were never written.
        instance_settings(instance_id: &InstanceId) -> crate::instance_settings::StoredSettings;

        secret_keys(instance_id: &InstanceId) -> Vec<SecretKeyRecord>;

        signing_keys(instance_id: &InstanceId) -> Vec<SigningKeyRecord>;

        /// Makes `key` the signing key; the previous ones stay (inactive) so their tokens still
        /// verify.
        rotate_signing_key(instance_id: &InstanceId, key: &SigningKeyRecord);

        /// Removes an inactive key from JWKS. Returns false when there is no such inactive key.
        retire_signing_key(instance_id: &InstanceId, kid: &str) -> bool;

        /// The instance's server-side secret `name`, kept as `candidate` if there is none yet.
        instance_secret(instance_id: &InstanceId, name: &str, candidate: &[u8]) -> Vec<u8>;

        /// Keeps a handshake payload for the Backend API to fetch by nonce until `expire_at`.
        put_handshake_nonce(
            instance_id: &InstanceId,
            nonce_hash: &str,
            payload: &str,
            expire_at: i64,
        );

        handshake_payload(instance_id: &InstanceId, nonce_hash: &str, now: i64) -> Option<String>;

        /// An uploaded image of the instance, bytes included.
        get_image(instance_id: &InstanceId, id: &ImageId) -> Option<Image>;
    }
}
