//! Test helpers: an RSA key that signs arbitrary tokens, and Usher started in-process.
#![allow(dead_code)]

use std::sync::Arc;

use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256, RSA_PKCS1_SHA384};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

pub const SECRET: &str = "sk_test_0123456789abcdefghijABCDEFGHIJ0123456789";

pub fn b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// An RSA-2048 key that signs whatever it is asked to.
pub struct TestKey {
    pair: KeyPair,
    pub kid: String,
}

impl TestKey {
    pub fn new(kid: &str) -> Self {
        Self {
            pair: KeyPair::generate(KeySize::Rsa2048).unwrap(),
            kid: kid.into(),
        }
    }

    pub fn spki_der(&self) -> Vec<u8> {
        AsDer::<PublicKeyX509Der>::as_der(self.pair.public_key())
            .unwrap()
            .as_ref()
            .to_vec()
    }

    pub fn pem(&self) -> String {
        let b = STANDARD.encode(self.spki_der());
        let lines: Vec<&str> = b
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        )
    }

    /// Signs `header.payload` with RS256 (or RS384 when the header says so).
    pub fn sign_raw(&self, header: &Value, payload: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(payload.to_string().as_bytes())
        );
        let alg = if header["alg"] == "RS384" {
            &RSA_PKCS1_SHA384
        } else {
            &RSA_PKCS1_SHA256
        };
        let mut sig = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                alg,
                &aws_lc_rs::rand::SystemRandom::new(),
                input.as_bytes(),
                &mut sig,
            )
            .unwrap();
        format!("{input}.{}", b64(&sig))
    }

    /// A session-token header for this key.
    pub fn header(&self) -> Value {
        json!({"alg": "RS256", "kid": self.kid, "typ": "JWT", "cat": "cl_B7d4PD111AAA"})
    }

    pub fn sign(&self, payload: &Value) -> String {
        self.sign_raw(&self.header(), payload)
    }
}

/// Clerk v2 session claims at `now` (seconds).
pub fn claims(now: i64) -> Value {
    json!({
        "azp": "http://localhost:3000",
        "exp": now + 60,
        "fva": [0, -1],
        "iat": now,
        "iss": "https://clerk.example.com",
        "jti": "abc123",
        "nbf": now - 10,
        "sid": "sess_2abc",
        "sts": "active",
        "sub": "user_2abc",
        "v": 2,
        "o": {"id": "org_2abc", "rol": "admin", "slg": "acme", "per": "manage,read", "fpm": "3"},
        "fea": "o:members",
        "pla": "u:free_user,o:pro",
    })
}

pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Re-signs nothing: replaces the header of a token, keeping its payload and signature.
pub fn with_header(token: &str, header: &Value) -> String {
    let mut parts = token.splitn(3, '.');
    let _ = parts.next();
    let p = parts.next().unwrap();
    let s = parts.next().unwrap();
    format!("{}.{p}.{s}", b64(header.to_string().as_bytes()))
}

/// Replaces the payload, keeping header and signature (a tampered token).
pub fn with_payload(token: &str, payload: &Value) -> String {
    let mut parts = token.splitn(3, '.');
    let h = parts.next().unwrap();
    let _ = parts.next();
    let s = parts.next().unwrap();
    format!("{h}.{}.{s}", b64(payload.to_string().as_bytes()))
}

pub fn decode_part(token: &str, i: usize) -> Value {
    let part = token.split('.').nth(i).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// HS256 over `header.payload` with `secret` (the alg-confusion attack: the public key as an
/// HMAC secret).
pub fn hs256(header: &Value, payload: &Value, secret: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
    let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
    format!("{input}.{}", b64(tag.as_ref()))
}

/// Usher, started in-process on loopback ports with a fresh SQLite file.
pub struct Usher {
    pub running: Option<usher_server::Running>,
    pub api_url: String,
    pub frontend_url: String,
    pub publishable_key: String,
    pub pem: String,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
}

pub async fn spawn_usher_with(
    clock: Arc<dyn usher_core::clock::Clock>,
    tweak: impl FnOnce(&mut usher_server::config::ServerConfig),
) -> Usher {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = usher_server::config::ServerConfig::with_data_dir(dir.path());
    cfg.api_addr = "127.0.0.1:0".parse().unwrap();
    cfg.frontend_addr = "127.0.0.1:0".parse().unwrap();
    cfg.secret_key = Some(SECRET.into());
    cfg.hasher_workers = Some(1);
    tweak(&mut cfg);
    let running = usher_server::start_with_clock(cfg, clock).await.unwrap();
    Usher {
        api_url: format!("http://{}", running.api_addr),
        frontend_url: format!("http://{}", running.frontend_addr),
        publishable_key: running.boot.publishable_key.clone(),
        pem: running.boot.public_pem.clone(),
        running: Some(running),
        dir,
        http: reqwest::Client::new(),
    }
}

/// A verifier for `u`'s tokens with `secret_key` and no machine-token caching: each check
/// reaches Usher, so a revocation is seen at once.
pub fn uncached_verifier(u: &Usher, secret_key: &str) -> usher_verify::VerifierBuilder {
    usher_verify::Verifier::builder()
        .jwt_key(&u.pem)
        .unwrap()
        .secret_key(secret_key)
        .api_url(&u.api_url)
        .machine_settings(usher_verify::MachineSettings {
            positive_ttl: std::time::Duration::ZERO,
            negative_ttl: std::time::Duration::ZERO,
            ..usher_verify::MachineSettings::default()
        })
}

pub async fn spawn_usher() -> Usher {
    spawn_usher_with(Arc::new(usher_core::clock::SystemClock), |_| {}).await
}

impl Usher {
    pub async fn post(&self, path: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}{path}", self.api_url))
            .bearer_auth(SECRET)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {v}");
        v
    }

    /// A new user with a session; returns the session id.
    pub async fn session(&self) -> String {
        let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let email = format!("u{n}-{}@verify.test", std::process::id());
        let user = self
            .post(
                "/v1/users",
                json!({"email_address": [email], "password": "correct-horse-9"}),
            )
            .await;
        let s = self
            .post("/v1/sessions", json!({"user_id": user["id"]}))
            .await;
        s["id"].as_str().unwrap().to_owned()
    }

    /// A session token minted by the Backend API.
    pub async fn mint(&self, sid: &str) -> String {
        let t = self
            .post(&format!("/v1/sessions/{sid}/tokens"), json!({}))
            .await;
        t["jwt"].as_str().unwrap().to_owned()
    }

    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await.unwrap();
        }
    }
}

static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
