//! Credential public keys: read from a COSE_Key (RFC 9053) as an authenticator sends it, kept
//! normalised, and used to check signatures with aws-lc-rs. ES256 (P-256), EdDSA (Ed25519) and
//! RS256 are accepted; any other key is refused by name.

use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1, ED25519, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents,
    UnparsedPublicKey,
};
use serde::{Deserialize, Serialize};

use super::b64;
use super::cbor::Cbor;

/// COSE algorithm identifiers offered in the creation options, in order of preference.
pub const ES256: i64 = -7;
pub const EDDSA: i64 = -8;
pub const RS256: i64 = -257;
pub const ALGORITHMS: [i64; 3] = [ES256, EDDSA, RS256];

/// A credential's public key, by algorithm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "alg", rename_all = "lowercase")]
pub enum PublicKey {
    /// ECDSA over P-256 with SHA-256: the point's coordinates (32 bytes each).
    Es256 {
        #[serde(with = "b64")]
        x: Vec<u8>,
        #[serde(with = "b64")]
        y: Vec<u8>,
    },
    /// Ed25519: the 32-byte public key.
    Ed25519 {
        #[serde(with = "b64")]
        x: Vec<u8>,
    },
    /// RSASSA-PKCS1-v1_5 with SHA-256: modulus and exponent, big-endian.
    Rs256 {
        #[serde(with = "b64")]
        n: Vec<u8>,
        #[serde(with = "b64")]
        e: Vec<u8>,
    },
}

/// Why a COSE key is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyError(pub &'static str);

fn field<'a>(key: &'a Cbor, label: i128, what: &'static str) -> Result<&'a [u8], KeyError> {
    key.get_int(label)
        .and_then(Cbor::as_bytes)
        .ok_or(KeyError(what))
}

impl PublicKey {
    /// The key of a COSE_Key map: kty 2 / crv 1 (P-256) with ES256, kty 1 / crv 6 (Ed25519)
    /// with EdDSA, kty 3 with RS256.
    pub fn from_cose(key: &Cbor) -> Result<Self, KeyError> {
        let kty = key.get_int(1).and_then(Cbor::as_int);
        let alg = key.get_int(3).and_then(Cbor::as_int);
        let crv = key.get_int(-1).and_then(Cbor::as_int);
        match (kty, alg) {
            (Some(2), Some(a)) if a == i128::from(ES256) => {
                if crv != Some(1) {
                    return Err(KeyError("only the P-256 curve is accepted for ES256"));
                }
                let x = field(key, -2, "the EC2 key has no x coordinate")?;
                let y = field(key, -3, "the EC2 key has no y coordinate")?;
                if x.len() != 32 || y.len() != 32 {
                    return Err(KeyError("a P-256 coordinate is 32 bytes"));
                }
                Ok(PublicKey::Es256 {
                    x: x.to_vec(),
                    y: y.to_vec(),
                })
            }
            (Some(1), Some(a)) if a == i128::from(EDDSA) => {
                if crv != Some(6) {
                    return Err(KeyError("only the Ed25519 curve is accepted for EdDSA"));
                }
                let x = field(key, -2, "the OKP key has no public key")?;
                if x.len() != 32 {
                    return Err(KeyError("an Ed25519 public key is 32 bytes"));
                }
                Ok(PublicKey::Ed25519 { x: x.to_vec() })
            }
            (Some(3), Some(a)) if a == i128::from(RS256) => {
                let n = field(key, -1, "the RSA key has no modulus")?;
                let e = field(key, -2, "the RSA key has no exponent")?;
                if !(256..=1024).contains(&n.len()) || e.is_empty() || e.len() > 8 {
                    return Err(KeyError("the RSA key's size is not accepted"));
                }
                Ok(PublicKey::Rs256 {
                    n: n.to_vec(),
                    e: e.to_vec(),
                })
            }
            (Some(1..=3), _) => Err(KeyError(
                "the credential's algorithm is not one of ES256, EdDSA or RS256",
            )),
            _ => Err(KeyError("the credential's key type is not accepted")),
        }
    }

    /// The COSE algorithm of the key.
    pub fn algorithm(&self) -> i64 {
        match self {
            PublicKey::Es256 { .. } => ES256,
            PublicKey::Ed25519 { .. } => EDDSA,
            PublicKey::Rs256 { .. } => RS256,
        }
    }

    /// Whether `signature` is this key's over `message`.
    pub fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            PublicKey::Es256 { x, y } => {
                let point = [&[0x04][..], x, y].concat();
                UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, point)
                    .verify(message, signature)
                    .is_ok()
            }
            PublicKey::Ed25519 { x } => UnparsedPublicKey::new(&ED25519, x)
                .verify(message, signature)
                .is_ok(),
            PublicKey::Rs256 { n, e } => RsaPublicKeyComponents { n, e }
                .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature)
                .is_ok(),
        }
    }
}
