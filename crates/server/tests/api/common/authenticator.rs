//! A software WebAuthn authenticator: a P-256 key per credential, attestation (`none`) and
//! assertions built byte by byte as a browser hands them over, serialised as clerk-js does.

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

// ---- just enough CBOR -----------------------------------------------------------------------

fn head(major: u8, n: u64) -> Vec<u8> {
    let m = major << 5;
    match n {
        0..=23 => vec![m | n as u8],
        24..=0xff => vec![m | 24, n as u8],
        0x100..=0xffff => [vec![m | 25], (n as u16).to_be_bytes().to_vec()].concat(),
        _ => [vec![m | 26], (n as u32).to_be_bytes().to_vec()].concat(),
    }
}

fn int(i: i64) -> Vec<u8> {
    if i >= 0 {
        head(0, i as u64)
    } else {
        head(1, (-1 - i) as u64)
    }
}

fn bytes(b: &[u8]) -> Vec<u8> {
    [head(2, b.len() as u64), b.to_vec()].concat()
}

fn text(s: &str) -> Vec<u8> {
    [head(3, s.len() as u64), s.as_bytes().to_vec()].concat()
}

fn map(pairs: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut out = head(5, pairs.len() as u64);
    for (k, v) in pairs {
        out.extend_from_slice(k);
        out.extend_from_slice(v);
    }
    out
}

// ---- the authenticator ------------------------------------------------------------------------

/// What the page is and what the authenticator signs for; tests bend them to be refused.
#[derive(Clone)]
pub struct Page {
    pub origin: String,
    pub rp_id: String,
}

pub struct Credential {
    pub id: Vec<u8>,
    key: EcdsaKeyPair,
    pub user_handle: String,
    pub counter: u32,
}

/// `flags`: user present, user verified (and attested credential data when registering).
const UP_UV: u8 = 0x01 | 0x04;
const AT: u8 = 0x40;

fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
    json!({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false})
        .to_string()
        .into_bytes()
}

fn auth_data_head(rp_id: &str, flags: u8, counter: u32) -> Vec<u8> {
    [
        digest(&SHA256, rp_id.as_bytes()).as_ref().to_vec(),
        vec![flags],
        counter.to_be_bytes().to_vec(),
    ]
    .concat()
}

/// Creates a credential for the creation options `nonce` (the passkey verification's JSON) and
/// answers with the registration JSON clerk-js posts as `public_key_credential`.
pub fn register(nonce: &str, page: &Page) -> (Credential, String) {
    let options: Value = serde_json::from_str(nonce).unwrap();
    let challenge = options["challenge"].as_str().unwrap();
    let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap();
    let point = key.public_key().as_ref().to_vec();
    assert_eq!(point.len(), 65);
    let id: Vec<u8> = digest(&SHA256, &point).as_ref()[..16].to_vec();
    let cose = map(&[
        (int(1), int(2)),
        (int(3), int(-7)),
        (int(-1), int(1)),
        (int(-2), bytes(&point[1..33])),
        (int(-3), bytes(&point[33..65])),
    ]);
    let mut auth_data = auth_data_head(&page.rp_id, UP_UV | AT, 0);
    auth_data.extend_from_slice(&[0u8; 16]);
    auth_data.extend_from_slice(&(id.len() as u16).to_be_bytes());
    auth_data.extend_from_slice(&id);
    auth_data.extend_from_slice(&cose);
    let attestation = map(&[
        (text("fmt"), text("none")),
        (text("attStmt"), map(&[])),
        (text("authData"), bytes(&auth_data)),
    ]);
    let json = json!({
        "type": "public-key",
        "id": b64(&id),
        "rawId": b64(&id),
        "authenticatorAttachment": "platform",
        "response": {
            "clientDataJSON": b64(&client_data("webauthn.create", challenge, &page.origin)),
            "attestationObject": b64(&attestation),
            "transports": ["internal"],
        },
    });
    let user_handle = options["user"]["id"].as_str().unwrap().to_owned();
    let cred = Credential {
        id,
        key,
        user_handle,
        counter: 0,
    };
    (cred, json.to_string())
}

impl Credential {
    /// Signs the request options `nonce` (a sign-in's first factor verification), counting
    /// the use, and answers with the assertion JSON clerk-js posts.
    pub fn assert(&mut self, nonce: &str, page: &Page) -> String {
        let options: Value = serde_json::from_str(nonce).unwrap();
        let challenge = options["challenge"].as_str().unwrap();
        self.counter += 1;
        let auth_data = auth_data_head(&page.rp_id, UP_UV, self.counter);
        let client_data = client_data("webauthn.get", challenge, &page.origin);
        let signed = [
            auth_data.clone(),
            digest(&SHA256, &client_data).as_ref().to_vec(),
        ]
        .concat();
        let signature = self.key.sign(&SystemRandom::new(), &signed).unwrap();
        json!({
            "type": "public-key",
            "id": b64(&self.id),
            "rawId": b64(&self.id),
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": b64(&client_data),
                "authenticatorData": b64(&auth_data),
                "signature": b64(signature.as_ref()),
                "userHandle": self.user_handle,
            },
        })
        .to_string()
    }
}
