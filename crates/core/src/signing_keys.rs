//! RSA-2048 signing keys for session tokens. A key is parsed once and held: rebuilding it per
//! signature costs most of the machine's RS256 rate.

use crate::ids::InstanceId;
use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};

/// The session-token category Clerk's SDKs check in the JWT header.
pub const SESSION_TOKEN_CATEGORY: &str = "cl_B7d4PD111AAA";
/// A JWT template's token category: Clerk's SDKs refuse such a token as a session token.
pub const JWT_TEMPLATE_CATEGORY: &str = "cl_B7d4PD222AAA";
/// The `cat` header of an M2M token JWT (what `@clerk/backend` checks before verifying one).
pub const M2M_TOKEN_CATEGORY: &str = "cl_B7d4PD333AAA";

/// A signing key as stored: the PKCS#8 private key and whether it signs new tokens.
#[derive(Clone, Serialize, Deserialize)]
pub struct SigningKeyRecord {
    pub kid: String,
    pub instance_id: InstanceId,
    pub private_pkcs8_der: Vec<u8>,
    /// The key that signs new tokens; others are still published in JWKS until retired.
    pub active: bool,
    pub created_at: Millis,
}

impl std::fmt::Debug for SigningKeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyRecord")
            .field("kid", &self.kid)
            .field("active", &self.active)
            .finish()
    }
}

/// The public half as a JWK, RS256 / RSA.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicJwk {
    pub kid: String,
    pub n: String,
    pub e: String,
}

pub struct SigningKey {
    kid: String,
    pair: KeyPair,
    rng: SystemRandom,
    /// base64url of the JWT header, the same for every session token this key signs.
    header_b64: String,
    /// The header of a JWT template's token: another category.
    template_header_b64: String,
    m2m_header_b64: String,
    public_spki_der: Vec<u8>,
    jwk: PublicJwk,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish()
    }
}

impl SigningKey {
    pub fn generate(
        kid: &str,
        instance_id: &InstanceId,
        now: Millis,
    ) -> CoreResult<(Self, SigningKeyRecord)> {
        let pair =
            KeyPair::generate(KeySize::Rsa2048).map_err(|e| CoreError::Crypto(e.to_string()))?;
        let der =
            AsDer::<Pkcs8V1Der>::as_der(&pair).map_err(|e| CoreError::Crypto(e.to_string()))?;
        let record = SigningKeyRecord {
            kid: kid.to_owned(),
            instance_id: instance_id.clone(),
            private_pkcs8_der: der.as_ref().to_vec(),
            active: true,
            created_at: now,
        };
        Ok((Self::from_record(&record)?, record))
    }

    pub fn from_record(record: &SigningKeyRecord) -> CoreResult<Self> {
        let pair = KeyPair::from_pkcs8(&record.private_pkcs8_der)
            .map_err(|e| CoreError::Crypto(e.to_string()))?;
        if pair.public_modulus_len() != 256 {
            return Err(CoreError::Crypto("signing keys must be RSA-2048".into()));
        }
        let public = pair.public_key();
        let spki = AsDer::<PublicKeyX509Der>::as_der(public)
            .map_err(|e| CoreError::Crypto(e.to_string()))?;
        let components: PublicKeyComponents<Vec<u8>> = public.into();
        let jwk = PublicJwk {
            kid: record.kid.clone(),
            n: URL_SAFE_NO_PAD.encode(&components.n),
            e: URL_SAFE_NO_PAD.encode(&components.e),
        };
        let header = |category: &str| {
            serde_json::json!({
                "alg": "RS256",
                "cat": category,
                "kid": record.kid,
                "typ": "JWT",
            })
            .to_string()
        };
        Ok(Self {
            kid: record.kid.clone(),
            pair,
            rng: SystemRandom::new(),
            header_b64: URL_SAFE_NO_PAD.encode(header(SESSION_TOKEN_CATEGORY)),
            template_header_b64: URL_SAFE_NO_PAD.encode(header(JWT_TEMPLATE_CATEGORY)),
            m2m_header_b64: URL_SAFE_NO_PAD.encode(header(M2M_TOKEN_CATEGORY)),
            public_spki_der: spki.as_ref().to_vec(),
            jwk,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn jwk(&self) -> &PublicJwk {
        &self.jwk
    }

    /// The SPKI PEM (`-----BEGIN PUBLIC KEY-----`) that apps put in `CLERK_JWT_KEY`.
    pub fn public_pem(&self) -> String {
        let b64 = STANDARD.encode(&self.public_spki_der);
        let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(chunk));
            pem.push('\n');
        }
        pem.push_str("-----END PUBLIC KEY-----\n");
        pem
    }

    /// Signs `claims` (already serialised JSON) as a compact RS256 JWT under this key's header.
    pub fn sign_jwt(&self, claims_json: &[u8]) -> CoreResult<String> {
        self.sign_under(&self.header_b64, claims_json)
    }

    /// Signs a JWT template's claims: the template category in the header.
    pub fn sign_template_jwt(&self, claims_json: &[u8]) -> CoreResult<String> {
        self.sign_under(&self.template_header_b64, claims_json)
    }

    /// Signs an M2M token's claims: the M2M category in the header.
    pub fn sign_m2m_jwt(&self, claims_json: &[u8]) -> CoreResult<String> {
        self.sign_under(&self.m2m_header_b64, claims_json)
    }

    fn sign_under(&self, header_b64: &str, claims_json: &[u8]) -> CoreResult<String> {
        let payload_len = base64::encoded_len(claims_json.len(), false).unwrap_or(0);
        let mut token = String::with_capacity(header_b64.len() + payload_len + 350);
        token.push_str(header_b64);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(claims_json, &mut token);
        let mut sig = [0u8; 256];
        self.pair
            .sign(&RSA_PKCS1_SHA256, &self.rng, token.as_bytes(), &mut sig)
            .map_err(|e| CoreError::Crypto(e.to_string()))?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(sig, &mut token);
        Ok(token)
    }

    /// Signs raw bytes; the benchmark's reference for the machine's RS256 rate.
    pub fn sign_raw(&self, msg: &[u8]) -> CoreResult<[u8; 256]> {
        let mut sig = [0u8; 256];
        self.pair
            .sign(&RSA_PKCS1_SHA256, &self.rng, msg, &mut sig)
            .map_err(|e| CoreError::Crypto(e.to_string()))?;
        Ok(sig)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};

    #[test]
    fn signs_verifiable_rs256_with_2048_bit_key_and_e_65537() {
        let (key, record) =
            SigningKey::generate("ins_test", &InstanceId::from_stored("ins_test"), 0).unwrap();
        let again = SigningKey::from_record(&record).unwrap();
        assert_eq!(key.jwk(), again.jwk());
        assert_eq!(key.jwk().e, "AQAB");
        let pem = key.public_pem();
        // Clerk's SDK strips exactly this SPKI prefix from the PEM to find the modulus.
        assert!(pem.contains("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"));
        let jwt = key.sign_jwt(br#"{"sub":"user_1"}"#).unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "RS256");
        assert_eq!(header["kid"], "ins_test");
        assert_eq!(header["cat"], SESSION_TOKEN_CATEGORY);
        let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        let signed = format!("{}.{}", parts[0], parts[1]);
        UnparsedPublicKey::new(
            &RSA_PKCS1_2048_8192_SHA256,
            &key.public_spki_der_for_tests(),
        )
        .verify(signed.as_bytes(), &sig)
        .unwrap();
    }

    impl SigningKey {
        fn public_spki_der_for_tests(&self) -> Vec<u8> {
            // UnparsedPublicKey for RSA takes the RSAPublicKey DER, which follows the SPKI header.
            self.public_spki_der[24..].to_vec()
        }
    }
}
