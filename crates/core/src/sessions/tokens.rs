//! Session tokens: Clerk's v2 claims, signed RS256 by the instance's active key.

use serde::Serialize;

use super::model::{Session, SessionStatus};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::random_hex;
use crate::instance::Instance;
use crate::signing_keys::SigningKey;

/// Clerk backdates `nbf` so that slightly slow clocks accept a fresh token.
pub const NBF_BACKDATE_SECS: i64 = 10;
pub const MIN_LIFETIME_SECS: i64 = 30;
pub const MAX_LIFETIME_SECS: i64 = 315_360_000;

/// The claims of a v2 session token. Field order is the order on the wire.
#[derive(Debug, Serialize)]
pub struct SessionClaims<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub azp: Option<&'a str>,
    pub exp: i64,
    pub fva: [i64; 2],
    pub iat: i64,
    pub iss: &'a str,
    pub jti: String,
    pub nbf: i64,
    pub sid: &'a str,
    pub sts: &'static str,
    pub sub: &'a str,
    pub v: u8,
}

/// Minutes since a factor was verified, `-1` when it never was: the token's `fva` claim.
fn minutes_since(at: Option<Millis>, now: Millis) -> i64 {
    at.map_or(-1, |t| ((now - t).max(0)) / 60_000)
}

pub struct MintRequest<'a> {
    pub instance: &'a Instance,
    pub issuer: &'a str,
    pub session: &'a Session,
    pub lifetime_secs: Option<i64>,
    pub authorized_party: Option<&'a str>,
    pub now: Millis,
}

pub fn validate_lifetime(secs: Option<i64>) -> CoreResult<()> {
    match secs {
        Some(s) if !(MIN_LIFETIME_SECS..=MAX_LIFETIME_SECS).contains(&s) => Err(CoreError::value(
            "expires_in_seconds",
            format!("must be between {MIN_LIFETIME_SECS} and {MAX_LIFETIME_SECS}"),
        )),
        _ => Ok(()),
    }
}

pub fn mint(key: &SigningKey, req: &MintRequest<'_>) -> CoreResult<String> {
    let status = req.session.status_at(req.now);
    let sts = match status {
        SessionStatus::Active => "active",
        SessionStatus::Pending => "pending",
        other => {
            return Err(CoreError::SessionNotActive {
                status: other.as_str(),
            });
        }
    };
    validate_lifetime(req.lifetime_secs)?;
    let iat = req.now / 1000;
    let lifetime = req
        .lifetime_secs
        .unwrap_or(req.instance.settings.session_token_lifetime_secs);
    let claims = SessionClaims {
        azp: req.authorized_party,
        exp: iat + lifetime,
        fva: [
            minutes_since(Some(req.session.first_factor_verified_at), req.now),
            minutes_since(req.session.second_factor_verified_at, req.now),
        ],
        iat,
        iss: req.issuer,
        jti: random_hex(10),
        nbf: iat - NBF_BACKDATE_SECS,
        sid: &req.session.id,
        sts,
        sub: &req.session.user_id,
        v: 2,
    };
    let json = serde_json::to_vec(&claims).map_err(|e| CoreError::Crypto(e.to_string()))?;
    key.sign_jwt(&json)
}
