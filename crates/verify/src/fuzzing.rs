//! Entry points for the fuzz targets (`crates/verify/fuzz`) and for the stable replay test
//! (`tests/verify/fuzz_replay.rs`). Each takes arbitrary bytes and must never panic.

use std::sync::{Arc, OnceLock};

use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};

use crate::{Authenticator, FixedClock, OrganizationSync, RouteMatcher, Verifier, Webhook};

struct Fixture {
    rt: tokio::runtime::Runtime,
    signer: aws_lc_rs::rsa::KeyPair,
    auth: Authenticator,
    matcher: RouteMatcher,
    sync: OrganizationSync,
    webhook: Webhook,
}

fn fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        // A key made for this process: fuzzed tokens can only verify if the fuzzer signs them
        // through `signed_claims`.
        let signer = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).ok()?;
        let spki = aws_lc_rs::encoding::AsDer::<aws_lc_rs::encoding::PublicKeyX509Der>::as_der(
            aws_lc_rs::signature::KeyPair::public_key(&signer),
        )
        .ok()?;
        let key = crate::RsaKey::from_der(spki.as_ref(), None, &[crate::Alg::RS256]).ok()?;
        let verifier = Verifier::builder()
            .key(key)
            .authorized_parties(["https://app.example.com"])
            .clock(Arc::new(FixedClock::new(1_700_000_000_000)))
            .build()
            .ok()?;
        let auth = Authenticator::builder(verifier)
            .publishable_key("pk_live_Y2xlcmsuZXhhbXBsZS5jb20k")
            .ok()?
            .handshake(true)
            .sign_in_url("https://app.example.com/sign-in")
            .organization_sync(
                OrganizationSync::new(["/orgs/:slug", "/orgs/:slug/(.*)"], ["/me(.*)"]).ok()?,
            )
            .build();
        Some(Fixture {
            rt,
            signer,
            auth,
            matcher: RouteMatcher::new(["/dashboard(.*)", "/api/:version/items/:id*", "/exact"])
                .ok()?,
            sync: OrganizationSync::new(["/orgs/:id/(.*)"], ["/me"]).ok()?,
            webhook: Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").ok()?,
        })
    })
    .as_ref()
}

/// Token parsing and verification: the bytes are the token.
pub fn token(data: &[u8]) {
    let Some(f) = fixture() else { return };
    let token = String::from_utf8_lossy(data);
    let verifier = f.auth.verifier();
    let _ = verifier.verify_session_token_cached(&token);
    let _ = crate::jwt::decode(&token);
    let _ = crate::machine::classify(&token);
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&format!("Bearer {token}")) {
        headers.insert(http::header::AUTHORIZATION, v);
    }
    let uri = Uri::from_static("/dashboard");
    let _ =
        f.rt.block_on(f.auth.authenticate(&Method::GET, &uri, &headers));
}

/// Request handling: the bytes are split on `\n` into a path and up to 16 `name: value`
/// header lines (cookies, forwarding headers, `Authorization`, …).
pub fn request(data: &[u8]) {
    let Some(f) = fixture() else { return };
    let mut lines = data.split(|b| *b == b'\n');
    let path = lines.next().unwrap_or_default();
    let uri = std::str::from_utf8(path)
        .ok()
        .and_then(|p| p.parse::<Uri>().ok())
        .unwrap_or_else(|| Uri::from_static("/"));
    let mut headers = HeaderMap::new();
    for line in lines.take(16) {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = line.split_at(colon);
        let value = value.get(1..).unwrap_or_default();
        let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value)) else {
            continue;
        };
        headers.append(n, v);
    }
    let method = if data.first().is_some_and(|b| b % 2 == 0) {
        Method::GET
    } else {
        Method::POST
    };
    let state = f.rt.block_on(f.auth.authenticate(&method, &uri, &headers));
    let auth = state.auth();
    let _ = auth.protect();
    let _ = auth.protect_with(&crate::Has::permission("org:members:manage"));
    let _ = crate::context::public_url(&uri, &headers, true);
    let _ = crate::context::Cookies::from_headers(&headers);
    let _ = f.matcher.check(uri.path());
    let _ = f.sync.target(uri.path());
    let _ = crate::routes::normalize_path(&String::from_utf8_lossy(path));
    let _ = f.webhook.verify(&headers, data);
}

/// Claims decoding (organization permissions, `has()` checks) from a JSON payload.
pub fn claims(data: &[u8]) {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(data)
    else {
        return;
    };
    let s = crate::SessionAuth::from_claims(map);
    for check in [
        crate::Has::role("org:admin"),
        crate::Has::permission("org:members:manage"),
        crate::Has::feature("o:members"),
        crate::Has::plan("pro"),
        crate::Has::reverification(crate::Reverification::StrictMfa),
    ] {
        let _ = s.has(&check);
    }
}

/// Verification of validly signed tokens with arbitrary payloads: the bytes are signed as the
/// payload (RS256), so every claim check runs on hostile JSON.
pub fn signed_claims(data: &[u8]) {
    use base64::Engine;
    let Some(f) = fixture() else { return };
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"alg":"RS256","typ":"JWT","kid":"k"}"#);
    let input = format!("{header}.{}", b64.encode(data));
    let mut sig = vec![0u8; f.signer.public_modulus_len()];
    let rng = aws_lc_rs::rand::SystemRandom::new();
    if f.signer
        .sign(
            &aws_lc_rs::signature::RSA_PKCS1_SHA256,
            &rng,
            input.as_bytes(),
            &mut sig,
        )
        .is_err()
    {
        return;
    }
    let token = format!("{input}.{}", b64.encode(&sig));
    if let Ok(s) = f.auth.verifier().verify_session_token_cached(&token) {
        let _ = s.has(&crate::Has::permission("org:members:manage").and_feature("o:members"));
    }
    claims(data);
}
