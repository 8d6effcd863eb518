//! A session token presented as a bearer (`Authorization: Bearer <jwt>`), as clerk-js sends it to
//! the Frontend API routes that are not under `/v1/client` (its API keys calls): checked against
//! the instance's own signing keys, its lifetime, and then the session it names (the caller reads
//! that). Only what those routes need is read from the claims.

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use crate::clock::Millis;
use crate::ids::SessionId;
use crate::signing_keys::SigningKey;

/// Clock skew allowed on `exp` and `nbf`, as `@clerk/backend` allows by default.
const SKEW_MS: Millis = 5_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerSession {
    pub session_id: SessionId,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

#[derive(Deserialize)]
struct Claims {
    sid: String,
    exp: i64,
    #[serde(default)]
    nbf: Option<i64>,
}

/// The session a valid, unexpired token signed by one of `keys` names; `None` for anything else.
pub fn verify<'k>(
    keys: impl IntoIterator<Item = &'k SigningKey>,
    token: &str,
    now: Millis,
) -> Option<BearerSession> {
    let mut parts = token.split('.');
    let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Header = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
    if header.alg != "RS256" {
        return None;
    }
    let sig = URL_SAFE_NO_PAD.decode(s).ok()?;
    let signed = &token[..h.len() + 1 + p.len()];
    let key = keys
        .into_iter()
        .find(|k| header.kid.as_deref() == Some(k.kid()))?;
    let jwk = key.jwk();
    let n = URL_SAFE_NO_PAD.decode(&jwk.n).ok()?;
    let e = URL_SAFE_NO_PAD.decode(&jwk.e).ok()?;
    RsaPublicKeyComponents { n, e }
        .verify(&RSA_PKCS1_2048_8192_SHA256, signed.as_bytes(), &sig)
        .ok()?;
    let claims: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()?;
    if claims.exp * 1000 + SKEW_MS <= now
        || claims.nbf.is_some_and(|nbf| nbf * 1000 > now + SKEW_MS)
    {
        return None;
    }
    Some(BearerSession {
        session_id: SessionId::parse(&claims.sid).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::InstanceId;

    fn token(key: &SigningKey, sid: &str, exp: i64) -> String {
        let claims = serde_json::json!({"sid": sid, "exp": exp, "nbf": exp - 60, "sub": "user_x"});
        key.sign_jwt(claims.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn accepts_its_own_unexpired_tokens_only() {
        let ins = InstanceId::new();
        let (key, _) = SigningKey::generate("k1", &ins, 0).unwrap();
        let (other, _) = SigningKey::generate("k1", &ins, 0).unwrap();
        let sid = SessionId::new();
        let t = token(&key, &sid, 1_000);
        assert_eq!(verify([&key], &t, 999_000).unwrap().session_id, sid);
        assert!(verify([&key], &t, 1_006_000).is_none(), "expired");
        assert!(verify([&key], &t, 900_000).is_none(), "not yet valid");
        assert!(
            verify([&other], &t, 999_000).is_none(),
            "another key with the same kid"
        );
        let mut forged = t.clone();
        forged.pop();
        forged.push(if t.ends_with('A') { 'B' } else { 'A' });
        assert!(verify([&key], &forged, 999_000).is_none());
        assert!(verify([&key], "a.b", 0).is_none());
        assert!(verify([&key], "ak_secret", 0).is_none());
    }
}
