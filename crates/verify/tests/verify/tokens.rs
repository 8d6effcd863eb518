//! Session-token verification with a local key: every check and its reason, claims decoding
//! and `has()`, with an injected clock (no sleeping, no network).

use std::sync::Arc;
use std::time::Duration;

use crate::common::*;
use serde_json::json;
use usher_verify::{
    Alg, FixedClock, Has, Reason, Reverification, ReverificationLevel, RsaKey, Verifier,
};

const NOW: i64 = 1_700_000_000;

fn verifier(key: &TestKey) -> Verifier {
    Verifier::builder()
        .jwt_key(&key.pem())
        .unwrap()
        .clock(Arc::new(FixedClock::new(NOW * 1000)))
        .build()
        .unwrap()
}

fn reason(v: &Verifier, token: &str) -> Reason {
    v.verify_session_token_cached(token).unwrap_err().reason
}

#[test]
fn a_valid_v2_token_decodes_like_clerk() {
    let key = TestKey::new("ins_1");
    let v = verifier(&key);
    let s = v
        .verify_session_token_cached(&key.sign(&claims(NOW)))
        .unwrap();
    assert_eq!(s.user_id, "user_2abc");
    assert_eq!(s.session_id.as_deref(), Some("sess_2abc"));
    assert_eq!(s.session_status.as_deref(), Some("active"));
    assert_eq!(s.org_id.as_deref(), Some("org_2abc"));
    assert_eq!(s.org_slug.as_deref(), Some("acme"));
    assert_eq!(s.org_role.as_deref(), Some("org:admin"));
    assert_eq!(
        s.org_permissions.as_deref().unwrap(),
        ["org:members:manage", "org:members:read"]
    );
    assert_eq!(s.factor_verification_age, Some(json!([0, -1])));
    assert_eq!(s.claims()["jti"], "abc123");
    assert!(s.has(&Has::role("org:admin")));
    assert!(s.has(&Has::role("admin")), "the org: prefix is optional");
    assert!(!s.has(&Has::role("org:member")));
    assert!(s.has(&Has::permission("org:members:read")));
    assert!(s.has(&Has::permission("members:read")));
    assert!(!s.has(&Has::permission("org:members:delete")));
    assert!(s.has(&Has::role("org:admin").and_permission("org:members:manage")));
    assert!(!s.has(&Has::role("org:admin").and_permission("org:billing:manage")));
    assert!(s.has(&Has::feature("o:members")));
    assert!(s.has(&Has::feature("members")));
    assert!(!s.has(&Has::feature("u:members")));
    assert!(s.has(&Has::plan("o:pro")));
    assert!(s.has(&Has::plan("user:free_user")));
    assert!(!s.has(&Has::plan("u:pro")));
    assert!(!s.has(&Has::plan("x:pro")), "an unknown scope fails closed");
    assert!(!s.has(&Has::default()), "asking nothing grants nothing");
    assert!(s.has(&Has::reverification(Reverification::Strict)));
    assert!(s.has(&Has::reverification(Reverification::StrictMfa)));
}

#[test]
fn permission_bitmasks_follow_features_in_order() {
    let key = TestKey::new("k");
    let v = verifier(&key);
    let mut c = claims(NOW);
    // Two org features; per = [manage, read, delete]; fpm[0] = 0b101, fpm[1] = 0b010. A user
    // feature in between does not count. A bitmask longer than 64 bits is fine.
    c["fea"] = json!("o:members,u:export,o:billing,o:extra");
    c["o"]["per"] = json!("manage,read,delete");
    c["o"]["fpm"] = json!("5,2,340282366920938463463374607431768211457");
    let s = v.verify_session_token_cached(&key.sign(&c)).unwrap();
    assert_eq!(
        s.org_permissions.unwrap(),
        [
            "org:members:manage",
            "org:members:delete",
            "org:billing:read",
            "org:extra:manage"
        ]
    );
}

#[test]
fn v1_tokens_read_org_claims_directly() {
    let key = TestKey::new("k");
    let v = verifier(&key);
    let c = json!({"sub": "user_1", "exp": NOW + 60, "iat": NOW, "sid": "sess_1",
        "org_id": "org_9", "org_role": "org:member", "org_slug": "nine",
        "org_permissions": ["org:sys_profile:read"]});
    let s = v.verify_session_token_cached(&key.sign(&c)).unwrap();
    assert_eq!(s.org_role.as_deref(), Some("org:member"));
    assert_eq!(
        s.org_permissions.as_deref().unwrap(),
        ["org:sys_profile:read"]
    );
    assert!(s.has(&Has::permission("org:sys_profile:read")));
}

#[test]
fn time_claims_with_a_five_second_skew() {
    let key = TestKey::new("k");
    let v = verifier(&key);
    let at = |exp: i64, nbf: i64, iat: i64| {
        let mut c = claims(NOW);
        c["exp"] = json!(exp);
        c["nbf"] = json!(nbf);
        c["iat"] = json!(iat);
        key.sign(&c)
    };
    assert!(
        v.verify_session_token_cached(&at(NOW - 3, NOW - 70, NOW - 63))
            .is_ok(),
        "3 s past exp is within the skew"
    );
    assert_eq!(
        reason(&v, &at(NOW - 5, NOW - 70, NOW - 65)),
        Reason::TokenExpired,
        "exactly the skew is expired"
    );
    assert_eq!(
        reason(&v, &at(NOW - 10, NOW - 70, NOW - 70)),
        Reason::TokenExpired
    );
    assert!(
        v.verify_session_token_cached(&at(NOW + 60, NOW + 5, NOW))
            .is_ok()
    );
    assert_eq!(
        reason(&v, &at(NOW + 60, NOW + 6, NOW)),
        Reason::TokenNotActiveYet
    );
    assert_eq!(
        reason(&v, &at(NOW + 60, NOW, NOW + 6)),
        Reason::TokenIatInTheFuture
    );
    let skewless = Verifier::builder()
        .jwt_key(&key.pem())
        .unwrap()
        .clock_skew(Duration::ZERO)
        .clock(Arc::new(FixedClock::new(NOW * 1000)))
        .build()
        .unwrap();
    assert_eq!(
        reason(&skewless, &at(NOW - 1, NOW - 70, NOW - 61)),
        Reason::TokenExpired
    );
    // Fractional seconds are truncated, as JavaScript's Date does.
    let mut c = claims(NOW);
    c["exp"] = json!((NOW - 5) as f64 + 0.9);
    assert_eq!(reason(&v, &key.sign(&c)), Reason::TokenExpired);
}

#[test]
fn required_claims_and_types() {
    let key = TestKey::new("k");
    let v = verifier(&key);
    for (field, value) in [
        ("sub", json!(null)),
        ("sub", json!(42)),
        ("exp", json!(null)),
        ("exp", json!("1700000060")),
        ("nbf", json!("x")),
        ("iat", json!(null)),
    ] {
        let mut c = claims(NOW);
        c[field] = value.clone();
        assert_eq!(
            reason(&v, &key.sign(&c)),
            Reason::TokenVerificationFailed,
            "{field}={value}"
        );
    }
    let mut c = claims(NOW);
    c.as_object_mut().unwrap().remove("exp");
    assert_eq!(reason(&v, &key.sign(&c)), Reason::TokenVerificationFailed);
    // sub and exp are all that is required.
    let minimal = json!({"sub": "user_1", "exp": NOW + 60});
    assert!(v.verify_session_token_cached(&key.sign(&minimal)).is_ok());
}

#[test]
fn authorized_parties_issuer_and_audience() {
    let key = TestKey::new("k");
    let build = |f: fn(usher_verify::VerifierBuilder) -> usher_verify::VerifierBuilder| {
        f(Verifier::builder().jwt_key(&key.pem()).unwrap())
            .clock(Arc::new(FixedClock::new(NOW * 1000)))
            .build()
            .unwrap()
    };
    let azp = build(|b| b.authorized_parties(["http://localhost:3000", "https://app.example.com"]));
    assert!(
        azp.verify_session_token_cached(&key.sign(&claims(NOW)))
            .is_ok()
    );
    let mut c = claims(NOW);
    c["azp"] = json!("https://evil.example.com");
    assert_eq!(
        reason(&azp, &key.sign(&c)),
        Reason::TokenInvalidAuthorizedParties
    );
    c.as_object_mut().unwrap().remove("azp");
    assert_eq!(
        reason(&azp, &key.sign(&c)),
        Reason::TokenInvalidAuthorizedParties,
        "a missing azp fails when parties are set"
    );
    let open = verifier(&key);
    assert!(
        open.verify_session_token_cached(&key.sign(&c)).is_ok(),
        "no parties configured: azp not required"
    );

    let iss = build(|b| b.issuers(["https://clerk.example.com"]));
    assert!(
        iss.verify_session_token_cached(&key.sign(&claims(NOW)))
            .is_ok()
    );
    let mut c = claims(NOW);
    c["iss"] = json!("https://other.example.com");
    assert_eq!(reason(&iss, &key.sign(&c)), Reason::TokenInvalidIssuer);

    let aud = build(|b| b.audiences(["api"]));
    assert!(
        aud.verify_session_token_cached(&key.sign(&claims(NOW)))
            .is_ok(),
        "no aud claim: nothing to check"
    );
    for (value, ok) in [
        (json!("api"), true),
        (json!(["x", "api"]), true),
        (json!("web"), false),
        (json!(["web"]), false),
        (json!(7), false),
    ] {
        let mut c = claims(NOW);
        c["aud"] = value.clone();
        assert_eq!(
            aud.verify_session_token_cached(&key.sign(&c)).is_ok(),
            ok,
            "aud={value}"
        );
    }
}

#[test]
fn signature_and_algorithm_attacks_fail() {
    let key = TestKey::new("k");
    let other = TestKey::new("k");
    let v = verifier(&key);
    let good = key.sign(&claims(NOW));

    assert_eq!(
        reason(&v, &other.sign(&claims(NOW))),
        Reason::TokenInvalidSignature,
        "same kid, other key"
    );

    let mut c = claims(NOW);
    c["sub"] = json!("user_admin");
    assert_eq!(
        reason(&v, &with_payload(&good, &c)),
        Reason::TokenInvalidSignature,
        "tampered payload"
    );

    let none = json!({"alg": "none", "typ": "JWT", "kid": "k"});
    let unsigned = format!(
        "{}.{}.",
        b64(none.to_string().as_bytes()),
        b64(claims(NOW).to_string().as_bytes())
    );
    assert_eq!(reason(&v, &unsigned), Reason::TokenInvalidAlgorithm);
    assert_eq!(
        reason(&v, &with_header(&good, &none)),
        Reason::TokenInvalidAlgorithm
    );

    let hs = json!({"alg": "HS256", "typ": "JWT", "kid": "k"});
    for secret in [key.pem().into_bytes(), key.spki_der()] {
        assert_eq!(
            reason(&v, &hs256(&hs, &claims(NOW), &secret)),
            Reason::TokenInvalidAlgorithm,
            "HS256 keyed with the public key"
        );
    }
    let hs_as_rs = json!({"alg": "RS256", "typ": "JWT", "kid": "k"});
    assert_eq!(
        reason(&v, &hs256(&hs_as_rs, &claims(NOW), key.pem().as_bytes())),
        Reason::TokenInvalidSignature
    );

    // A PEM key verifies RS256 only (as Clerk's jwtKey); RS384 needs a key that allows it.
    let rs384 = key.sign_raw(
        &json!({"alg": "RS384", "typ": "JWT", "kid": "k"}),
        &claims(NOW),
    );
    assert_eq!(reason(&v, &rs384), Reason::TokenInvalidAlgorithm);
    let both = Verifier::builder()
        .key(RsaKey::from_pem_with(&key.pem(), None, &[Alg::RS256, Alg::RS384]).unwrap())
        .clock(Arc::new(FixedClock::new(NOW * 1000)))
        .build()
        .unwrap();
    assert!(both.verify_session_token_cached(&rs384).is_ok());

    assert_eq!(
        reason(&v, &good[..good.len() - 3]),
        Reason::TokenInvalidSignature,
        "truncated signature"
    );
    for junk in [
        "",
        ".",
        "..",
        "a.b.c",
        "a.b.c.d",
        "Bearer x",
        &"A".repeat(20_000),
    ] {
        assert_eq!(reason(&v, junk), Reason::TokenInvalid, "{junk:.20}");
    }
}

#[test]
fn header_type_and_category() {
    let key = TestKey::new("k");
    let v = verifier(&key);
    let mut h = key.header();
    h["typ"] = json!("at+jwt");
    assert_eq!(
        reason(&v, &key.sign_raw(&h, &claims(NOW))),
        Reason::TokenInvalid
    );
    let mut h = key.header();
    h.as_object_mut().unwrap().remove("typ");
    h.as_object_mut().unwrap().remove("cat");
    assert!(
        v.verify_session_token_cached(&key.sign_raw(&h, &claims(NOW)))
            .is_ok(),
        "typ and cat are optional"
    );
    let mut h = key.header();
    h["cat"] = json!("cl_B7d4PD333AAA");
    assert_eq!(
        reason(&v, &key.sign_raw(&h, &claims(NOW))),
        Reason::TokenInvalid,
        "an M2M token is not a session"
    );
    h["cat"] = json!("cl_B7d4PD222AAA");
    assert_eq!(
        reason(&v, &key.sign_raw(&h, &claims(NOW))),
        Reason::TokenTypeMismatch,
        "nor is a JWT template"
    );
    h["cat"] = json!("cl_I7d4PD111III");
    assert!(
        v.verify_session_token_cached(&key.sign_raw(&h, &claims(NOW)))
            .is_ok()
    );
}

#[test]
fn several_pem_keys_cover_a_rotation_without_network() {
    let old = TestKey::new("old");
    let new = TestKey::new("new");
    let v = Verifier::builder()
        .jwt_key(&old.pem())
        .unwrap()
        .jwt_key(&new.pem())
        .unwrap()
        .clock(Arc::new(FixedClock::new(NOW * 1000)))
        .build()
        .unwrap();
    assert!(
        v.verify_session_token_cached(&old.sign(&claims(NOW)))
            .is_ok()
    );
    assert!(
        v.verify_session_token_cached(&new.sign(&claims(NOW)))
            .is_ok()
    );
    assert_eq!(
        reason(&v, &TestKey::new("new").sign(&claims(NOW))),
        Reason::TokenInvalidSignature
    );
}

#[test]
fn pem_formats() {
    let key = TestKey::new("k");
    let pem = key.pem();
    assert!(
        RsaKey::from_pem(&pem.replace('\n', "\\n")).is_ok(),
        "escaped newlines from an env var"
    );
    assert!(RsaKey::from_pem(&pem.replace('\n', "\r\n")).is_ok());
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    assert!(RsaKey::from_pem(&body).is_ok(), "the bare base64 body");
    assert!(
        RsaKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----").is_err()
    );
    assert!(RsaKey::from_pem("not a key").is_err());
}

#[test]
fn reverification_levels() {
    let key = TestKey::new("k");
    let v = verifier(&key);
    let with_fva = |fva: serde_json::Value| {
        let mut c = claims(NOW);
        c["fva"] = fva;
        v.verify_session_token_cached(&key.sign(&c)).unwrap()
    };
    let s = with_fva(json!([5, 30]));
    assert!(s.has(&Has::reverification(Reverification::Moderate)));
    assert!(
        !s.has(&Has::reverification(Reverification::Strict)),
        "second factor 30 min old"
    );
    assert!(s.has(&Has::reverification(Reverification::Custom {
        level: ReverificationLevel::FirstFactor,
        after_minutes: 10.0
    })));
    assert!(!s.has(&Has::reverification(Reverification::StrictMfa)));
    let s = with_fva(json!([-1, -1]));
    assert!(!s.has(&Has::reverification(Reverification::Lax)));
    let s = with_fva(json!("junk"));
    assert!(!s.has(&Has::reverification(Reverification::Lax)));
}
