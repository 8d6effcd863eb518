//! Webhook verification for receivers (the Svix / Standard Webhooks scheme Usher and Clerk sign
//! with).
//!
//! The signed content is `{svix-id}.{svix-timestamp}.{raw body}`; the signature is
//! HMAC-SHA256 with the secret (`whsec_` + base64 key), standard base64 with padding, sent as
//! `svix-signature: v1,<sig>`. A header may carry several space-separated signatures (during a
//! secret rotation); one matching `v1` entry is enough. Timestamps more than five minutes from
//! now, either way, are refused. Comparisons are constant-time.
//!
//! # Idempotency
//!
//! Delivery is at least once: the same event can arrive twice (a retry after a timeout, a
//! replay from the dashboard). Every delivery of one event carries the same `svix-id`, so make
//! the handler idempotent by recording that id **in the same transaction** as the effect:
//!
//! ```text
//! CREATE TABLE processed_webhooks (svix_id TEXT PRIMARY KEY, received_at INTEGER NOT NULL);
//!
//! BEGIN;
//!   INSERT INTO processed_webhooks (svix_id, received_at) VALUES (?, ?)
//!     ON CONFLICT (svix_id) DO NOTHING;          -- 0 rows inserted: already handled, COMMIT, answer 200
//!   … apply the event (upsert the user, etc.) …
//! COMMIT;                                         -- then answer 2xx
//! ```
//!
//! Verify first, then dedupe (an unverified id proves nothing), answer 2xx quickly (heavy work
//! after the commit or in a queue), answer 2xx for duplicates too (otherwise the sender retries
//! them), and prefer upserts keyed on the object id so that even out-of-order deliveries
//! converge. Ids older than the tolerance window plus the sender's retry schedule (Svix retries
//! for about 3 days) can be pruned.
//!
//! ```
//! use usher_verify::webhooks::Webhook;
//! let wh = Webhook::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
//! let sig = wh.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, br#"{"test": 2432232314}"#);
//! assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
//! wh.verify_at("msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", &sig, br#"{"test": 2432232314}"#, 1614265330)
//!     .unwrap();
//! ```

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use subtle::ConstantTimeEq;

use crate::clock::{Clock, SystemClock};

/// Largest accepted difference between the signature's timestamp and now, in seconds.
pub const TOLERANCE_SECS: i64 = 5 * 60;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    #[error("invalid signing secret")]
    InvalidSecret,
    #[error("missing required webhook headers (svix-id, svix-timestamp, svix-signature)")]
    MissingHeaders,
    #[error("invalid signature headers")]
    InvalidHeaders,
    #[error("message timestamp too old")]
    TimestampTooOld,
    #[error("message timestamp too new")]
    TimestampTooNew,
    #[error("no matching signature found")]
    NoMatchingSignature,
    #[error("the payload is not JSON: {0}")]
    InvalidPayload(String),
}

/// A webhook signing secret, ready to verify (and sign, for tests).
#[derive(Clone)]
pub struct Webhook {
    key: hmac::Key,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Webhook(..)")
    }
}

/// Longest header value looked at.
const MAX_HEADER_LEN: usize = 8 * 1024;

impl Webhook {
    /// `whsec_<base64>` (the prefix is optional).
    pub fn new(secret: &str) -> Result<Self, WebhookError> {
        let b64 = secret.strip_prefix("whsec_").unwrap_or(secret);
        let key = STANDARD
            .decode(b64.trim())
            .map_err(|_| WebhookError::InvalidSecret)?;
        if key.is_empty() {
            return Err(WebhookError::InvalidSecret);
        }
        Ok(Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, &key),
        })
    }

    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> String {
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(id.as_bytes());
        ctx.update(b".");
        ctx.update(timestamp.as_bytes());
        ctx.update(b".");
        ctx.update(body);
        STANDARD.encode(ctx.sign().as_ref())
    }

    /// `v1,<base64 signature>` for a message (what a sender puts in `svix-signature`).
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        format!("v1,{}", self.mac(id, &timestamp.to_string(), body))
    }

    /// Verifies a request's `svix-*` (or `webhook-*`) headers against its raw body, now.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
        self.verify_with_clock(headers, body, &SystemClock)
    }

    pub fn verify_with_clock(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        clock: &dyn Clock,
    ) -> Result<(), WebhookError> {
        let get = |a: &str, b: &str| -> Result<Option<&str>, WebhookError> {
            match headers.get(a).or_else(|| headers.get(b)) {
                None => Ok(None),
                Some(v) => v
                    .to_str()
                    .map(Some)
                    .map_err(|_| WebhookError::InvalidHeaders),
            }
        };
        let (Some(id), Some(ts), Some(sig)) = (
            get("svix-id", "webhook-id")?,
            get("svix-timestamp", "webhook-timestamp")?,
            get("svix-signature", "webhook-signature")?,
        ) else {
            return Err(WebhookError::MissingHeaders);
        };
        self.verify_at(id, ts, sig, body, clock.now_ms().div_euclid(1000))
    }

    /// Verifies explicit header values at `now` (seconds since the epoch).
    pub fn verify_at(
        &self,
        id: &str,
        timestamp: &str,
        signatures: &str,
        body: &[u8],
        now_secs: i64,
    ) -> Result<(), WebhookError> {
        if id.is_empty() || id.len() > MAX_HEADER_LEN || signatures.len() > MAX_HEADER_LEN {
            return Err(WebhookError::InvalidHeaders);
        }
        let ts_str = timestamp.trim();
        if ts_str.is_empty() || ts_str.len() > 15 || !ts_str.bytes().all(|b| b.is_ascii_digit()) {
            return Err(WebhookError::InvalidHeaders);
        }
        let ts: i64 = ts_str.parse().map_err(|_| WebhookError::InvalidHeaders)?;
        if now_secs - ts > TOLERANCE_SECS {
            return Err(WebhookError::TimestampTooOld);
        }
        if ts > now_secs + TOLERANCE_SECS {
            return Err(WebhookError::TimestampTooNew);
        }
        let expected = self.mac(id, &ts.to_string(), body);
        let mut found = false;
        for entry in signatures.split(' ') {
            let Some((version, sig)) = entry.split_once(',') else {
                continue;
            };
            if version != "v1" {
                continue;
            }
            // Constant time over equal lengths; a length difference reveals nothing secret.
            if sig.len() == expected.len() && bool::from(sig.as_bytes().ct_eq(expected.as_bytes()))
            {
                found = true;
            }
        }
        if found {
            Ok(())
        } else {
            Err(WebhookError::NoMatchingSignature)
        }
    }

    /// Verifies, then parses the body as JSON (e.g. into your own event type, or
    /// `serde_json::Value`).
    pub fn verify_json<T: serde::de::DeserializeOwned>(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<T, WebhookError> {
        self.verify(headers, body)?;
        serde_json::from_slice(body).map_err(|e| WebhookError::InvalidPayload(e.to_string()))
    }
}

/// The `svix-id` of a request (the idempotency key), if present.
pub fn message_id(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("svix-id")
        .or_else(|| headers.get("webhook-id"))
        .and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TS: i64 = 1614265330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIG: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn reference_vector() {
        let wh = Webhook::new(SECRET).unwrap();
        assert_eq!(wh.sign(ID, TS, BODY), SIG);
        assert_eq!(wh.verify_at(ID, "1614265330", SIG, BODY, TS), Ok(()));
        // Several signatures, one of them right; other versions ignored.
        let many = format!("v1,AAAA v2,xyz {SIG}");
        assert_eq!(wh.verify_at(ID, "1614265330", &many, BODY, TS), Ok(()));
        // Without the prefix.
        let bare = Webhook::new("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(bare.verify_at(ID, "1614265330", SIG, BODY, TS), Ok(()));
    }

    #[test]
    fn tolerance_and_tampering() {
        let wh = Webhook::new(SECRET).unwrap();
        assert_eq!(wh.verify_at(ID, "1614265330", SIG, BODY, TS + 299), Ok(()));
        assert_eq!(
            wh.verify_at(ID, "1614265330", SIG, BODY, TS + 301),
            Err(WebhookError::TimestampTooOld)
        );
        assert_eq!(
            wh.verify_at(ID, "1614265330", SIG, BODY, TS - 301),
            Err(WebhookError::TimestampTooNew)
        );
        assert_eq!(
            wh.verify_at(ID, "1614265330", SIG, br#"{"test":2432232314}"#, TS),
            Err(WebhookError::NoMatchingSignature)
        );
        assert_eq!(
            wh.verify_at("msg_other", "1614265330", SIG, BODY, TS),
            Err(WebhookError::NoMatchingSignature)
        );
        let urlsafe = SIG.replace('+', "-").replace('/', "_");
        assert_eq!(
            wh.verify_at(ID, "1614265330", &urlsafe, BODY, TS),
            Err(WebhookError::NoMatchingSignature)
        );
        assert_eq!(
            wh.verify_at(ID, "16142x5330", SIG, BODY, TS),
            Err(WebhookError::InvalidHeaders)
        );
        assert_eq!(
            wh.verify_at(ID, "-1", SIG, BODY, TS),
            Err(WebhookError::InvalidHeaders)
        );
        assert!(Webhook::new("whsec_!!!").is_err());
    }

    #[test]
    fn headers() {
        let wh = Webhook::new(SECRET).unwrap();
        let clock = crate::clock::FixedClock::new(TS * 1000);
        let mut h = HeaderMap::new();
        assert_eq!(
            wh.verify_with_clock(&h, BODY, &clock),
            Err(WebhookError::MissingHeaders)
        );
        h.insert("svix-id", ID.parse().unwrap());
        h.insert("svix-timestamp", TS.to_string().parse().unwrap());
        h.insert("svix-signature", SIG.parse().unwrap());
        assert_eq!(wh.verify_with_clock(&h, BODY, &clock), Ok(()));
        assert_eq!(message_id(&h), Some(ID));
    }
}
