//! RSA public keys, parsed once and held (aws-lc-rs `ParsedPublicKey`), from a PEM or a JWK.
//!
//! Only RSASSA-PKCS1-v1_5 verification exists in this crate, so `alg: none`, HMAC and any
//! "use the public key as an HMAC secret" confusion are impossible by construction: a token is
//! only ever checked with an RSA signature verification bound to the key's own algorithm.

use std::collections::HashMap;
use std::sync::Arc;

use aws_lc_rs::signature::{
    ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_2048_8192_SHA384,
    RSA_PKCS1_2048_8192_SHA512, RsaParameters, RsaPublicKeyComponents,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use crate::error::ConfigError;
use crate::jwt::B64URL_LOOSE;

/// The JWS algorithms a session token may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Alg {
    RS256,
    RS384,
    RS512,
}

impl Alg {
    pub fn parse(s: &str) -> Option<Alg> {
        match s {
            "RS256" => Some(Alg::RS256),
            "RS384" => Some(Alg::RS384),
            "RS512" => Some(Alg::RS512),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Alg::RS256 => "RS256",
            Alg::RS384 => "RS384",
            Alg::RS512 => "RS512",
        }
    }
    fn params(self) -> &'static RsaParameters {
        match self {
            Alg::RS256 => &RSA_PKCS1_2048_8192_SHA256,
            Alg::RS384 => &RSA_PKCS1_2048_8192_SHA384,
            Alg::RS512 => &RSA_PKCS1_2048_8192_SHA512,
        }
    }
    fn index(self) -> usize {
        match self {
            Alg::RS256 => 0,
            Alg::RS384 => 1,
            Alg::RS512 => 2,
        }
    }
    const ALL: [Alg; 3] = [Alg::RS256, Alg::RS384, Alg::RS512];
}

/// An RSA public key with the algorithms it may verify. Keys below 2048 bits never verify.
pub struct RsaKey {
    kid: Option<String>,
    /// One parsed key per allowed algorithm (`None` where the algorithm is not allowed).
    parsed: [Option<ParsedPublicKey>; 3],
}

impl std::fmt::Debug for RsaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let algs: Vec<&str> = Alg::ALL
            .iter()
            .filter(|a| self.parsed[a.index()].is_some())
            .map(|a| a.as_str())
            .collect();
        f.debug_struct("RsaKey")
            .field("kid", &self.kid)
            .field("algs", &algs)
            .finish()
    }
}

impl RsaKey {
    /// Parses an SPKI (`-----BEGIN PUBLIC KEY-----`) or PKCS#1 (`-----BEGIN RSA PUBLIC KEY-----`)
    /// PEM. Literal `\n` sequences (a PEM pasted into an environment variable) are accepted.
    /// The key verifies RS256 only, as Clerk's `jwtKey` does; see [`RsaKey::from_pem_with`].
    pub fn from_pem(pem: &str) -> Result<Self, ConfigError> {
        Self::from_pem_with(pem, None, &[Alg::RS256])
    }

    /// A PEM key with an optional `kid` (used to pick among several configured keys) and the
    /// algorithms it may verify.
    pub fn from_pem_with(pem: &str, kid: Option<&str>, algs: &[Alg]) -> Result<Self, ConfigError> {
        let normalized = pem.replace("\\n", "\n");
        let mut body = String::with_capacity(normalized.len());
        let mut in_block = false;
        let mut saw_block = false;
        for line in normalized.lines() {
            let line = line.trim();
            if line.starts_with("-----BEGIN ") {
                if !(line == "-----BEGIN PUBLIC KEY-----"
                    || line == "-----BEGIN RSA PUBLIC KEY-----")
                {
                    return Err(ConfigError::InvalidPem(format!(
                        "expected a PUBLIC KEY block, found {line:?}"
                    )));
                }
                in_block = true;
                saw_block = true;
                continue;
            }
            if line.starts_with("-----END ") {
                in_block = false;
                continue;
            }
            if in_block {
                body.push_str(line);
            }
        }
        if !saw_block {
            // A bare base64 SPKI (the PEM's body without its armour) is accepted too.
            body = normalized.split_whitespace().collect();
        }
        let der = STANDARD
            .decode(body.as_bytes())
            .map_err(|e| ConfigError::InvalidPem(format!("base64: {e}")))?;
        Self::from_der(&der, kid, algs)
    }

    /// A DER SubjectPublicKeyInfo or PKCS#1 RSAPublicKey.
    pub fn from_der(der: &[u8], kid: Option<&str>, algs: &[Alg]) -> Result<Self, ConfigError> {
        let mut parsed: [Option<ParsedPublicKey>; 3] = [None, None, None];
        for alg in algs {
            let key = ParsedPublicKey::new(alg.params(), der)
                .map_err(|e| ConfigError::InvalidPem(format!("not an RSA public key: {e}")))?;
            parsed[alg.index()] = Some(key);
        }
        if parsed.iter().all(Option::is_none) {
            return Err(ConfigError::InvalidPem("no algorithm allowed".into()));
        }
        Ok(Self {
            kid: kid.map(str::to_owned),
            parsed,
        })
    }

    /// An RSA JWK (`kty: RSA`, `n`, `e`). The JWK's `alg`, if any, is the only algorithm the key
    /// verifies; without one, RS256/384/512 are all allowed (as WebCrypto imports it).
    pub fn from_jwk(jwk: &Jwk) -> Result<Self, ConfigError> {
        if jwk.kty.as_deref() != Some("RSA") {
            return Err(ConfigError::InvalidJwk("kty is not RSA".into()));
        }
        if let Some(u) = &jwk.use_
            && u != "sig"
        {
            return Err(ConfigError::InvalidJwk("use is not sig".into()));
        }
        let algs: Vec<Alg> = match &jwk.alg {
            Some(a) => vec![
                Alg::parse(a)
                    .ok_or_else(|| ConfigError::InvalidJwk(format!("unsupported alg {a:?}")))?,
            ],
            None => Alg::ALL.to_vec(),
        };
        let (Some(n), Some(e)) = (&jwk.n, &jwk.e) else {
            return Err(ConfigError::InvalidJwk("missing n or e".into()));
        };
        let n = B64URL_LOOSE
            .decode(n)
            .map_err(|_| ConfigError::InvalidJwk("n is not base64url".into()))?;
        let e = B64URL_LOOSE
            .decode(e)
            .map_err(|_| ConfigError::InvalidJwk("e is not base64url".into()))?;
        let components = RsaPublicKeyComponents { n: &n, e: &e };
        let mut parsed: [Option<ParsedPublicKey>; 3] = [None, None, None];
        for alg in algs {
            let key = components
                .to_parsed_public_key(alg.params())
                .map_err(|e| ConfigError::InvalidJwk(format!("not a valid RSA key: {e}")))?;
            parsed[alg.index()] = Some(key);
        }
        Ok(Self {
            kid: jwk.kid.clone(),
            parsed,
        })
    }

    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    pub fn allows(&self, alg: Alg) -> bool {
        self.parsed[alg.index()].is_some()
    }

    /// Verifies an RSASSA-PKCS1-v1_5 signature; `false` when the algorithm is not this key's.
    pub fn verify(&self, alg: Alg, message: &[u8], signature: &[u8]) -> bool {
        match &self.parsed[alg.index()] {
            Some(k) => k.verify_sig(message, signature).is_ok(),
            None => false,
        }
    }
}

/// One entry of a JWKS, as served by `{api_url}/v1/jwks`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Jwk {
    #[serde(default)]
    pub kid: Option<String>,
    #[serde(default)]
    pub kty: Option<String>,
    #[serde(default)]
    pub alg: Option<String>,
    #[serde(default, rename = "use")]
    pub use_: Option<String>,
    #[serde(default)]
    pub n: Option<String>,
    #[serde(default)]
    pub e: Option<String>,
}

/// `{"keys": [...]}`. Entries that are not usable RSA signing keys are skipped.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct JwkSet {
    #[serde(default)]
    pub keys: Vec<serde_json::Value>,
}

/// Keys by `kid`, immutable once built (replaced whole on refresh).
#[derive(Debug, Default)]
pub(crate) struct KeySet {
    by_kid: HashMap<String, Arc<RsaKey>>,
}

impl KeySet {
    /// Builds a set from a JWKS document. Returns the set and how many entries were skipped.
    pub fn from_jwks(doc: &JwkSet) -> (Self, usize) {
        let mut by_kid = HashMap::new();
        let mut skipped = 0;
        for raw in &doc.keys {
            let Ok(jwk) = serde_json::from_value::<Jwk>(raw.clone()) else {
                skipped += 1;
                continue;
            };
            match (jwk.kid.clone(), RsaKey::from_jwk(&jwk)) {
                (Some(kid), Ok(key)) => {
                    by_kid.insert(kid, Arc::new(key));
                }
                _ => skipped += 1,
            }
        }
        (Self { by_kid }, skipped)
    }

    pub fn get(&self, kid: &str) -> Option<&Arc<RsaKey>> {
        self.by_kid.get(kid)
    }

    pub fn len(&self) -> usize {
        self.by_kid.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_kid.is_empty()
    }
}
