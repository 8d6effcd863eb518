//! Data lifecycle: what a deleted user's erasure removes (the purge), and how long the records
//! Usher keeps for operators (events, webhook deliveries, emails, text messages, audit entries)
//! are kept (retention).
//!
//! A user's delete commits a [`PiiPurge`] with the user's own rows removed at once; the purge
//! worker then scrubs what mentions the user elsewhere (event payloads, emails and text messages
//! to their addresses, audit entries' client addresses) in batches, within [`PURGE_DEADLINE_MS`].
//! Scrubbing keeps ids, timestamps, event types and statuses and removes personal data: a
//! payload's [`PII_KEYS`] become `null` (metadata objects `{}`), and so does any other string
//! holding one of the user's identifiers.

use serde_json::{Map, Value};

use crate::clock::Millis;
use crate::ids::UserId;
use crate::instance::InstanceSettings;
use crate::users::User;

const HOUR_MS: Millis = 3_600_000;
const DAY_MS: Millis = 24 * HOUR_MS;

/// Every purge is finished within this long of the delete (the promise is 24 hours; the
/// rest is slack for a worker's interval and a stalled node's lease).
pub const PURGE_DEADLINE_MS: Millis = 20 * HOUR_MS;

/// Payloads of events still waiting to be delivered to a webhook endpoint are left as they were
/// committed until this long after the delete, so the application receives them intact; after
/// that they are scrubbed too (and delivered scrubbed).
pub const PENDING_GRACE_MS: Millis = 12 * HOUR_MS;

/// Identifiers shorter than this are not searched for in free text (too many false matches).
const MIN_NEEDLE_LEN: usize = 4;

/// The keys of Clerk's payloads that hold personal data, scrubbed wherever they appear.
pub const PII_KEYS: &[&str] = &[
    "email_address",
    "phone_number",
    "username",
    "first_name",
    "last_name",
    "image_url",
    "profile_image_url",
    "avatar_url",
    "public_metadata",
    "private_metadata",
    "unsafe_metadata",
    "ip_address",
    "client_ip",
    "user_agent",
    "city",
    "country",
    "browser_name",
    "browser_version",
    "device_type",
    "web3_wallet",
    "identifier",
    "to_email_address",
    "to_phone_number",
    "subject",
    "body",
    "body_plain",
    "message",
];

/// A deleted user's erasure, as the purge worker completes it.
#[derive(Debug, Clone, PartialEq)]
pub struct PiiPurge {
    pub user_id: UserId,
    /// What finds the user's traces in other records (lowercased email addresses, phone
    /// numbers, the username). Emptied once the purge is done.
    pub identifiers: Vec<String>,
    pub deleted_at: Millis,
    pub done_at: Option<Millis>,
}

impl PiiPurge {
    /// The purge a user's delete commits.
    pub fn for_user(user: &User, now: Millis) -> Self {
        let mut identifiers: Vec<String> = user
            .email_addresses
            .iter()
            .map(|e| e.email_address.to_lowercase())
            .chain(user.phone_numbers.iter().map(|p| p.phone_number.clone()))
            .chain(user.username.iter().map(|u| u.to_lowercase()))
            .collect();
        identifiers.sort();
        identifiers.dedup();
        Self {
            user_id: user.id.clone(),
            identifiers,
            deleted_at: now,
            done_at: None,
        }
    }

    /// The identifiers that are email addresses.
    pub fn email_addresses(&self) -> Vec<String> {
        self.identifiers
            .iter()
            .filter(|i| i.contains('@'))
            .cloned()
            .collect()
    }

    /// The identifiers that are phone numbers.
    pub fn phone_numbers(&self) -> Vec<String> {
        self.identifiers
            .iter()
            .filter(|i| i.starts_with('+'))
            .cloned()
            .collect()
    }

    /// The identifiers a payload's free text is scrubbed of, lowercased.
    pub fn needles(&self) -> Vec<String> {
        self.identifiers
            .iter()
            .map(|i| i.to_lowercase())
            .filter(|n| n.len() >= MIN_NEEDLE_LEN)
            .collect()
    }

    /// Whether a stored payload mentions the user: their id or one of their identifiers.
    pub fn concerns(&self, text: &str) -> bool {
        text.contains(self.user_id.as_str()) || mentions(text, &self.needles())
    }

    /// Whether payloads still pending delivery are scrubbed too by now.
    pub fn scrub_pending(&self, now: Millis) -> bool {
        now >= self.deleted_at + PENDING_GRACE_MS
    }
}

/// Whether `text` (a stored payload) mentions any of `needles` (lowercase).
pub fn mentions(text: &str, needles: &[String]) -> bool {
    let lower = text.to_lowercase();
    needles.iter().any(|n| lower.contains(n.as_str()))
}

/// Scrubs personal data from a payload in place: [`PII_KEYS`] become `null` (objects `{}`),
/// an email's or text message's `data` (the template's values) `{}`, and any other string that
/// holds one of `needles` (lowercase) `null`. Ids, timestamps, types and statuses stay. Returns
/// whether anything changed.
pub fn redact(value: &mut Value, needles: &[String]) -> bool {
    match value {
        Value::Object(map) => redact_object(map, needles),
        Value::Array(items) => {
            // Every item, not just up to the first change.
            let mut changed = false;
            for v in items {
                changed |= redact(v, needles);
            }
            changed
        }
        Value::String(s) if mentions(s, needles) => {
            *value = Value::Null;
            true
        }
        _ => false,
    }
}

fn redact_object(map: &mut Map<String, Value>, needles: &[String]) -> bool {
    let message = matches!(
        map.get("object").and_then(Value::as_str),
        Some("email" | "sms_message")
    );
    let mut changed = false;
    for (key, v) in map.iter_mut() {
        let personal = PII_KEYS.contains(&key.as_str()) || (message && key == "data");
        changed |= if personal {
            blank(v)
        } else {
            redact(v, needles)
        };
    }
    changed
}

fn blank(v: &mut Value) -> bool {
    let empty = match v {
        Value::Null => return false,
        Value::Object(m) if m.is_empty() => return false,
        Value::Object(_) => Value::Object(Map::new()),
        Value::Bool(_) | Value::Number(_) => return false,
        _ => Value::Null,
    };
    *v = empty;
    true
}

/// Retention: each kind of record kept for this many days (0: kept forever).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub events_days: i64,
    pub webhook_deliveries_days: i64,
    pub emails_days: i64,
    pub sms_days: i64,
    pub audit_days: i64,
}

impl Retention {
    pub fn of(s: &InstanceSettings) -> Self {
        Self {
            events_days: s.retention_events_days,
            webhook_deliveries_days: s.retention_webhook_deliveries_days,
            emails_days: s.retention_emails_days,
            sms_days: s.retention_sms_days,
            audit_days: s.retention_audit_days,
        }
    }

    /// What is older than these times goes (`None`: kept forever).
    pub fn cutoffs(&self, now: Millis) -> RetentionCutoffs {
        let before = |days: i64| (days > 0).then(|| now - days * DAY_MS);
        RetentionCutoffs {
            events: before(self.events_days),
            webhook_deliveries: before(self.webhook_deliveries_days),
            emails: before(self.emails_days),
            sms: before(self.sms_days),
            audit: before(self.audit_days),
        }
    }
}

/// The times before which records go, per kind (`None`: kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RetentionCutoffs {
    pub events: Option<Millis>,
    pub webhook_deliveries: Option<Millis>,
    pub emails: Option<Millis>,
    pub sms: Option<Millis>,
    pub audit: Option<Millis>,
}

/// What one retention pass removed, per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pruned {
    pub events: u64,
    pub webhook_deliveries: u64,
    pub emails: u64,
    pub sms: u64,
    pub audit: u64,
    /// Social sign-in states whose ten minutes ran out before the browser came back.
    pub oauth_states: u64,
}

impl Pruned {
    pub fn total(&self) -> u64 {
        self.events
            + self.webhook_deliveries
            + self.emails
            + self.sms
            + self.audit
            + self.oauth_states
    }
}

/// Where a purge step left its user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PurgeStep {
    /// Payloads scrubbed and rows removed in this step.
    pub scrubbed: u64,
    /// Everything the purge covers is clean: the purge is recorded as done.
    pub done: bool,
    /// The purge waits for something still in flight (an event pending delivery, a queued
    /// email) until that is finished or [`PiiPurge::scrub_pending`].
    pub held: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redacts_personal_keys_and_identifiers_but_keeps_ids() {
        let needles = vec!["ada@example.com".to_owned()];
        let mut v = json!({
            "object": "user", "id": "user_2abc", "first_name": "Ada", "created_at": 5,
            "email_addresses": [{"id": "idn_1", "email_address": "Ada@Example.com", "object": "email_address"}],
            "public_metadata": {"tier": "gold"}, "banned": false,
            "note": "wrote to ada@example.com"
        });
        assert!(redact(&mut v, &needles));
        assert_eq!(
            v,
            json!({
                "object": "user", "id": "user_2abc", "first_name": null, "created_at": 5,
                "email_addresses": [{"id": "idn_1", "email_address": null, "object": "email_address"}],
                "public_metadata": {}, "banned": false, "note": null
            })
        );
        assert!(!redact(&mut v, &needles), "a second pass changes nothing");
    }

    #[test]
    fn user_deleted_payload_is_left_alone_without_needles() {
        let mut v = json!({"object": "user", "id": "user_x", "deleted": true});
        assert!(!redact(&mut v, &[]));
    }

    #[test]
    fn email_template_data_goes() {
        let mut v = json!({"object": "email", "id": "ema_1", "data": {"otp_code": "123456"}, "status": "sent"});
        assert!(redact(&mut v, &[]));
        assert_eq!(
            v,
            json!({"object": "email", "id": "ema_1", "data": {}, "status": "sent"})
        );
    }

    #[test]
    fn cutoffs_skip_zero() {
        let r = Retention {
            events_days: 1,
            webhook_deliveries_days: 0,
            emails_days: 2,
            sms_days: 0,
            audit_days: 0,
        };
        let c = r.cutoffs(10 * DAY_MS);
        assert_eq!(c.events, Some(9 * DAY_MS));
        assert_eq!(c.webhook_deliveries, None);
        assert_eq!(c.emails, Some(8 * DAY_MS));
    }
}
