//! A software authenticator for the ceremonies' tests: P-256, Ed25519 and RSA keys made in the
//! test, registrations (`none` or `packed` self attestation) and assertions built byte by byte
//! as a browser hands them over, each part bendable to be refused.

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RSA_PKCS1_SHA256,
    RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

// ---- just enough CBOR to write ----------------------------------------------------------------

fn head(major: u8, n: u64) -> Vec<u8> {
    let m = major << 5;
    match n {
        0..=23 => vec![m | n as u8],
        24..=0xff => vec![m | 24, n as u8],
        0x100..=0xffff => [vec![m | 25], (n as u16).to_be_bytes().to_vec()].concat(),
        _ => [vec![m | 26], (n as u32).to_be_bytes().to_vec()].concat(),
    }
}

pub fn int(i: i64) -> Vec<u8> {
    if i >= 0 {
        head(0, i as u64)
    } else {
        head(1, (-1 - i) as u64)
    }
}

pub fn bytes(b: &[u8]) -> Vec<u8> {
    [head(2, b.len() as u64), b.to_vec()].concat()
}

pub fn text(s: &str) -> Vec<u8> {
    [head(3, s.len() as u64), s.as_bytes().to_vec()].concat()
}

pub fn map(pairs: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut out = head(5, pairs.len() as u64);
    for (k, v) in pairs {
        out.extend_from_slice(k);
        out.extend_from_slice(v);
    }
    out
}

// ---- the authenticator ------------------------------------------------------------------------

pub enum Key {
    P256(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Rsa(RsaKeyPair),
}

impl Key {
    pub fn p256() -> Self {
        Key::P256(EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).unwrap())
    }

    pub fn ed25519() -> Self {
        Key::Ed25519(Ed25519KeyPair::generate().unwrap())
    }

    pub fn rsa() -> Self {
        Key::Rsa(RsaKeyPair::generate(KeySize::Rsa2048).unwrap())
    }

    pub fn p256_from_pkcs8(der: &[u8]) -> Self {
        Key::P256(EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, der).unwrap())
    }

    /// The COSE_Key of the public key, with `alg` as given.
    pub fn cose(&self, alg: i64) -> Vec<u8> {
        match self {
            Key::P256(k) => {
                let point = k.public_key().as_ref();
                map(&[
                    (int(1), int(2)),
                    (int(3), int(alg)),
                    (int(-1), int(1)),
                    (int(-2), bytes(&point[1..33])),
                    (int(-3), bytes(&point[33..65])),
                ])
            }
            Key::Ed25519(k) => map(&[
                (int(1), int(1)),
                (int(3), int(alg)),
                (int(-1), int(6)),
                (int(-2), bytes(k.public_key().as_ref())),
            ]),
            Key::Rsa(k) => {
                let public = k.public_key();
                map(&[
                    (int(1), int(3)),
                    (int(3), int(alg)),
                    (
                        int(-1),
                        bytes(public.modulus().big_endian_without_leading_zero()),
                    ),
                    (
                        int(-2),
                        bytes(public.exponent().big_endian_without_leading_zero()),
                    ),
                ])
            }
        }
    }

    pub fn alg(&self) -> i64 {
        match self {
            Key::P256(_) => -7,
            Key::Ed25519(_) => -8,
            Key::Rsa(_) => -257,
        }
    }

    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        match self {
            Key::P256(k) => k.sign(&SystemRandom::new(), msg).unwrap().as_ref().to_vec(),
            Key::Ed25519(k) => k.sign(msg).as_ref().to_vec(),
            Key::Rsa(k) => {
                let mut sig = vec![0u8; k.public_modulus_len()];
                k.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), msg, &mut sig)
                    .unwrap();
                sig
            }
        }
    }
}

/// What the page is and what the authenticator signs; tests bend them to be refused.
#[derive(Clone)]
pub struct Answer {
    pub kind: String,
    pub origin: String,
    pub rp_id: String,
    pub flags: u8,
    pub challenge: Option<String>,
    pub cross_origin: bool,
}

pub const UP: u8 = 0x01;
pub const UV: u8 = 0x04;
pub const AT: u8 = 0x40;

impl Answer {
    pub fn to(origin: &str, rp_id: &str) -> Self {
        Self {
            kind: String::new(),
            origin: origin.into(),
            rp_id: rp_id.into(),
            flags: UP | UV,
            challenge: None,
            cross_origin: false,
        }
    }

    fn client_data(&self, kind: &str, challenge: &str) -> Vec<u8> {
        let kind = if self.kind.is_empty() {
            kind
        } else {
            &self.kind
        };
        let challenge = self.challenge.as_deref().unwrap_or(challenge);
        json!({"type": kind, "challenge": challenge, "origin": self.origin,
               "crossOrigin": self.cross_origin})
        .to_string()
        .into_bytes()
    }

    fn auth_data_head(&self, flags: u8, counter: u32) -> Vec<u8> {
        [
            digest(&SHA256, self.rp_id.as_bytes()).as_ref().to_vec(),
            vec![flags],
            counter.to_be_bytes().to_vec(),
        ]
        .concat()
    }
}

pub struct Credential {
    pub id: Vec<u8>,
    pub key: Key,
    pub user_handle: String,
    pub counter: u32,
}

/// The parts of a registration, before they are put together as clerk-js posts them.
pub struct Registration {
    pub client_data: Vec<u8>,
    pub auth_data: Vec<u8>,
    pub fmt: String,
    pub att_stmt: Vec<u8>,
}

impl Registration {
    pub fn attestation_object(&self) -> Vec<u8> {
        map(&[
            (text("fmt"), text(&self.fmt)),
            (text("attStmt"), self.att_stmt.clone()),
            (text("authData"), bytes(&self.auth_data)),
        ])
    }

    pub fn json_with(&self, id: &[u8], attestation_object: &[u8]) -> String {
        json!({
            "type": "public-key",
            "id": b64(id),
            "rawId": b64(id),
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": b64(&self.client_data),
                "attestationObject": b64(attestation_object),
                "transports": ["internal", "hybrid"],
            },
            "clientExtensionResults": {},
        })
        .to_string()
    }
}

/// The parts of a registration for the creation options `options`, with `key` and `cose`
/// (its COSE key, possibly bent), `none` attestation.
pub fn registration(
    options: &str,
    answer: &Answer,
    key: &Key,
    cose: &[u8],
) -> (Vec<u8>, Registration) {
    let options: Value = serde_json::from_str(options).unwrap();
    let challenge = options["challenge"].as_str().unwrap();
    let id: Vec<u8> = digest(&SHA256, cose).as_ref()[..16].to_vec();
    let mut auth_data = answer.auth_data_head(answer.flags | AT, 0);
    auth_data.extend_from_slice(&[7u8; 16]);
    auth_data.extend_from_slice(&(id.len() as u16).to_be_bytes());
    auth_data.extend_from_slice(&id);
    auth_data.extend_from_slice(cose);
    let _ = key;
    let reg = Registration {
        client_data: answer.client_data("webauthn.create", challenge),
        auth_data,
        fmt: "none".into(),
        att_stmt: map(&[]),
    };
    (id, reg)
}

/// Registers a new credential of `key` for `options`: the credential and the JSON answer.
pub fn register(options: &str, answer: &Answer, key: Key) -> (Credential, String) {
    let cose = key.cose(key.alg());
    let (id, reg) = registration(options, answer, &key, &cose);
    let json = reg.json_with(&id, &reg.attestation_object());
    let user_handle = serde_json::from_str::<Value>(options).unwrap()["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cred = Credential {
        id,
        key,
        user_handle,
        counter: 0,
    };
    (cred, json)
}

/// `packed` self attestation: the statement signed by the credential's own key.
pub fn self_attest(reg: &mut Registration, key: &Key) {
    let signed = [
        reg.auth_data.clone(),
        digest(&SHA256, &reg.client_data).as_ref().to_vec(),
    ]
    .concat();
    reg.fmt = "packed".into();
    reg.att_stmt = map(&[
        (text("alg"), int(key.alg())),
        (text("sig"), bytes(&key.sign(&signed))),
    ]);
}

/// The parts of an assertion.
pub struct Assertion {
    pub client_data: Vec<u8>,
    pub auth_data: Vec<u8>,
    pub signature: Vec<u8>,
}

impl Credential {
    /// Signs the request options `options`, counting the use.
    pub fn assertion(&mut self, options: &str, answer: &Answer) -> Assertion {
        let options: Value = serde_json::from_str(options).unwrap();
        let challenge = options["challenge"].as_str().unwrap();
        self.counter += 1;
        let auth_data = answer.auth_data_head(answer.flags, self.counter);
        let client_data = answer.client_data("webauthn.get", challenge);
        let signed = [
            auth_data.clone(),
            digest(&SHA256, &client_data).as_ref().to_vec(),
        ]
        .concat();
        let signature = self.key.sign(&signed);
        Assertion {
            client_data,
            auth_data,
            signature,
        }
    }

    pub fn json(&self, a: &Assertion) -> String {
        json!({
            "type": "public-key",
            "id": b64(&self.id),
            "rawId": b64(&self.id),
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": b64(&a.client_data),
                "authenticatorData": b64(&a.auth_data),
                "signature": b64(&a.signature),
                "userHandle": self.user_handle,
            },
            "clientExtensionResults": {},
        })
        .to_string()
    }

    pub fn assert(&mut self, options: &str, answer: &Answer) -> String {
        let a = self.assertion(options, answer);
        self.json(&a)
    }
}
