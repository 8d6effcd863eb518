//! `usher webhooks …`: the webhook runbook from the command line. It works on the database
//! directly (like `usher keys`), with the same use cases as the Backend API, so it works while
//! the server is down too; a running server picks changes up within a second.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Subcommand;
use serde::Serialize;
use serde_json::json;
use usher_core::CoreError;
use usher_core::clock::{Clock, SystemClock};
use usher_core::ids::{EventId, WebhookEndpointId};
use usher_core::users::query::Page;
use usher_core::webhooks::endpoint::{EndpointPatch, NewEndpoint};
use usher_core::webhooks::retry::parse_duration_ms;
use usher_core::webhooks::{DeliveryFilter, DeliveryQuery, RetrySchedule};
use usher_server::app::context::RequestContext;
use usher_server::app::webhooks as app;
use usher_server::config::{ServerConfig, WebhookConfig};
use usher_server::state::AppState;
use usher_server::wire::webhooks::{DeliveryJson, EndpointJson};

use crate::CommonArgs;
use crate::output::{outln, time};

/// Webhook settings of `usher serve`.
#[derive(clap::Args, Clone)]
pub struct ServeWebhookArgs {
    /// Let a production instance deliver webhooks to loopback, private and link-local addresses
    /// (and over plain http). Development instances always allow loopback.
    #[arg(long, env = "USHER_WEBHOOK_ALLOW_PRIVATE_NETWORKS")]
    pub webhook_allow_private_networks: bool,
    /// Waits before each delivery attempt (Svix's schedule by default).
    #[arg(
        long,
        env = "USHER_WEBHOOK_RETRY_SCHEDULE",
        default_value = "0,5s,5m,30m,2h,5h,10h,10h"
    )]
    pub webhook_retry_schedule: String,
    /// How long a receiver has to answer with a 2xx (e.g. 15s, 500ms).
    #[arg(long, env = "USHER_WEBHOOK_TIMEOUT", default_value = "15s")]
    pub webhook_timeout: String,
    /// Webhook endpoints this process delivers to at once.
    #[arg(long, env = "USHER_WEBHOOK_CONCURRENCY", default_value_t = 8)]
    pub webhook_concurrency: usize,
    /// This node's name in webhook leases (default: the host name). Processes sharing a
    /// database on one host need different names.
    #[arg(long, env = "USHER_NODE_ID")]
    pub node_id: Option<String>,
}

impl ServeWebhookArgs {
    pub fn config(&self) -> anyhow::Result<WebhookConfig> {
        let schedule = RetrySchedule::parse(&self.webhook_retry_schedule)
            .map_err(|e| anyhow::anyhow!("--webhook-retry-schedule: {e}"))?;
        let timeout = parse_duration_ms(self.webhook_timeout.trim())
            .map_err(|e| anyhow::anyhow!("--webhook-timeout: {e}"))?;
        if !(100..=120_000).contains(&timeout) {
            bail!("--webhook-timeout must be between 100ms and 120s");
        }
        let timeout = Duration::from_millis(u64::try_from(timeout)?);
        Ok(WebhookConfig {
            allow_private_networks: self.webhook_allow_private_networks,
            retry_schedule: schedule,
            timeout,
            // A lease outlives the longest request with room to spare.
            lease: (timeout * 2).max(Duration::from_secs(30)),
            concurrency: self.webhook_concurrency.clamp(1, 256),
            node_id: self.node_id.clone(),
            ..WebhookConfig::default()
        })
    }
}

/// The one delivery setting that decides which endpoint URLs are accepted (`create`, `update`):
/// accepted before or after the subcommand, where the refusal's hint leads the operator to type it.
#[derive(clap::Args, Clone)]
pub struct PolicyArgs {
    /// Accept endpoint URLs on loopback, private and link-local addresses (and plain http on a
    /// production instance), as `usher serve --webhook-allow-private-networks` delivers to them.
    #[arg(long, env = "USHER_WEBHOOK_ALLOW_PRIVATE_NETWORKS", global = true)]
    pub webhook_allow_private_networks: bool,
}

/// An endpoint id from the command line; a malformed one names no endpoint.
fn endpoint_id(id: &str) -> Result<WebhookEndpointId, CoreError> {
    WebhookEndpointId::parse(id).map_err(|_| CoreError::NotFound {
        resource: "webhook endpoint",
    })
}

/// A message id from the command line; a malformed one names no message.
fn message_id(id: &str) -> Result<EventId, CoreError> {
    EventId::parse(id).map_err(|_| CoreError::NotFound {
        resource: "webhook message",
    })
}

#[derive(Subcommand)]
pub enum WebhooksAction {
    /// List the endpoints with their queue depth and the last day's success ratio.
    List,
    /// Create an endpoint and print its signing secret (shown only now).
    Create {
        /// Where to POST the events: an http(s) URL (https on production instances).
        #[arg(long)]
        url: String,
        /// An event type to deliver (repeat for several); none means every event.
        #[arg(long = "event")]
        events: Vec<String>,
        /// A note for operators (who receives it, what for).
        #[arg(long)]
        description: Option<String>,
        /// At most this many deliveries per second.
        #[arg(long)]
        rate_limit: Option<u32>,
    },
    /// Change an endpoint's URL, filter, description or rate limit.
    Update {
        /// The endpoint (ep_…).
        id: String,
        /// The new URL.
        #[arg(long)]
        url: Option<String>,
        /// Replace the filter with these types (repeat for several).
        #[arg(long = "event", conflicts_with = "all_events")]
        events: Vec<String>,
        /// Deliver every event.
        #[arg(long)]
        all_events: bool,
        /// The new note for operators.
        #[arg(long)]
        description: Option<String>,
        /// At most this many deliveries per second.
        #[arg(long, conflicts_with = "no_rate_limit")]
        rate_limit: Option<u32>,
        /// Remove the rate limit.
        #[arg(long)]
        no_rate_limit: bool,
    },
    /// Delete an endpoint with its queue and history.
    Delete {
        /// The endpoint (ep_…).
        id: String,
    },
    /// Stop delivering to an endpoint; events keep queueing, none are lost.
    Pause {
        /// The endpoint (ep_…).
        id: String,
    },
    /// Deliver again (also to an endpoint Usher disabled), starting with the oldest queued event.
    Resume {
        /// The endpoint (ep_…).
        id: String,
    },
    /// Make a new signing secret (printed only now); the old one keeps signing for 24 hours.
    RotateSecret {
        /// The endpoint (ep_…).
        id: String,
    },
    /// List an endpoint's deliveries, newest first, with every attempt.
    Deliveries {
        /// The endpoint (ep_…).
        id: String,
        /// pending, failing (pending with at least one failed attempt: what an outage leaves
        /// stuck), succeeded or failed (the schedule ran out).
        #[arg(long)]
        status: Option<String>,
        /// Only this message (msg_…).
        #[arg(long)]
        message: Option<String>,
        /// At most this many deliveries (1 to 500).
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Queue one message again for every endpoint that had it, whatever its state, and attempt
    /// it now: its retry schedule starts over, even if it ran out or its next attempt was hours
    /// away.
    Retry {
        /// The message (msg_…), as `deliveries` lists it.
        msg_id: String,
        /// Only for this endpoint.
        #[arg(long)]
        endpoint: Option<String>,
    },
    /// Queue again every event an endpoint accepts since a time, in commit order.
    Replay {
        /// The endpoint (ep_…).
        id: String,
        /// Epoch milliseconds, an RFC 3339 time, or a duration ago (30m, 6h).
        #[arg(long)]
        since: String,
    },
    /// Send a user.updated snapshot of every user to an endpoint, so its receiver can rebuild
    /// its table.
    Resync {
        /// The endpoint (ep_…).
        id: String,
    },
}

fn print<T: Serialize>(
    as_json: bool,
    value: &T,
    text: impl FnOnce() -> String,
) -> anyhow::Result<()> {
    if as_json {
        outln!("{}", serde_json::to_string_pretty(value)?)?;
    } else {
        outln!("{}", text())?;
    }
    Ok(())
}

pub(crate) fn parse_since(s: &str, now: i64) -> anyhow::Result<i64> {
    let s = s.trim();
    if let Ok(ms) = s.parse::<i64>() {
        return Ok(ms);
    }
    if let Some(ms) = usher_server::extract::body::parse_rfc3339(s) {
        return Ok(ms);
    }
    let ago = parse_duration_ms(s.trim_end_matches(" ago")).map_err(|_| {
        anyhow::anyhow!(
            "--since: give epoch milliseconds, an RFC 3339 time or a duration such as 6h"
        )
    })?;
    Ok(now - ago)
}

fn endpoint_line(e: &EndpointJson) -> String {
    format!(
        "{}  {:8}  {}  events: {}{}",
        e.id,
        e.status,
        e.url,
        if e.events.is_empty() {
            "all".to_owned()
        } else {
            e.events.join(",")
        },
        e.rate_limit
            .map(|r| format!("  rate: {r}/s"))
            .unwrap_or_default()
    )
}

pub fn run(
    common: CommonArgs,
    policy: PolicyArgs,
    as_json: bool,
    action: WebhooksAction,
) -> anyhow::Result<()> {
    let cfg = ServerConfig {
        database_url: common.database_url,
        webhooks: WebhookConfig {
            allow_private_networks: policy.webhook_allow_private_networks,
            ..WebhookConfig::default()
        },
        ..ServerConfig::with_data_dir(common.data_dir)
    };
    crate::offline::ensure_instance(&cfg)?;
    crate::offline::runtime()?.block_on(async move {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let state = usher_server::offline::open(&cfg, clock).await?;
        act(&state, as_json, action).await
    })
}

async fn act(state: &AppState, as_json: bool, action: WebhooksAction) -> anyhow::Result<()> {
    let ctx = RequestContext::system("cli");
    match action {
        WebhooksAction::List => {
            let endpoints = app::list(state).await?;
            let stats = state
                .store
                .webhook_stats(&state.instance.id, state.now() - 24 * 3600 * 1000)
                .await?;
            let rows: Vec<_> = endpoints
                .iter()
                .map(|e| {
                    let s = stats.iter().find(|s| s.endpoint_id == e.id);
                    let mut v =
                        serde_json::to_value(EndpointJson::new(e, None)).unwrap_or_default();
                    v["queue_depth"] = json!(s.map_or(0, |s| s.queue_depth));
                    v["oldest_undelivered_at"] = json!(s.and_then(|s| s.oldest_pending_at));
                    v["attempts_succeeded_24h"] = json!(s.map_or(0, |s| s.attempts_succeeded));
                    v["attempts_failed_24h"] = json!(s.map_or(0, |s| s.attempts_failed));
                    v
                })
                .collect();
            print(as_json, &rows, || {
                if endpoints.is_empty() {
                    return "no webhook endpoints".into();
                }
                endpoints
                    .iter()
                    .zip(&rows)
                    .map(|(e, r)| {
                        format!(
                            "{}\n    queued: {}  oldest: {}  last 24h: {} ok, {} failed",
                            endpoint_line(&EndpointJson::new(e, None)),
                            r["queue_depth"],
                            time(r["oldest_undelivered_at"].as_i64()),
                            r["attempts_succeeded_24h"],
                            r["attempts_failed_24h"],
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        WebhooksAction::Create {
            url,
            events,
            description,
            rate_limit,
        } => {
            let input = NewEndpoint {
                url,
                description,
                events,
                rate_limit,
            };
            let (ep, secret) = app::create(state, &ctx, input).await?;
            let j = EndpointJson::new(&ep, Some(&secret));
            print(as_json, &j, || {
                format!(
                    "{}\nsigning secret (shown only now): {}",
                    endpoint_line(&j),
                    j.secret.clone().unwrap_or_default()
                )
            })
        }
        WebhooksAction::Update {
            id,
            url,
            events,
            all_events,
            description,
            rate_limit,
            no_rate_limit,
        } => {
            let patch = EndpointPatch {
                url,
                description,
                events: if all_events {
                    Some(Vec::new())
                } else if events.is_empty() {
                    None
                } else {
                    Some(events)
                },
                rate_limit: if no_rate_limit {
                    Some(None)
                } else {
                    rate_limit.map(Some)
                },
            };
            let ep = app::update(state, &ctx, &endpoint_id(&id)?, patch).await?;
            let j = EndpointJson::new(&ep, None);
            print(as_json, &j, || endpoint_line(&j))
        }
        WebhooksAction::Delete { id } => {
            let ep = app::delete(state, &ctx, &endpoint_id(&id)?).await?;
            print(
                as_json,
                &json!({"object": "webhook_endpoint", "id": ep.id, "deleted": true}),
                || format!("deleted {}", ep.id),
            )
        }
        WebhooksAction::Pause { id } => {
            let ep = app::set_paused(state, &ctx, &endpoint_id(&id)?, true).await?;
            let j = EndpointJson::new(&ep, None);
            print(as_json, &j, || endpoint_line(&j))
        }
        WebhooksAction::Resume { id } => {
            let ep = app::set_paused(state, &ctx, &endpoint_id(&id)?, false).await?;
            let j = EndpointJson::new(&ep, None);
            print(as_json, &j, || endpoint_line(&j))
        }
        WebhooksAction::RotateSecret { id } => {
            let (ep, secret) = app::rotate_secret(state, &ctx, &endpoint_id(&id)?).await?;
            let j = EndpointJson::new(&ep, Some(&secret));
            print(as_json, &j, || {
                format!(
                    "new signing secret (shown only now; the old one signs too for 24 hours): {}",
                    j.secret.clone().unwrap_or_default()
                )
            })
        }
        WebhooksAction::Deliveries {
            id,
            status,
            message,
            limit,
        } => {
            let status = match status.as_deref() {
                None => None,
                Some(s) => Some(
                    DeliveryFilter::parse(s)
                        .with_context(|| format!("--status {}", DeliveryFilter::EXPECTED))?,
                ),
            };
            let page = Page::new(Some(limit), None)?;
            let (items, total) = app::deliveries(
                state,
                &DeliveryQuery {
                    endpoint_id: endpoint_id(&id)?,
                    status,
                    event_id: message.as_deref().map(message_id).transpose()?,
                    limit: page.limit,
                    offset: 0,
                },
            )
            .await?;
            let data: Vec<DeliveryJson> = items.iter().map(DeliveryJson::from).collect();
            print(
                as_json,
                &json!({"data": data, "total_count": total}),
                || {
                    let mut out = vec![format!("{total} deliveries")];
                    for d in &data {
                        out.push(format!(
                            "{}  {:16}  {:9}  attempts: {}  queued: {}",
                            d.message_id,
                            d.event_type,
                            d.status,
                            d.attempts,
                            time(Some(d.created_at))
                        ));
                        for a in &d.attempt_history {
                            out.push(format!(
                                "    {}  {:9}  status: {}  {} ms{}",
                                time(Some(a.attempted_at)),
                                a.status,
                                a.response_status_code
                                    .map_or_else(|| "-".to_owned(), |c| c.to_string()),
                                a.latency_ms,
                                a.error
                                    .as_deref()
                                    .map(|e| format!("  error: {e}"))
                                    .unwrap_or_default()
                            ));
                        }
                    }
                    out.join("\n")
                },
            )
        }
        WebhooksAction::Retry { msg_id, endpoint } => {
            let endpoints = app::retry_message(
                state,
                &ctx,
                &message_id(&msg_id)?,
                endpoint.as_deref().map(endpoint_id).transpose()?.as_ref(),
            )
            .await?;
            print(
                as_json,
                &json!({"object": "webhook_retry", "message_id": msg_id, "endpoint_ids": endpoints}),
                || {
                    format!(
                        "{msg_id} queued again for {}, to be attempted now with a fresh retry schedule",
                        endpoints.join(", ")
                    )
                },
            )
        }
        WebhooksAction::Replay { id, since } => {
            let since = parse_since(&since, state.now())?;
            let n = app::replay(state, &ctx, &endpoint_id(&id)?, since).await?;
            print(
                as_json,
                &json!({"object": "webhook_replay", "endpoint_id": id, "since": since, "queued": n}),
                || {
                    format!(
                        "{n} deliveries queued again for {id} (events since {})",
                        time(Some(since))
                    )
                },
            )
        }
        WebhooksAction::Resync { id } => {
            let n = app::resync(state, &ctx, &endpoint_id(&id)?).await?;
            print(
                as_json,
                &json!({"object": "webhook_resync", "endpoint_id": id, "queued": n}),
                || format!("{n} user snapshots queued for {id}"),
            )
        }
    }
}
