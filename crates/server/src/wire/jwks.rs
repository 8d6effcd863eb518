use serde::Serialize;
use usher_core::signing_keys::PublicJwk;

#[derive(Debug, Serialize)]
pub struct JwkJson {
    #[serde(rename = "use")]
    pub use_: &'static str,
    pub kty: &'static str,
    pub kid: String,
    pub alg: &'static str,
    pub n: String,
    pub e: String,
}

impl From<&PublicJwk> for JwkJson {
    fn from(k: &PublicJwk) -> Self {
        Self {
            use_: "sig",
            kty: "RSA",
            kid: k.kid.clone(),
            alg: "RS256",
            n: k.n.clone(),
            e: k.e.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct JwksJson {
    pub keys: Vec<JwkJson>,
}
