//! The reference figure: how fast this core signs RS256 with the server's own signing code
//! (`usher_core::signing_keys::SigningKey`, aws-lc-rs, RSA-2048 parsed once), one thread.

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::{Value, json};
use usher_core::signing_keys::SigningKey;

/// Roughly the size of a session token's signing input (`base64url(header).base64url(claims)`).
const MESSAGE_BYTES: usize = 300;

pub struct SignRate {
    pub signs: u64,
    pub seconds: f64,
}

impl SignRate {
    pub fn per_sec(&self) -> f64 {
        self.signs as f64 / self.seconds
    }

    pub fn to_json(&self) -> Value {
        json!({
            "signs_per_sec": self.per_sec(),
            "signs": self.signs,
            "seconds": self.seconds,
            "message_bytes": MESSAGE_BYTES,
            "code": "usher_core::signing_keys::SigningKey::sign_raw (aws-lc-rs RSA-2048 PKCS#1 v1.5 SHA-256)",
            "threads": 1,
        })
    }
}

pub fn measure(duration: Duration) -> Result<SignRate> {
    let (key, _) = SigningKey::generate(
        "bench",
        &usher_core::ids::InstanceId::from_stored("bench"),
        0,
    )?;
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let message: Vec<u8> = (0..MESSAGE_BYTES)
        .map(|i| {
            if i == 36 {
                b'.'
            } else {
                alphabet[(i * 7) % 64]
            }
        })
        .collect();
    for _ in 0..20 {
        black_box(key.sign_raw(black_box(&message))?);
    }
    let start = Instant::now();
    let mut signs = 0u64;
    while start.elapsed() < duration {
        black_box(key.sign_raw(black_box(&message))?);
        signs += 1;
    }
    Ok(SignRate {
        signs,
        seconds: start.elapsed().as_secs_f64(),
    })
}

pub fn from_json(v: &Value) -> Option<SignRate> {
    Some(SignRate {
        signs: v.get("signs")?.as_u64()?,
        seconds: v.get("seconds")?.as_f64()?,
    })
}
