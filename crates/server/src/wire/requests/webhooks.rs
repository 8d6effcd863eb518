//! `/v1/webhooks` bodies (an Usher extension).

use serde::Deserialize;
use serde::de::Deserializer;
use usher_core::CoreError;
use usher_core::webhooks::endpoint::{EndpointPatch, NewEndpoint};

use super::fields;

/// `events`: absent or `null` gives no filter; otherwise an array of event type names.
fn events<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    fields::optional_strings(d, "must be an array of event types")
}

/// `rate_limit`: `null` removes the limit.
fn rate_limit<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<u32>>, D::Error> {
    match fields::nullable_int::deserialize(d)? {
        Some(Some(n)) => u32::try_from(n)
            .map(|n| Some(Some(n)))
            .map_err(|_| fields::value("must be between 1 and 10000")),
        other => Ok(other.map(|_| None)),
    }
}

/// `POST /v1/webhooks/endpoints`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateEndpointRequest {
    #[serde(with = "fields::required_string")]
    url: String,
    #[serde(default, deserialize_with = "events")]
    events: Option<Vec<String>>,
    #[serde(default, with = "fields::string")]
    description: Option<String>,
    #[serde(default, deserialize_with = "rate_limit")]
    rate_limit: Option<Option<u32>>,
}

impl From<CreateEndpointRequest> for NewEndpoint {
    fn from(r: CreateEndpointRequest) -> Self {
        NewEndpoint {
            url: r.url,
            description: r.description,
            events: r.events.unwrap_or_default(),
            rate_limit: r.rate_limit.flatten(),
        }
    }
}

/// `PATCH /v1/webhooks/endpoints/{endpoint_id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateEndpointRequest {
    #[serde(default, with = "fields::string")]
    url: Option<String>,
    /// `[]` means every event; `null` leaves the filter as it is.
    #[serde(default, deserialize_with = "events")]
    events: Option<Vec<String>>,
    #[serde(default, with = "fields::nullable_string")]
    description: Option<Option<String>>,
    #[serde(default, deserialize_with = "rate_limit")]
    rate_limit: Option<Option<u32>>,
}

impl From<UpdateEndpointRequest> for EndpointPatch {
    fn from(r: UpdateEndpointRequest) -> Self {
        EndpointPatch {
            url: r.url,
            description: r.description.map(Option::unwrap_or_default),
            events: r.events,
            rate_limit: r.rate_limit,
        }
    }
}

/// `POST /v1/webhooks/endpoints/{endpoint_id}/replay`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    #[serde(with = "fields::required_int")]
    since: i64,
}

impl ReplayRequest {
    /// Milliseconds since the epoch.
    pub fn since(&self) -> Result<i64, CoreError> {
        if self.since < 0 {
            return Err(CoreError::value(
                "since",
                "must be a time in milliseconds since the epoch",
            ));
        }
        Ok(self.since)
    }
}

/// `POST /v1/webhooks/messages/{msg_id}/retry`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryMessageRequest {
    #[serde(default, with = "fields::string")]
    pub endpoint_id: Option<String>,
}
