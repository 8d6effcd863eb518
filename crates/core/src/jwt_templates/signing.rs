//! A template's own signing key, and the JWS of each algorithm a template may choose.
//!
//! The key a customer uploads (an HMAC secret, an RSA private key) is sealed with AES-256-GCM under
//! the instance's template key, which lives in another table (`instance_secrets`): a copy of the
//! templates' table alone gives no key away. The template's id is the associated data, so a sealed
//! key moved to another template does not open.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::hmac;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::KeyPair;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RSA_PKCS1_SHA384, RSA_PKCS1_SHA512};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use super::model::SigningAlgorithm;
use crate::error::{CoreError, CoreResult};
use crate::signing_keys::SigningKey;

/// The `instance_secrets` name of the key that seals templates' signing keys.
pub const SEALING_SECRET_NAME: &str = "jwt_template_keys";
pub const SEALING_KEY_LEN: usize = 32;

/// A fresh sealing key: the candidate an instance keeps if it has none yet.
pub fn new_sealing_key() -> CoreResult<[u8; SEALING_KEY_LEN]> {
    let mut key = [0u8; SEALING_KEY_LEN];
    SystemRandom::new()
        .fill(&mut key)
        .map_err(|e| CoreError::Crypto(e.to_string()))?;
    Ok(key)
}

/// A sealed signing key as stored: nonce, then ciphertext and tag.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedKey(pub Vec<u8>);

impl std::fmt::Debug for SealedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealedKey(<sealed>)")
    }
}

/// A template's key, parsed: what signs its tokens.
pub enum CustomKey {
    Hmac {
        algorithm: SigningAlgorithm,
        /// The secret as uploaded, kept to seal it.
        text: String,
        key: Box<hmac::Key>,
    },
    Rsa {
        algorithm: SigningAlgorithm,
        text: String,
        pair: KeyPair,
    },
}

impl std::fmt::Debug for CustomKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CustomKey({}, <redacted>)", self.algorithm().as_str())
    }
}

fn bad_key(reason: &str) -> CoreError {
    CoreError::format("signing_key", reason)
}

/// The DER inside a PEM block, and the block's label.
fn pem_body(text: &str) -> Option<(String, Vec<u8>)> {
    let text = text.trim();
    let first = text.lines().next()?.trim();
    let label = first
        .strip_prefix("-----BEGIN ")?
        .strip_suffix("-----")?
        .to_owned();
    let footer = format!("-----END {label}-----");
    let body: String = text
        .lines()
        .skip(1)
        .take_while(|l| l.trim() != footer)
        .map(str::trim)
        .collect();
    if !text.ends_with(&footer) {
        return None;
    }
    STANDARD.decode(body).ok().map(|der| (label, der))
}

impl CustomKey {
    pub fn parse(algorithm: SigningAlgorithm, text: &str) -> CoreResult<Self> {
        if algorithm.is_hmac() {
            let digest = match algorithm {
                SigningAlgorithm::Hs384 => hmac::HMAC_SHA384,
                SigningAlgorithm::Hs512 => hmac::HMAC_SHA512,
                _ => hmac::HMAC_SHA256,
            };
            return Ok(Self::Hmac {
                algorithm,
                text: text.to_owned(),
                key: Box::new(hmac::Key::new(digest, text.as_bytes())),
            });
        }
        let (label, der) =
            pem_body(text).ok_or_else(|| bad_key("must be a PEM-encoded RSA private key"))?;
        let pair = match label.as_str() {
            "PRIVATE KEY" => KeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => KeyPair::from_der(&der),
            _ => return Err(bad_key("must be a PEM-encoded RSA private key")),
        }
        .map_err(|_| bad_key("is not a usable RSA private key (2048 bits or more)"))?;
        Ok(Self::Rsa {
            algorithm,
            text: text.to_owned(),
            pair,
        })
    }

    pub fn algorithm(&self) -> SigningAlgorithm {
        match self {
            Self::Hmac { algorithm, .. } | Self::Rsa { algorithm, .. } => *algorithm,
        }
    }

    fn text(&self) -> &str {
        match self {
            Self::Hmac { text, .. } | Self::Rsa { text, .. } => text,
        }
    }

    pub fn seal(&self, sealing_key: &[u8], template_id: &str) -> CoreResult<SealedKey> {
        let key = aead_key(sealing_key)?;
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|e| CoreError::Crypto(e.to_string()))?;
        let mut buf = self.text().as_bytes().to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(template_id.as_bytes()),
            &mut buf,
        )
        .map_err(|e| CoreError::Crypto(e.to_string()))?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&buf);
        Ok(SealedKey(sealed))
    }

    pub fn open(
        algorithm: SigningAlgorithm,
        sealed: &SealedKey,
        sealing_key: &[u8],
        template_id: &str,
    ) -> CoreResult<Self> {
        let key = aead_key(sealing_key)?;
        let unsealable = || CoreError::Crypto("a template's signing key does not unseal".into());
        if sealed.0.len() < NONCE_LEN {
            return Err(unsealable());
        }
        let (nonce, rest) = sealed.0.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| unsealable())?;
        let mut buf = rest.to_vec();
        let plain = key
            .open_in_place(nonce, Aad::from(template_id.as_bytes()), &mut buf)
            .map_err(|_| unsealable())?;
        let text = std::str::from_utf8(plain).map_err(|_| unsealable())?;
        Self::parse(algorithm, text)
    }

    /// A compact JWS of `claims_json` under `{"alg", "typ"}`.
    pub fn sign_jwt(&self, claims_json: &[u8]) -> CoreResult<String> {
        let header = format!(r#"{{"alg":"{}","typ":"JWT"}}"#, self.algorithm().as_str());
        let mut token = URL_SAFE_NO_PAD.encode(header);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(claims_json, &mut token);
        let signature = match self {
            Self::Hmac { key, .. } => hmac::sign(key, token.as_bytes()).as_ref().to_vec(),
            Self::Rsa {
                algorithm, pair, ..
            } => {
                let padding = match algorithm {
                    SigningAlgorithm::Rs384 => &RSA_PKCS1_SHA384,
                    SigningAlgorithm::Rs512 => &RSA_PKCS1_SHA512,
                    _ => &RSA_PKCS1_SHA256,
                };
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign(padding, &SystemRandom::new(), token.as_bytes(), &mut sig)
                    .map_err(|e| CoreError::Crypto(e.to_string()))?;
                sig
            }
        };
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut token);
        Ok(token)
    }
}

fn aead_key(sealing_key: &[u8]) -> CoreResult<LessSafeKey> {
    let unbound = UnboundKey::new(&AES_256_GCM, sealing_key)
        .map_err(|_| CoreError::Crypto("the template sealing key must be 32 bytes".into()))?;
    Ok(LessSafeKey::new(unbound))
}

/// What signs a template's token: the instance's key (RS256, `kid` in JWKS) or the template's own.
pub enum Signer<'a> {
    Instance(&'a SigningKey),
    Custom(&'a CustomKey),
}

impl Signer<'_> {
    pub fn sign(&self, claims_json: &[u8]) -> CoreResult<String> {
        match self {
            Self::Instance(key) => key.sign_template_jwt(claims_json),
            Self::Custom(key) => key.sign_jwt(claims_json),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
    use aws_lc_rs::rsa::KeySize;

    fn parts(token: &str) -> (serde_json::Value, String, Vec<u8>) {
        let (signing_input, sig) = token.rsplit_once('.').unwrap();
        let header = signing_input.split('.').next().unwrap();
        let header = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
        (
            header,
            signing_input.to_owned(),
            URL_SAFE_NO_PAD.decode(sig).unwrap(),
        )
    }

    #[test]
    fn hs256_matches_a_plain_hmac_of_the_signing_input() {
        let key = CustomKey::parse(
            SigningAlgorithm::Hs256,
            "super-secret-jwt-token-with-at-least-32-characters",
        )
        .unwrap();
        let token = key.sign_jwt(br#"{"role":"authenticated"}"#).unwrap();
        let (header, signing_input, sig) = parts(&token);
        assert_eq!(header["alg"], "HS256");
        let expected = hmac::sign(
            &hmac::Key::new(
                hmac::HMAC_SHA256,
                b"super-secret-jwt-token-with-at-least-32-characters",
            ),
            signing_input.as_bytes(),
        );
        assert_eq!(sig, expected.as_ref());
    }

    #[test]
    fn an_uploaded_rsa_key_signs_and_a_sealed_key_opens_only_for_its_template() {
        let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
        let der = AsDer::<Pkcs8V1Der>::as_der(&pair).unwrap();
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            STANDARD.encode(der.as_ref())
        );
        let key = CustomKey::parse(SigningAlgorithm::Rs512, &pem).unwrap();
        let token = key.sign_jwt(b"{}").unwrap();
        assert_eq!(parts(&token).0["alg"], "RS512");
        assert_eq!(parts(&token).2.len(), 256);
        let sealing = [7u8; 32];
        let sealed = key.seal(&sealing, "jtmp_a").unwrap();
        assert!(
            !sealed
                .0
                .windows(10)
                .any(|w| pem.as_bytes().windows(10).any(|p| p == w))
        );
        assert!(CustomKey::open(SigningAlgorithm::Rs512, &sealed, &sealing, "jtmp_a").is_ok());
        assert!(CustomKey::open(SigningAlgorithm::Rs512, &sealed, &sealing, "jtmp_b").is_err());
        assert!(CustomKey::open(SigningAlgorithm::Rs512, &sealed, &[8u8; 32], "jtmp_a").is_err());
    }

    #[test]
    fn text_that_is_not_an_rsa_pem_is_refused() {
        for bad in [
            "nope",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            "-----BEGIN PRIVATE KEY-----\n!!!\n-----END PRIVATE KEY-----",
        ] {
            assert!(
                CustomKey::parse(SigningAlgorithm::Rs256, bad).is_err(),
                "{bad}"
            );
        }
    }
}
