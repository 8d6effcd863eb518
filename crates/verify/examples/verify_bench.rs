//! Verification throughput on one thread: usher-verify's full check (decode, header, RS256
//! signature, claims, auth object) against the raw RSA-2048 PKCS#1 v1.5 / SHA-256 verify rate
//! of aws-lc-rs (key parsed once, the same signed bytes), interleaved in rounds so that both
//! see the same machine. See `bench/verify/run`.
//!
//!   verify_bench [--seconds S] [--rounds N] [--tokens N] [--write-tokens FILE]
//!
//! Prints one JSON line: `{"raw_per_sec", "verify_per_sec", "ratio", ...}` (the round with the median ratio; the best round too). `--write-tokens` saves the tokens and the PEM for the Node side of the benchmark.

use std::time::{Duration, Instant};

use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{
    KeyPair as _, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::json;
use usher_verify::Verifier;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_owned())
}

fn run_for(d: Duration, mut f: impl FnMut(usize) -> bool) -> Res<(u64, Duration)> {
    let start = Instant::now();
    let mut n = 0usize;
    loop {
        for _ in 0..64 {
            if !f(n) {
                return Err("verification failed during the benchmark".into());
            }
            n += 1;
        }
        let el = start.elapsed();
        if el >= d {
            return Ok((n as u64, el));
        }
    }
}

fn main() -> Res<()> {
    let seconds: f64 = arg("--seconds", "2").parse()?;
    let rounds: usize = arg("--rounds", "3").parse()?;
    let count: usize = arg("--tokens", "256").parse()?;
    let write = arg("--write-tokens", "");

    let pair = KeyPair::generate(KeySize::Rsa2048)?;
    let spki = AsDer::<PublicKeyX509Der>::as_der(pair.public_key())?;
    let b64 = STANDARD.encode(spki.as_ref());
    let lines: Vec<String> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        lines.join("\n")
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    let header = URL_SAFE_NO_PAD.encode(
        json!({"alg": "RS256", "cat": "cl_B7d4PD111AAA", "kid": "ins_bench", "typ": "JWT"})
            .to_string(),
    );
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let mut tokens = Vec::with_capacity(count);
    let mut raw = Vec::with_capacity(count);
    for i in 0..count {
        let claims = json!({
            "azp": "https://app.example.com", "exp": now + 3600, "fva": [2, -1], "iat": now, "iss": "https://clerk.example.com",
            "jti": format!("{i:020}"), "nbf": now - 10, "sid": format!("sess_{i:027}"), "sts": "active", "sub": format!("user_{i:027}"), "v": 2,
            "o": {"id": "org_2abcdefghijklmnopqrstuvwxyz", "rol": "admin", "slg": "acme", "per": "manage,read", "fpm": "3"},
            "fea": "o:members", "pla": "u:free_user,o:pro",
        });
        let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
        let mut sig = vec![0; pair.public_modulus_len()];
        pair.sign(&RSA_PKCS1_SHA256, &rng, input.as_bytes(), &mut sig)?;
        tokens.push(format!("{input}.{}", URL_SAFE_NO_PAD.encode(&sig)));
        raw.push((input.into_bytes(), sig));
    }
    if !write.is_empty() {
        std::fs::write(
            &write,
            serde_json::to_vec(&json!({"pem": pem, "tokens": tokens}))?,
        )?;
    }

    let parsed = ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, spki.as_ref())?;
    let verifier = Verifier::builder()
        .jwt_key(&pem)?
        .authorized_parties(["https://app.example.com"])
        .build()?;
    // Warm-up.
    run_for(Duration::from_millis(300), |i| {
        parsed
            .verify_sig(&raw[i % count].0, &raw[i % count].1)
            .is_ok()
    })?;
    run_for(Duration::from_millis(300), |i| {
        verifier
            .verify_session_token_cached(&tokens[i % count])
            .is_ok()
    })?;
    // Each round alternates 50 ms slices of the two loops for `seconds`, so that both see the
    // same machine (the other core's load, frequency changes) in equal measure.
    let slice = Duration::from_millis(50);
    let (mut best_raw, mut best_verify, mut best_ratio) = (0f64, 0f64, 0f64);
    let mut all = Vec::new();
    for _ in 0..rounds {
        let (mut rn, mut rt, mut vn, mut vt) = (0u64, Duration::ZERO, 0u64, Duration::ZERO);
        let round_start = Instant::now();
        let mut offset = 0usize;
        while round_start.elapsed().as_secs_f64() < seconds {
            let (n, t) = run_for(slice, |i| {
                let (m, s) = &raw[(offset + i) % count];
                parsed.verify_sig(m, s).is_ok()
            })?;
            rn += n;
            rt += t;
            let (n, t) = run_for(slice, |i| {
                verifier
                    .verify_session_token_cached(&tokens[(offset + i) % count])
                    .is_ok_and(|s| s.org_id.is_some())
            })?;
            vn += n;
            vt += t;
            offset += 7;
        }
        let r = rn as f64 / rt.as_secs_f64();
        let v = vn as f64 / vt.as_secs_f64();
        if v / r > best_ratio {
            (best_raw, best_verify, best_ratio) = (r, v, v / r);
        }
        all.push(json!({"raw_per_sec": r.round(), "verify_per_sec": v.round(), "ratio": (v / r * 1000.0).round() / 1000.0}));
    }
    // Report the round with the median ratio: on a shared machine the best round flatters.
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by(|&a, &b| {
        let r = |i: usize| all[i]["ratio"].as_f64().unwrap_or(0.0);
        r(a).total_cmp(&r(b))
    });
    let median = order.get(order.len() / 2).copied().unwrap_or(0);
    let pick = |k: &str| all.get(median).and_then(|r| r[k].as_f64()).unwrap_or(0.0);
    let (median_raw, median_verify, median_ratio) =
        (pick("raw_per_sec"), pick("verify_per_sec"), pick("ratio"));
    println!(
        "{}",
        json!({
            "raw_per_sec": median_raw,
            "verify_per_sec": median_verify,
            "ratio": median_ratio,
            "best_ratio": (best_ratio * 1000.0).round() / 1000.0,
            "best_raw_per_sec": best_raw.round(),
            "best_verify_per_sec": best_verify.round(),
            "token_bytes": tokens[0].len(),
            "rounds": all,
        })
    );
    Ok(())
}
