//! TOTP enrolment and backup codes as `/v1/me/totp` and `/v1/me/backup_codes` return them. The
//! secret and the codes appear only in the response that creates them.

use serde_json::{Value, json};
use usher_core::users::model::TotpEnrolment;

pub fn totp(t: &TotpEnrolment, uri: Option<&str>, backup_codes: Option<&[String]>) -> Value {
    json!({
        "object": "totp",
        "id": t.id,
        "secret": uri.map(|_| t.secret.as_str()),
        "uri": uri,
        "verified": t.verified,
        "backup_codes": backup_codes,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
    })
}

pub fn backup_codes(id: &str, codes: &[String], now: i64) -> Value {
    json!({
        "object": "backup_code",
        "id": id,
        "codes": codes,
        "created_at": now,
        "updated_at": now,
    })
}
