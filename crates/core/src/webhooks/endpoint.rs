//! Webhook endpoints: where events go, which ones, and with which signing secrets.

use serde::{Deserialize, Serialize};

use super::catalog;
use super::policy::DestinationPolicy;
use super::signing::Secret;
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::WebhookEndpointId;
use crate::text;

/// How long a rotated-out secret keeps signing beside the new one (as Svix: 24 hours).
pub const ROTATION_WINDOW: Millis = 24 * 3600 * 1000;
pub const MAX_DESCRIPTION: usize = 1024;
pub const MAX_EVENT_TYPES: usize = 100;
/// Deliveries per second an endpoint may ask for at most.
pub const MAX_RATE_LIMIT: u32 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointStatus {
    /// Delivering.
    Active,
    /// Paused by an operator: events queue up, none are lost.
    Paused,
    /// Disabled by Usher after five days of failures; events queue up until resumed.
    Disabled,
}

impl EndpointStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointStatus::Active => "active",
            EndpointStatus::Paused => "paused",
            EndpointStatus::Disabled => "disabled",
        }
    }
}

/// A signing secret and, once rotated out, when it stops signing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointSecret {
    pub secret: Secret,
    pub created_at: Millis,
    pub expires_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    pub id: WebhookEndpointId,
    /// Optimistic-concurrency counter for the configuration.
    #[serde(default)]
    pub version: i64,
    pub url: String,
    pub description: String,
    /// Event types delivered; empty means every event.
    pub events: Vec<String>,
    pub status: EndpointStatus,
    /// At most this many deliveries per second, if set.
    pub rate_limit: Option<u32>,
    /// The current secret first, then any still in their rotation window.
    pub secrets: Vec<EndpointSecret>,
    pub disabled_reason: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl WebhookEndpoint {
    pub fn accepts(&self, event_type: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|e| e == event_type)
    }

    /// The secrets that sign a delivery made at `now`: the current one and those rotated out
    /// less than [`ROTATION_WINDOW`] ago.
    pub fn signing_secrets(&self, now: Millis) -> Vec<&Secret> {
        self.secrets
            .iter()
            .filter(|s| s.expires_at.is_none_or(|t| t > now))
            .map(|s| &s.secret)
            .collect()
    }

    /// Makes a new secret current; the old one keeps signing for the rotation window, and
    /// secrets whose window has passed are dropped. Returns the new secret.
    pub fn rotate_secret(&mut self, now: Millis) -> Secret {
        let fresh = Secret::generate();
        for s in &mut self.secrets {
            if s.expires_at.is_none() {
                s.expires_at = Some(now + ROTATION_WINDOW);
            }
        }
        self.secrets
            .retain(|s| s.expires_at.is_none_or(|t| t > now));
        self.secrets.insert(
            0,
            EndpointSecret {
                secret: fresh.clone(),
                created_at: now,
                expires_at: None,
            },
        );
        self.updated_at = now;
        fresh
    }

    pub fn set_status(&mut self, status: EndpointStatus, reason: Option<String>, now: Millis) {
        self.status = status;
        self.disabled_reason = reason;
        self.updated_at = now;
    }
}

/// What an operator sends to create an endpoint.
#[derive(Debug, Clone, Default)]
pub struct NewEndpoint {
    pub url: String,
    pub description: Option<String>,
    pub events: Vec<String>,
    pub rate_limit: Option<u32>,
}

/// A change to an endpoint's configuration; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub description: Option<String>,
    pub events: Option<Vec<String>>,
    /// `Some(None)` removes the limit.
    pub rate_limit: Option<Option<u32>>,
}

fn check_events(events: Vec<String>) -> CoreResult<Vec<String>> {
    if events.len() > MAX_EVENT_TYPES {
        return Err(CoreError::value(
            "events",
            format!("may list at most {MAX_EVENT_TYPES} event types"),
        ));
    }
    let mut out: Vec<String> = Vec::with_capacity(events.len());
    for e in events {
        if !catalog::is_known(&e) {
            return Err(CoreError::value(
                "events",
                format!(
                    "contains an unknown event type '{}'",
                    e.chars().take(100).collect::<String>()
                ),
            ));
        }
        if !out.contains(&e) {
            out.push(e);
        }
    }
    Ok(out)
}

fn check_description(d: String) -> CoreResult<String> {
    text::at_most("description", &d, MAX_DESCRIPTION)?;
    Ok(d)
}

fn check_rate_limit(r: Option<u32>) -> CoreResult<Option<u32>> {
    match r {
        Some(0) => Err(CoreError::value("rate_limit", "must be at least 1")),
        Some(n) if n > MAX_RATE_LIMIT => Err(CoreError::value(
            "rate_limit",
            format!("must be at most {MAX_RATE_LIMIT} per second"),
        )),
        other => Ok(other),
    }
}

/// Validates the input and makes the endpoint with a fresh secret (returned once, here).
pub fn create(
    input: NewEndpoint,
    policy: &DestinationPolicy,
    now: Millis,
) -> CoreResult<(WebhookEndpoint, Secret)> {
    let url = policy.check_url(&input.url)?;
    let secret = Secret::generate();
    let endpoint = WebhookEndpoint {
        id: WebhookEndpointId::new(),
        version: 0,
        url: url.to_string(),
        description: check_description(input.description.unwrap_or_default())?,
        events: check_events(input.events)?,
        status: EndpointStatus::Active,
        rate_limit: check_rate_limit(input.rate_limit)?,
        secrets: vec![EndpointSecret {
            secret: secret.clone(),
            created_at: now,
            expires_at: None,
        }],
        disabled_reason: None,
        created_at: now,
        updated_at: now,
    };
    Ok((endpoint, secret))
}

/// Applies a patch, validating each field given.
pub fn update(
    endpoint: &mut WebhookEndpoint,
    patch: EndpointPatch,
    policy: &DestinationPolicy,
    now: Millis,
) -> CoreResult<()> {
    if let Some(u) = patch.url {
        endpoint.url = policy.check_url(&u)?.to_string();
    }
    if let Some(d) = patch.description {
        endpoint.description = check_description(d)?;
    }
    if let Some(e) = patch.events {
        endpoint.events = check_events(e)?;
    }
    if let Some(r) = patch.rate_limit {
        endpoint.rate_limit = check_rate_limit(r)?;
    }
    endpoint.updated_at = now;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::Environment;

    fn dev() -> DestinationPolicy {
        DestinationPolicy::for_instance(Environment::Development, false)
    }

    #[test]
    fn creates_with_a_secret_and_validates() {
        let (ep, secret) = create(
            NewEndpoint {
                url: "http://127.0.0.1:9000/hook".into(),
                events: vec!["user.created".into(), "user.created".into()],
                ..Default::default()
            },
            &dev(),
            10,
        )
        .unwrap();
        assert!(ep.id.starts_with("ep_"));
        assert_eq!(ep.events, ["user.created"]);
        assert!(ep.accepts("user.created") && !ep.accepts("user.deleted"));
        assert_eq!(ep.signing_secrets(10), [&secret]);
        let bad_event = NewEndpoint {
            url: "http://127.0.0.1/".into(),
            events: vec!["user.exploded".into()],
            ..Default::default()
        };
        assert!(
            matches!(create(bad_event, &dev(), 0), Err(CoreError::ParamValueInvalid { param, .. }) if param == "events")
        );
        let bad_rate = NewEndpoint {
            url: "http://127.0.0.1/".into(),
            rate_limit: Some(0),
            ..Default::default()
        };
        assert!(create(bad_rate, &dev(), 0).is_err());
        let all = create(
            NewEndpoint {
                url: "http://127.0.0.1/".into(),
                ..Default::default()
            },
            &dev(),
            0,
        )
        .unwrap()
        .0;
        assert!(
            all.accepts("session.created")
                && all.accepts("usher.security.webhook_endpoint.created")
        );
    }

    #[test]
    fn rotation_keeps_the_old_secret_for_a_day() {
        let (mut ep, first) = create(
            NewEndpoint {
                url: "http://127.0.0.1/".into(),
                ..Default::default()
            },
            &dev(),
            0,
        )
        .unwrap();
        let second = ep.rotate_secret(1_000);
        assert_eq!(ep.signing_secrets(1_000), [&second, &first]);
        assert_eq!(ep.signing_secrets(1_000 + ROTATION_WINDOW), [&second]);
        let third = ep.rotate_secret(2_000 + ROTATION_WINDOW);
        assert_eq!(ep.secrets.len(), 2, "the expired secret is dropped");
        assert_eq!(
            ep.signing_secrets(2_000 + ROTATION_WINDOW),
            [&third, &second]
        );
    }
}
