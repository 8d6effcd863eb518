//! The ID token's checks (OpenID Connect Core §3.1.3.7): signed with one of the provider's
//! published keys by an asymmetric algorithm (RS256/384/512, ES256) — never `none`, never an
//! HMAC, which would let the public key act as a shared secret — issued by the provider, for
//! this client, not expired, echoing the nonce of the request.

use aws_lc_rs::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use super::provider::ProviderEndpoints;
use crate::clock::Millis;

/// Clock skew allowed on `exp` and `iat`.
pub const LEEWAY_SECS: i64 = 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdTokenError {
    #[error("the ID token is malformed")]
    Malformed,
    #[error("the ID token's algorithm {0:?} is not accepted")]
    Algorithm(String),
    #[error("no published key verifies the ID token")]
    Signature,
    #[error("the ID token was issued by someone else")]
    Issuer,
    #[error("the ID token is for another client")]
    Audience,
    #[error("the ID token has expired")]
    Expired,
    #[error("the ID token does not carry the request's nonce")]
    Nonce,
}

/// One key of a JSON Web Key Set, as published.
#[derive(Debug, Clone, Deserialize)]
pub struct Jwk {
    pub kty: String,
    #[serde(default)]
    pub kid: Option<String>,
    #[serde(default)]
    pub alg: Option<String>,
    #[serde(default, rename = "use")]
    pub use_: Option<String>,
    #[serde(default)]
    pub n: Option<String>,
    #[serde(default)]
    pub e: Option<String>,
    #[serde(default)]
    pub crv: Option<String>,
    #[serde(default)]
    pub x: Option<String>,
    #[serde(default)]
    pub y: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

fn b64(s: &str) -> Result<Vec<u8>, IdTokenError> {
    URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map_err(|_| IdTokenError::Malformed)
}

fn key_verifies(key: &Jwk, alg: &str, message: &[u8], sig: &[u8]) -> bool {
    if key.use_.as_deref().is_some_and(|u| u != "sig") {
        return false;
    }
    if key.alg.as_deref().is_some_and(|a| a != alg) {
        return false;
    }
    match (alg, key.kty.as_str()) {
        ("RS256" | "RS384" | "RS512", "RSA") => {
            let (Some(n), Some(e)) = (key.n.as_deref(), key.e.as_deref()) else {
                return false;
            };
            let (Ok(n), Ok(e)) = (b64(n), b64(e)) else {
                return false;
            };
            let params = match alg {
                "RS256" => &signature::RSA_PKCS1_2048_8192_SHA256,
                "RS384" => &signature::RSA_PKCS1_2048_8192_SHA384,
                _ => &signature::RSA_PKCS1_2048_8192_SHA512,
            };
            RsaPublicKeyComponents { n: &n, e: &e }
                .verify(params, message, sig)
                .is_ok()
        }
        ("ES256", "EC") if key.crv.as_deref() == Some("P-256") => {
            let (Some(x), Some(y)) = (key.x.as_deref(), key.y.as_deref()) else {
                return false;
            };
            let (Ok(x), Ok(y)) = (b64(x), b64(y)) else {
                return false;
            };
            if x.len() != 32 || y.len() != 32 {
                return false;
            }
            let mut point = Vec::with_capacity(65);
            point.push(4);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                .verify(message, sig)
                .is_ok()
        }
        _ => false,
    }
}

/// The verified claims of `token`, or why it is refused.
pub fn verify_id_token(
    token: &str,
    jwks: &Jwks,
    endpoints: &ProviderEndpoints,
    client_id: &str,
    nonce: &str,
    now: Millis,
) -> Result<Map<String, Value>, IdTokenError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(IdTokenError::Malformed);
    };
    let header: Map<String, Value> =
        serde_json::from_slice(&b64(h)?).map_err(|_| IdTokenError::Malformed)?;
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or(IdTokenError::Malformed)?;
    if !matches!(alg, "RS256" | "RS384" | "RS512" | "ES256") {
        return Err(IdTokenError::Algorithm(alg.to_owned()));
    }
    if header.contains_key("crit") {
        return Err(IdTokenError::Malformed);
    }
    let kid = header.get("kid").and_then(Value::as_str);
    let sig = b64(s)?;
    let message = format!("{h}.{p}");
    let verified = jwks
        .keys
        .iter()
        .filter(|k| kid.is_none() || k.kid.as_deref() == kid)
        .any(|k| key_verifies(k, alg, message.as_bytes(), &sig));
    if !verified {
        return Err(IdTokenError::Signature);
    }
    let claims: Map<String, Value> =
        serde_json::from_slice(&b64(p)?).map_err(|_| IdTokenError::Malformed)?;
    let iss = claims
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let tid = claims.get("tid").and_then(Value::as_str);
    if !endpoints.issuer_matches(iss, tid) {
        return Err(IdTokenError::Issuer);
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == client_id,
        Some(Value::Array(list)) => {
            list.iter().any(|a| a.as_str() == Some(client_id))
                && (list.len() == 1 || claims.get("azp").and_then(Value::as_str) == Some(client_id))
        }
        _ => false,
    };
    if !aud_ok {
        return Err(IdTokenError::Audience);
    }
    let now_secs = now / 1000;
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or(IdTokenError::Expired)?;
    if now_secs > exp + LEEWAY_SECS {
        return Err(IdTokenError::Expired);
    }
    if claims
        .get("iat")
        .and_then(Value::as_i64)
        .is_some_and(|iat| iat > now_secs + LEEWAY_SECS)
    {
        return Err(IdTokenError::Expired);
    }
    let echoed = claims
        .get("nonce")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !bool::from(echoed.as_bytes().ct_eq(nonce.as_bytes())) || nonce.is_empty() {
        return Err(IdTokenError::Nonce);
    }
    Ok(claims)
}

/// Signing ID tokens with a test key, for this crate's tests and the server's.
#[allow(clippy::expect_used)]
pub mod testing {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::rsa::{KeySize, PrivateDecryptingKey};
    use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::{Value, json};

    /// An RSA key that signs RS256 tokens and publishes itself as a JWK.
    pub struct TestKey {
        pair: RsaKeyPair,
        pub kid: String,
    }

    impl TestKey {
        pub fn generate(kid: &str) -> Self {
            let private = PrivateDecryptingKey::generate(KeySize::Rsa2048).expect("rsa key");
            let der = private.as_der().expect("der");
            let pair = RsaKeyPair::from_pkcs8(der.as_ref()).expect("pkcs8");
            Self {
                pair,
                kid: kid.to_owned(),
            }
        }

        /// The public key as a JWK (`n`, `e` from the DER-encoded `RSAPublicKey`).
        pub fn jwk(&self) -> Value {
            let der = self.pair.public_key().as_ref();
            let (n, e) = rsa_public_components(der);
            json!({
                "kty": "RSA", "kid": self.kid, "alg": "RS256", "use": "sig",
                "n": URL_SAFE_NO_PAD.encode(n), "e": URL_SAFE_NO_PAD.encode(e),
            })
        }

        pub fn jwks(&self) -> Value {
            json!({ "keys": [self.jwk()] })
        }

        /// `claims` signed RS256 under this key's kid.
        pub fn sign(&self, claims: &Value) -> String {
            let header = json!({"alg": "RS256", "typ": "JWT", "kid": self.kid});
            let input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(claims.to_string())
            );
            let mut sig = vec![0; self.pair.public_modulus_len()];
            self.pair
                .sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    input.as_bytes(),
                    &mut sig,
                )
                .expect("sign");
            format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
        }
    }

    /// An unsigned token (`alg: none`).
    pub fn unsigned(claims: &Value) -> String {
        let header = json!({"alg": "none", "typ": "JWT"});
        format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        )
    }

    /// A token "signed" HS256 with `secret` as the HMAC key — the key-confusion attack, where
    /// the secret is the provider's public key.
    pub fn hs256(claims: &Value, kid: &str, secret: &[u8]) -> String {
        use aws_lc_rs::hmac;
        let header = json!({"alg": "HS256", "typ": "JWT", "kid": kid});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
    }

    /// `n` and `e` of a DER `RSAPublicKey` (SEQUENCE { INTEGER n, INTEGER e }).
    fn rsa_public_components(der: &[u8]) -> (Vec<u8>, Vec<u8>) {
        fn read(der: &[u8], at: usize) -> (usize, usize) {
            let first = der[at + 1] as usize;
            if first < 0x80 {
                (at + 2, first)
            } else {
                let n = first & 0x7f;
                let len = der[at + 2..at + 2 + n]
                    .iter()
                    .fold(0usize, |acc, b| (acc << 8) | *b as usize);
                (at + 2 + n, len)
            }
        }
        let (body, _) = read(der, 0);
        let (n_at, n_len) = read(der, body);
        let (e_at, e_len) = read(der, n_at + n_len);
        let strip = |b: &[u8]| {
            b.iter()
                .skip_while(|x| **x == 0)
                .copied()
                .collect::<Vec<_>>()
        };
        (
            strip(&der[n_at..n_at + n_len]),
            strip(&der[e_at..e_at + e_len]),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{TestKey, hs256, unsigned};
    use super::*;
    use serde_json::json;

    const NOW: Millis = 1_700_000_000_000;

    fn endpoints() -> ProviderEndpoints {
        ProviderEndpoints {
            issuer: Some("http://127.0.0.1:4000".into()),
            authorization_endpoint: "http://127.0.0.1:4000/auth".into(),
            token_endpoint: "http://127.0.0.1:4000/token".into(),
            userinfo_endpoint: None,
            jwks_uri: Some("http://127.0.0.1:4000/jwks".into()),
        }
    }

    fn claims() -> Value {
        json!({
            "iss": "http://127.0.0.1:4000", "aud": "cid", "sub": "u1",
            "exp": NOW / 1000 + 300, "iat": NOW / 1000, "nonce": "n-1",
            "email": "a@example.com", "email_verified": true,
        })
    }

    fn check(key: &TestKey, token: &str) -> Result<Map<String, Value>, IdTokenError> {
        let jwks: Jwks = serde_json::from_value(key.jwks()).unwrap();
        verify_id_token(token, &jwks, &endpoints(), "cid", "n-1", NOW)
    }

    #[test]
    fn a_good_token_verifies_and_every_check_bites() {
        let key = TestKey::generate("k1");
        let c = check(&key, &key.sign(&claims())).unwrap();
        assert_eq!(c["sub"], "u1");
        let with = |k: &str, v: Value| {
            let mut c = claims();
            c[k] = v;
            key.sign(&c)
        };
        assert_eq!(
            check(&key, &with("iss", json!("http://evil"))),
            Err(IdTokenError::Issuer)
        );
        assert_eq!(
            check(&key, &with("aud", json!("other"))),
            Err(IdTokenError::Audience)
        );
        assert_eq!(
            check(&key, &with("aud", json!(["cid", "other"]))),
            Err(IdTokenError::Audience)
        );
        assert_eq!(
            check(&key, &with("exp", json!(NOW / 1000 - 120))),
            Err(IdTokenError::Expired)
        );
        assert_eq!(
            check(&key, &with("nonce", json!("n-2"))),
            Err(IdTokenError::Nonce)
        );
        let mut no_nonce = claims();
        no_nonce.as_object_mut().unwrap().remove("nonce");
        assert_eq!(check(&key, &key.sign(&no_nonce)), Err(IdTokenError::Nonce));
    }

    #[test]
    fn another_key_none_and_hmac_are_refused() {
        let key = TestKey::generate("k1");
        let other = TestKey::generate("k1");
        assert_eq!(
            check(&key, &other.sign(&claims())),
            Err(IdTokenError::Signature)
        );
        assert_eq!(
            check(&key, &unsigned(&claims())),
            Err(IdTokenError::Algorithm("none".into()))
        );
        // HS256 keyed with the public key's own JSON: refused for its algorithm.
        let public = key.jwk().to_string();
        assert_eq!(
            check(&key, &hs256(&claims(), "k1", public.as_bytes())),
            Err(IdTokenError::Algorithm("HS256".into()))
        );
        let token = key.sign(&claims());
        let mut tampered = token.clone();
        tampered.push('A');
        assert!(check(&key, &tampered).is_err());
        assert_eq!(check(&key, "a.b"), Err(IdTokenError::Malformed));
    }
}
