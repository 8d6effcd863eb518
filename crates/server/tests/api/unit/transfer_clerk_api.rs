//! Unit tests of `transfer/clerk_api.rs`.
#![allow(clippy::unwrap_used)]
use serde_json::Value;
use usher_core::users::lockout::INDEFINITELY;
use usher_core::users::model::Verification;

use serde_json::json;
use usher_server::transfer::clerk_api::*;

fn clerk_user() -> Value {
    json!({
        "id": "user_2NNEqL2nrIRdJ194ndJqAHwEfxC", "object": "user",
        "external_id": "ext-1", "username": "Ada",
        "primary_email_address_id": "idn_2NNEqL2nrIRdJ194ndJqAHwEfxD",
        "email_addresses": [
            {"id": "idn_2NNEqL2nrIRdJ194ndJqAHwEfxD", "email_address": "Ada@Example.com",
             "verification": {"status": "verified", "strategy": "from_oauth_google"}},
            {"id": "idn_2NNEqL2nrIRdJ194ndJqAHwEfxE", "email_address": "b@example.com",
             "verification": {"status": "unverified", "strategy": "email_code"}}
        ],
        "phone_numbers": [], "public_metadata": {"plan": "pro"}, "private_metadata": null,
        "unsafe_metadata": {}, "banned": true, "locked": true,
        "lockout_expires_in_seconds": null, "totp_enabled": true,
        "image_url": "https://img.clerk.com/default", "has_image": false,
        "created_at": 1_700_000_000_000_i64, "updated_at": 1_700_000_001_000_i64
    })
}

#[test]
fn a_clerk_user_maps_with_its_ids_and_state() {
    let s = user_from_clerk(&clerk_user(), 5).unwrap();
    let u = &s.user;
    assert_eq!(u.id.as_str(), "user_2NNEqL2nrIRdJ194ndJqAHwEfxC");
    assert_eq!(u.username.as_deref(), Some("ada"));
    assert_eq!(u.email_addresses[0].email_address, "ada@example.com");
    assert_eq!(u.email_addresses[0].verification, Verification::Admin);
    assert_eq!(u.email_addresses[1].verification, Verification::Unverified);
    assert_eq!(u.primary_email().unwrap().email_address, "ada@example.com");
    assert!(u.banned);
    assert_eq!(u.locked_until, Some(INDEFINITELY));
    assert!(u.image_url.is_none());
    assert!(s.second_factor_dropped);
    assert_eq!(u.public_metadata["plan"], "pro");
}

#[test]
fn merging_keeps_what_only_usher_knows_and_sees_no_change_twice() {
    let incoming = user_from_clerk(&clerk_user(), 5).unwrap().user;
    let mut stored = incoming.clone();
    stored.version = 3;
    stored.password = Some(usher_core::users::model::PasswordDigest("$2b$10$x".into()));
    stored.locked_until = Some(99);
    assert!(merge_user(&stored, &incoming).is_none());
    let mut changed = incoming.clone();
    changed.first_name = Some("Ada".into());
    let merged = merge_user(&stored, &changed).unwrap();
    assert_eq!(merged.version, 3);
    assert!(merged.password.is_some());
    assert_eq!(merged.locked_until, Some(99));
}

#[test]
fn a_bad_object_is_an_error_not_a_panic() {
    assert!(user_from_clerk(&json!({"id": "nope", "created_at": 1}), 0).is_err());
    assert!(organization_from_clerk(&json!([])).is_err());
    assert!(membership_from_clerk(&json!({"id": 3})).is_err());
    assert!(invitation_from_clerk(&json!(null)).is_err());
}
