//! An API key's secret: minted, digested for look-up, sealed for a later read.
//!
//! Verification must be cheap (every request an API key authenticates), so the secret is found by
//! a keyed hash — HMAC-SHA256 under an instance key — rather than a password hash: the secret is
//! 238 random bits, so stretching would buy nothing. The digest is compared in constant time
//! after the look-up. The sealed copy (AES-256-GCM, the key id as associated data, so a sealed
//! secret moved to another row does not open) lets `GET /api_keys/{id}/secret` show it again.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::{constant_time, digest, hmac};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use rand::RngCore;

use crate::error::{CoreError, CoreResult};
use crate::ids::random_alphanumeric;

/// Clerk's prefix of API key secrets (how `@clerk/backend` tells them from other tokens).
pub const SECRET_PREFIX: &str = "ak_";
/// Random base62 characters after the prefix: about 238 bits.
const SECRET_CHARS: usize = 40;
/// Sealed secrets carry their format, so another can follow.
const SEALED_V1: &str = "v1.";

/// A secret sealed under the instance's key, as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedSecret(pub String);

impl std::fmt::Debug for SealedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealedSecret(..)")
    }
}

/// The instance's two API-key keys: one digests secrets, one seals them.
pub struct ApiKeyKeys {
    digest: hmac::Key,
    seal: LessSafeKey,
}

impl std::fmt::Debug for ApiKeyKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKeyKeys(..)")
    }
}

impl ApiKeyKeys {
    /// From the instance's stored secrets (any length: each is hashed into its key).
    pub fn new(digest_secret: &[u8], seal_secret: &[u8]) -> CoreResult<Self> {
        let seal_bytes = derive(b"usher api key seal\0", seal_secret);
        let unbound = UnboundKey::new(&AES_256_GCM, &seal_bytes)
            .map_err(|_| CoreError::Crypto("api key sealing key".into()))?;
        Ok(Self {
            digest: hmac::Key::new(
                hmac::HMAC_SHA256,
                &derive(b"usher api key digest\0", digest_secret),
            ),
            seal: LessSafeKey::new(unbound),
        })
    }

    /// A fresh secret: `ak_` and 40 base62 characters.
    pub fn new_secret() -> String {
        format!("{SECRET_PREFIX}{}", random_alphanumeric(SECRET_CHARS))
    }

    /// The look-up digest of a secret (hex).
    pub fn digest(&self, secret: &str) -> String {
        hex::encode(hmac::sign(&self.digest, secret.as_bytes()).as_ref())
    }

    /// Whether `secret` is the one `stored` was computed from, in constant time.
    pub fn matches(&self, secret: &str, stored: &str) -> bool {
        same_digest(&self.digest(secret), stored)
    }

    /// `secret` sealed for the record `id` (an API key's or a machine's id: the associated data).
    pub fn seal(&self, id: &str, secret: &str) -> CoreResult<SealedSecret> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let mut buf = secret.as_bytes().to_vec();
        self.seal
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(id.as_bytes()),
                &mut buf,
            )
            .map_err(|_| CoreError::Crypto("api key seal".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        Ok(SealedSecret(format!("{SEALED_V1}{}", B64.encode(out))))
    }

    /// The secret sealed for key `id`; a sealed value of another key or instance does not open.
    pub fn open(&self, id: &str, sealed: &SealedSecret) -> CoreResult<String> {
        let fail = || CoreError::Crypto("api key secret does not open".into());
        let raw = sealed
            .0
            .strip_prefix(SEALED_V1)
            .and_then(|b| B64.decode(b).ok())
            .filter(|r| r.len() > NONCE_LEN)
            .ok_or_else(fail)?;
        let (nonce, ct) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| fail())?;
        let mut buf = ct.to_vec();
        let plain = self
            .seal
            .open_in_place(nonce, Aad::from(id.as_bytes()), &mut buf)
            .map_err(|_| fail())?;
        String::from_utf8(plain.to_vec()).map_err(|_| fail())
    }
}

/// Two digests compared in constant time (the look-up found the row by the digest; this keeps
/// the final word off any early-exit comparison).
pub fn same_digest(computed: &str, stored: &str) -> bool {
    constant_time::verify_slices_are_equal(computed.as_bytes(), stored.as_bytes()).is_ok()
}

fn derive(label: &[u8], secret: &[u8]) -> [u8; 32] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(label);
    ctx.update(secret);
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ApiKeyId;

    fn keys(seed: &[u8]) -> ApiKeyKeys {
        ApiKeyKeys::new(seed, &[seed, b"-seal"].concat()).unwrap()
    }

    #[test]
    fn secrets_have_clerks_prefix_and_differ() {
        let a = ApiKeyKeys::new_secret();
        assert!(a.starts_with("ak_") && a.len() == 3 + 40);
        assert_ne!(a, ApiKeyKeys::new_secret());
    }

    #[test]
    fn digest_is_keyed_and_matches_only_its_secret() {
        let k = keys(b"one");
        let s = ApiKeyKeys::new_secret();
        let d = k.digest(&s);
        assert_eq!(d.len(), 64);
        assert!(k.matches(&s, &d));
        assert!(!k.matches(&ApiKeyKeys::new_secret(), &d));
        // Another instance's key digests differently: its keys never match here.
        assert_ne!(keys(b"two").digest(&s), d);
    }

    #[test]
    fn sealed_secret_opens_only_for_its_key_id_and_instance() {
        let k = keys(b"one");
        let id = ApiKeyId::mint();
        let s = ApiKeyKeys::new_secret();
        let sealed = k.seal(&id, &s).unwrap();
        assert!(!sealed.0.contains(&s[3..]));
        assert_eq!(k.open(&id, &sealed).unwrap(), s);
        assert!(k.open(&ApiKeyId::mint(), &sealed).is_err());
        assert!(keys(b"two").open(&id, &sealed).is_err());
        assert!(k.open(&id, &SealedSecret("v1.AAAA".into())).is_err());
        assert_ne!(k.seal(&id, &s).unwrap(), sealed, "a fresh nonce per seal");
    }

    #[test]
    fn minted_ids_are_clerks_format() {
        let id = ApiKeyId::mint();
        let hex = id.strip_prefix("ak_").unwrap();
        assert_eq!(hex.len(), 32);
        assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(ApiKeyId::parse(&id).unwrap(), id);
    }
}
