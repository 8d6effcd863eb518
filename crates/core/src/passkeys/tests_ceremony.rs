//! The ceremonies' rules, each with real signatures made by the software authenticator of
//! `testkit`: what verifies, what is refused (and never a panic on malformed input).

use serde_json::{Value, json};
use sha2::Digest;

use super::ceremony::{self, finish_registration, finish_sign_in, parse_assertion, user_handle};
use super::cose::PublicKey;
use super::testkit::{self, Answer, Credential, Key, UP, UV};
use super::*;
use crate::error::CoreError;

const ORIGIN: &str = "http://localhost:3000";
const USER: &str = "user_2abc";

fn rp() -> RelyingParty {
    RelyingParty::of_origin(ORIGIN).unwrap()
}

fn page() -> Answer {
    Answer::to(ORIGIN, "localhost")
}

fn registration_options() -> (String, PendingCeremony) {
    ceremony::start_registration(&rp(), "Acme", USER, "ann@example.com", &[], 0).unwrap()
}

fn sign_in_options() -> (String, PendingCeremony) {
    ceremony::start_sign_in(&rp(), "Acme", 0).unwrap()
}

fn refused(r: CoreResult<impl std::fmt::Debug>) -> &'static str {
    match r {
        Err(CoreError::PasskeyRefused { reason }) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A registered credential of `key` and what is stored for it.
fn registered(key: Key) -> (Credential, StoredCredential) {
    let (options, pending) = registration_options();
    let (cred, json) = testkit::register(&options, &page(), key);
    let (stored, id) = finish_registration(&pending, &json).unwrap();
    assert_eq!(id, testkit::b64(&cred.id));
    (cred, stored)
}

fn sign_in(
    cred: &mut Credential,
    stored: &StoredCredential,
    answer: &Answer,
) -> CoreResult<StoredCredential> {
    let (options, pending) = sign_in_options();
    let json = cred.assert(&options, answer);
    finish_sign_in(&pending, &parse_assertion(&json)?, USER, stored)
}

#[test]
fn the_options_ask_for_a_discoverable_verified_credential() {
    let (options, pending) = registration_options();
    let o: Value = serde_json::from_str(&options).unwrap();
    let challenge = o["challenge"].as_str().unwrap();
    assert_eq!(b64::decode_lenient(challenge).unwrap().len(), 32);
    assert_eq!(pending.state["challenge"], challenge);
    assert_eq!(pending.expires_at, CHALLENGE_TTL_MS);
    assert_eq!(o["rp"], json!({"id": "localhost", "name": "Acme"}));
    assert_eq!(o["user"]["id"], testkit::b64(&user_handle(USER)));
    let algs: Vec<i64> = o["pubKeyCredParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["alg"].as_i64().unwrap())
        .collect();
    assert_eq!(algs, [-7, -8, -257]);
    assert_eq!(o["attestation"], "none");
    assert_eq!(o["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(o["authenticatorSelection"]["userVerification"], "required");
    assert!(o.get("excludeCredentials").is_none());
    let (options, _) =
        ceremony::start_registration(&rp(), "Acme", USER, "ann", &["AAAA".into()], 0).unwrap();
    let o: Value = serde_json::from_str(&options).unwrap();
    assert_eq!(
        o["excludeCredentials"],
        json!([{"id": "AAAA", "type": "public-key"}])
    );

    let (options, again) = sign_in_options();
    let o: Value = serde_json::from_str(&options).unwrap();
    assert_eq!(o["rpId"], "localhost");
    assert_eq!(o["allowCredentials"], json!([]));
    assert_eq!(o["userVerification"], "required");
    assert_ne!(again.state["challenge"], pending.state["challenge"]);
}

#[test]
fn p256_ed25519_and_rsa_credentials_register_and_sign_in() {
    for key in [Key::p256(), Key::ed25519(), Key::rsa()] {
        let alg = key.alg();
        let (mut cred, stored) = registered(key);
        assert_eq!(stored.public_key.algorithm(), alg);
        assert_eq!(stored.counter, 0);
        assert!(stored.user_verified);
        assert_eq!(stored.transports, ["internal", "hybrid"]);
        assert_eq!(
            stored.aaguid.as_deref(),
            Some("07070707-0707-0707-0707-070707070707")
        );
        let after = sign_in(&mut cred, &stored, &page()).unwrap();
        assert_eq!(after.counter, 1);
        let after = sign_in(&mut cred, &after, &page()).unwrap();
        assert_eq!(after.counter, 2);
    }
}

#[test]
fn a_registration_for_another_challenge_origin_or_rp_is_refused() {
    let (options, pending) = registration_options();
    let cases = [
        Answer {
            challenge: Some(testkit::b64(&[9u8; 32])),
            ..page()
        },
        Answer::to("http://evil.test:3000", "localhost"),
        Answer::to(ORIGIN, "evil.test"),
        Answer {
            cross_origin: true,
            ..page()
        },
        Answer {
            kind: "webauthn.get".into(),
            ..page()
        },
        Answer {
            flags: UV,
            ..page()
        },
        Answer {
            flags: UP,
            ..page()
        },
    ];
    for answer in cases {
        let (_, json) = testkit::register(&options, &answer, Key::p256());
        refused(finish_registration(&pending, &json));
    }
    // Not the JSON of a credential: the parameter's format.
    assert!(matches!(
        finish_registration(&pending, "{not json"),
        Err(CoreError::ParamFormatInvalid { .. })
    ));
}

#[test]
fn packed_self_attestation_is_checked_with_the_credentials_key() {
    let (options, pending) = registration_options();
    let key = Key::ed25519();
    let (id, mut reg) = testkit::registration(&options, &page(), &key, &key.cose(key.alg()));
    testkit::self_attest(&mut reg, &key);
    let json = reg.json_with(&id, &reg.attestation_object());
    assert!(finish_registration(&pending, &json).is_ok());
    // Signed by another key: refused.
    let (id, mut reg) = testkit::registration(&options, &page(), &key, &key.cose(key.alg()));
    testkit::self_attest(&mut reg, &Key::ed25519());
    let json = reg.json_with(&id, &reg.attestation_object());
    refused(finish_registration(&pending, &json));
}

#[test]
fn unsupported_keys_are_refused_by_name() {
    let (options, pending) = registration_options();
    let key = Key::p256();
    // ES384 on P-384, a symmetric key, and an ES256 key claiming another curve.
    let es384 = testkit::map(&[
        (testkit::int(1), testkit::int(2)),
        (testkit::int(3), testkit::int(-35)),
        (testkit::int(-1), testkit::int(2)),
        (testkit::int(-2), testkit::bytes(&[1u8; 48])),
        (testkit::int(-3), testkit::bytes(&[1u8; 48])),
    ]);
    let symmetric = testkit::map(&[
        (testkit::int(1), testkit::int(4)),
        (testkit::int(3), testkit::int(5)),
    ]);
    for cose in [es384, symmetric] {
        let (id, reg) = testkit::registration(&options, &page(), &key, &cose);
        let json = reg.json_with(&id, &reg.attestation_object());
        refused(finish_registration(&pending, &json));
    }
    let es384 = super::cbor::Cbor::decode(&testkit::map(&[
        (testkit::int(1), testkit::int(2)),
        (testkit::int(3), testkit::int(-35)),
    ]))
    .unwrap();
    let err = PublicKey::from_cose(&es384).unwrap_err();
    assert!(err.0.contains("ES256, EdDSA or RS256"), "{err:?}");
}

#[test]
fn malformed_attestations_are_errors_never_panics() {
    let (options, pending) = registration_options();
    let key = Key::p256();
    let (id, reg) = testkit::registration(&options, &page(), &key, &key.cose(key.alg()));
    let good = reg.attestation_object();
    assert!(finish_registration(&pending, &reg.json_with(&id, &good)).is_ok());
    // Every truncation.
    for len in 0..good.len() {
        let json = reg.json_with(&id, &good[..len]);
        assert!(
            finish_registration(&pending, &json).is_err(),
            "truncated at {len}"
        );
    }
    // Mutations, from a fixed xorshift sequence: an error or (if the byte did not matter, as a
    // signature-free `none` statement allows) a credential — never a panic.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..3000 {
        let mut bent = good.clone();
        for _ in 0..1 + next() % 3 {
            let at = (next() % bent.len() as u64) as usize;
            bent[at] = next() as u8;
        }
        let _ = finish_registration(&pending, &reg.json_with(&id, &bent));
    }
    // Authenticator data alone, truncated and mutated, parses or refuses.
    for len in 0..reg.auth_data.len() {
        assert!(super::auth_data::AuthData::parse(&reg.auth_data[..len]).is_err());
    }
    for _ in 0..3000 {
        let mut bent = reg.auth_data.clone();
        let at = (next() % bent.len() as u64) as usize;
        bent[at] = next() as u8;
        let _ = super::auth_data::AuthData::parse(&bent);
    }
}

#[test]
fn a_sign_in_for_another_challenge_origin_or_rp_is_refused() {
    let (mut cred, stored) = registered(Key::p256());
    let cases = [
        Answer::to("http://evil.test:3000", "localhost"),
        Answer::to(ORIGIN, "evil.test"),
        Answer {
            flags: UV,
            ..page()
        },
        Answer {
            flags: UP,
            ..page()
        },
        Answer {
            kind: "webauthn.create".into(),
            ..page()
        },
        Answer {
            challenge: Some(testkit::b64(&[9u8; 32])),
            ..page()
        },
    ];
    for answer in cases {
        refused(sign_in(&mut cred, &stored, &answer));
    }
    // An answer to another sign-in's challenge.
    let (options, _) = sign_in_options();
    let (_, pending) = sign_in_options();
    let json = cred.assert(&options, &page());
    refused(finish_sign_in(
        &pending,
        &parse_assertion(&json).unwrap(),
        USER,
        &stored,
    ));
}

#[test]
fn a_tampered_signature_or_another_users_handle_is_refused() {
    let (mut cred, stored) = registered(Key::p256());
    let (options, pending) = sign_in_options();
    let mut a = cred.assertion(&options, &page());
    let last = a.signature.len() - 1;
    a.signature[last] ^= 1;
    let json = cred.json(&a);
    refused(finish_sign_in(
        &pending,
        &parse_assertion(&json).unwrap(),
        USER,
        &stored,
    ));
    // The signed data changed after signing (the counter).
    let mut a = cred.assertion(&options, &page());
    a.auth_data[36] ^= 0x10;
    refused(finish_sign_in(
        &pending,
        &parse_assertion(&cred.json(&a)).unwrap(),
        USER,
        &stored,
    ));
    // Good, but for someone else's account.
    let json = cred.assert(&options, &page());
    let assertion = parse_assertion(&json).unwrap();
    refused(finish_sign_in(&pending, &assertion, "user_other", &stored));
    assert!(finish_sign_in(&pending, &assertion, USER, &stored).is_ok());
    // Another credential's stored key.
    let (_, other) = registered(Key::p256());
    refused(finish_sign_in(&pending, &assertion, USER, &other));
}

#[test]
fn a_counter_that_goes_back_is_a_cloned_authenticator() {
    let (mut cred, stored) = registered(Key::ed25519());
    let after = sign_in(&mut cred, &stored, &page()).unwrap();
    assert_eq!(after.counter, 1);
    // A clone that signed before: the same count again, then a lower one.
    cred.counter = 0;
    refused(sign_in(&mut cred, &after, &page()));
    let ahead = StoredCredential {
        counter: 7,
        ..after.clone()
    };
    cred.counter = 4;
    refused(sign_in(&mut cred, &ahead, &page()));
    cred.counter = 7;
    assert_eq!(sign_in(&mut cred, &ahead, &page()).unwrap().counter, 8);
}

#[test]
fn an_authenticator_that_never_counts_signs_in_with_zero() {
    let (mut cred, stored) = registered(Key::p256());
    let (options, pending) = sign_in_options();
    let mut a = cred.assertion(&options, &page());
    // Rebuild with a zero counter, signed again.
    cred.counter = 0;
    a.auth_data[33..37].copy_from_slice(&[0, 0, 0, 0]);
    let signed = [
        a.auth_data.clone(),
        sha2::Sha256::digest(&a.client_data).to_vec(),
    ]
    .concat();
    a.signature = cred.key.sign(&signed);
    let checked = finish_sign_in(
        &pending,
        &parse_assertion(&cred.json(&a)).unwrap(),
        USER,
        &stored,
    );
    assert_eq!(checked.unwrap().counter, 0);
}

/// A passkey stored by webauthn-rs (its `Passkey` JSON, in the record's doc) and a sign-in
/// challenge written by it still verify: the key is read from the old form.
#[test]
fn a_credential_stored_in_the_webauthn_rs_form_still_verifies() {
    let old: Value =
        serde_json::from_str(include_str!("fixtures/webauthn_rs_passkey.json")).unwrap();
    let pkcs8 =
        b64::decode_lenient(include_str!("fixtures/webauthn_rs_passkey.key").trim()).unwrap();
    let record = PasskeyRecord {
        id: crate::ids::IdentificationId::new(),
        version: 1,
        user_id: "user_1".parse().unwrap(),
        name: "Passkey".into(),
        credential_id: Some("H5uuqtUgH0X6TjdpUOiaUw".into()),
        credential: None,
        rp_id: Some("localhost".into()),
        registration: None,
        last_used_at: None,
        created_at: 1,
        updated_at: 1,
    };
    let mut doc = serde_json::to_value(&record).unwrap();
    doc["credential"] = old;
    let loaded: PasskeyRecord = serde_json::from_value(doc).unwrap();
    let stored = loaded.credential.clone().unwrap();
    assert_eq!(stored.id, "H5uuqtUgH0X6TjdpUOiaUw");
    assert!(matches!(stored.public_key, PublicKey::Es256 { .. }));
    assert_eq!(stored.counter, 0);

    let mut cred = Credential {
        id: b64::decode_lenient(&stored.id).unwrap(),
        key: Key::p256_from_pkcs8(&pkcs8),
        user_handle: testkit::b64(&user_handle("user_1")),
        counter: 0,
    };
    // A sign-in challenge as webauthn-rs kept it.
    let (options, mut pending) = sign_in_options();
    let challenge = pending.state["challenge"].clone();
    pending.state = json!({"ast": {"challenge": challenge, "credentials": [], "policy": "required",
                                   "appid": null, "allow_backup_eligible_upgrade": false}});
    let json = cred.assert(&options, &page());
    let after = finish_sign_in(
        &pending,
        &parse_assertion(&json).unwrap(),
        "user_1",
        &stored,
    )
    .unwrap();
    assert_eq!(after.counter, 1);
    // Written back in the current form, it reads the same.
    let mut updated = loaded;
    updated.credential = Some(after.clone());
    let again: PasskeyRecord =
        serde_json::from_value(serde_json::to_value(&updated).unwrap()).unwrap();
    assert_eq!(again.credential, Some(after));
}
