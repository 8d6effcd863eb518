//! Webhook endpoints and the runbook's recovery tools, shared by the Backend API and the CLI.
//! Endpoint changes commit with their `usher.security.webhook_endpoint.*` event and audit entry.

use std::collections::HashSet;

use usher_core::events::DomainEvent;
use usher_core::ids::{EventId, WebhookEndpointId};
use usher_core::lifecycle::Retention;
use usher_core::store::Write;
use usher_core::users::create::{self, NewUser};
use usher_core::users::query::{Page, UserFilter, UserOrder, UserOrderField};
use usher_core::webhooks::endpoint::{self, EndpointPatch, NewEndpoint};
use usher_core::webhooks::{Delivery, DeliveryQuery, EndpointStatus, Secret, WebhookEndpoint};
use usher_core::{CoreError, CoreResult};

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::app::found;
use crate::state::AppState;

const ENDPOINT: &str = "webhook endpoint";

pub async fn list(state: &AppState) -> CoreResult<Vec<WebhookEndpoint>> {
    Ok(state.store.webhook_endpoints(&state.instance.id).await?)
}

pub async fn get(state: &AppState, id: &WebhookEndpointId) -> CoreResult<WebhookEndpoint> {
    found(
        state.store.webhook_endpoint(&state.instance.id, id).await?,
        ENDPOINT,
    )
}

/// Creates an endpoint; its secret is returned here and never again (until rotated).
pub async fn create(
    state: &AppState,
    ctx: &RequestContext,
    input: NewEndpoint,
) -> CoreResult<(WebhookEndpoint, Secret)> {
    let (ep, secret) = endpoint::create(input, state.webhooks.policy(), state.now())?;
    let mut change = Change::new(state, ctx);
    // The event is committed before the endpoint exists, so the new endpoint does not receive
    // the announcement of its own creation; the others do.
    change
        .event(DomainEvent::WebhookEndpointCreated(Box::new(ep.clone())))
        .write(Write::InsertWebhookEndpoint(ep.clone()));
    change
        .commit("webhook_endpoint.create", Some(&ep.id))
        .await?;
    Ok((get(state, &ep.id).await?, secret))
}

/// Re-reads, applies `f`, and commits the endpoint with its event; retried on a lost race.
async fn modify<F>(
    state: &AppState,
    ctx: &RequestContext,
    id: &WebhookEndpointId,
    action: &str,
    f: F,
) -> CoreResult<(WebhookEndpoint, Option<Secret>)>
where
    F: Fn(&mut WebhookEndpoint) -> CoreResult<(DomainEventKind, Option<Secret>)>,
{
    let secret = with_retry(|| async {
        let mut ep = get(state, id).await?;
        let (kind, secret) = f(&mut ep)?;
        let event = match kind {
            DomainEventKind::Updated => DomainEvent::WebhookEndpointUpdated(Box::new(ep.clone())),
            DomainEventKind::SecretRotated => {
                DomainEvent::WebhookEndpointSecretRotated(Box::new(ep.clone()))
            }
            DomainEventKind::Disabled => DomainEvent::WebhookEndpointDisabled(Box::new(ep.clone())),
        };
        let mut change = Change::new(state, ctx);
        change.write(Write::UpdateWebhookEndpoint(ep)).event(event);
        change.commit(action, Some(id)).await?;
        Ok(secret)
    })
    .await?;
    Ok((get(state, id).await?, secret))
}

enum DomainEventKind {
    Updated,
    SecretRotated,
    Disabled,
}

pub async fn update(
    state: &AppState,
    ctx: &RequestContext,
    id: &WebhookEndpointId,
    patch: EndpointPatch,
) -> CoreResult<WebhookEndpoint> {
    let policy = *state.webhooks.policy();
    let now = state.now();
    modify(state, ctx, id, "webhook_endpoint.update", |ep| {
        endpoint::update(ep, patch.clone(), &policy, now)?;
        Ok((DomainEventKind::Updated, None))
    })
    .await
    .map(|(ep, _)| ep)
}

/// Pausing keeps queueing events; resuming (also of a disabled endpoint) delivers them, in
/// order, starting at once.
pub async fn set_paused(
    state: &AppState,
    ctx: &RequestContext,
    id: &WebhookEndpointId,
    paused: bool,
) -> CoreResult<WebhookEndpoint> {
    let now = state.now();
    let (status, action) = if paused {
        (EndpointStatus::Paused, "webhook_endpoint.pause")
    } else {
        (EndpointStatus::Active, "webhook_endpoint.resume")
    };
    modify(state, ctx, id, action, |ep| {
        ep.set_status(status, None, now);
        Ok((DomainEventKind::Updated, None))
    })
    .await
    .map(|(ep, _)| ep)
}

/// A new secret signs from now on; the old one keeps signing beside it for 24 hours.
pub async fn rotate_secret(
    state: &AppState,
    ctx: &RequestContext,
    id: &WebhookEndpointId,
) -> CoreResult<(WebhookEndpoint, Secret)> {
    let now = state.now();
    let (ep, secret) = modify(state, ctx, id, "webhook_endpoint.rotate_secret", |ep| {
        let s = ep.rotate_secret(now);
        Ok((DomainEventKind::SecretRotated, Some(s)))
    })
    .await?;
    let secret = secret.ok_or_else(|| CoreError::Crypto("no secret was generated".into()))?;
    Ok((ep, secret))
}

/// Called by the worker when an endpoint has failed for five days.
pub async fn disable(
    state: &AppState,
    id: &WebhookEndpointId,
    reason: String,
) -> CoreResult<WebhookEndpoint> {
    let ctx = RequestContext::system("system:webhooks");
    let now = state.now();
    modify(state, &ctx, id, "webhook_endpoint.disable", |ep| {
        ep.set_status(EndpointStatus::Disabled, Some(reason.clone()), now);
        Ok((DomainEventKind::Disabled, None))
    })
    .await
    .map(|(ep, _)| ep)
}

pub async fn delete(
    state: &AppState,
    ctx: &RequestContext,
    id: &WebhookEndpointId,
) -> CoreResult<WebhookEndpoint> {
    with_retry(|| async {
        let ep = get(state, id).await?;
        let mut change = Change::new(state, ctx);
        change
            .write(Write::DeleteWebhookEndpoint {
                id: ep.id.clone(),
                version: ep.version,
            })
            .event(DomainEvent::WebhookEndpointDeleted(Box::new(ep.clone())));
        change.commit("webhook_endpoint.delete", Some(id)).await?;
        Ok(ep)
    })
    .await
}

pub async fn deliveries(
    state: &AppState,
    query: &DeliveryQuery,
) -> CoreResult<(Vec<Delivery>, i64)> {
    get(state, &query.endpoint_id).await?;
    Ok(state
        .store
        .webhook_deliveries(&state.instance.id, query)
        .await?)
}

/// Records an operator action that is not itself a `Change` (retry, replay).
async fn audit(
    state: &AppState,
    ctx: &RequestContext,
    action: &str,
    target: &str,
) -> CoreResult<()> {
    Change::new(state, ctx).commit(action, Some(target)).await
}

/// Queues message `msg_id` again for every endpoint that had it (or `endpoint_id` only), with a
/// fresh retry schedule, and starts at once. Returns the endpoint ids.
pub async fn retry_message(
    state: &AppState,
    ctx: &RequestContext,
    msg_id: &EventId,
    endpoint_id: Option<&WebhookEndpointId>,
) -> CoreResult<Vec<WebhookEndpointId>> {
    if let Some(ep) = endpoint_id {
        get(state, ep).await?;
    }
    let endpoints = state
        .store
        .retry_webhook_message(&state.instance.id, msg_id, endpoint_id, state.now())
        .await?;
    if endpoints.is_empty() {
        return Err(CoreError::NotFound {
            resource: "webhook message",
        });
    }
    audit(state, ctx, "webhook_message.retry", msg_id).await?;
    state.webhooks.wake();
    Ok(endpoints)
}

/// Queues again, in commit order, every event since `since` (ms) that the endpoint accepts.
pub async fn replay(
    state: &AppState,
    ctx: &RequestContext,
    endpoint_id: &WebhookEndpointId,
    since: i64,
) -> CoreResult<i64> {
    get(state, endpoint_id).await?;
    if let Some(kept_from) = Retention::of(&state.settings()).cutoffs(state.now()).events
        && since < kept_from
        && state.instance.created_at < kept_from
    {
        // Older events may already be pruned (an instance younger than the retention window
        // has lost none): a replay would silently send less.
        return Err(CoreError::value(
            "since",
            format!(
                "is before the events kept (retention_events_days = {}): the oldest replayable time is {kept_from}",
                state.settings().retention_events_days
            ),
        ));
    }
    let n = state
        .store
        .replay_webhook_endpoint(&state.instance.id, endpoint_id, since, state.now())
        .await?;
    audit(state, ctx, "webhook_endpoint.replay", endpoint_id).await?;
    state.webhooks.wake();
    Ok(n)
}

/// Users per resync transaction.
const RESYNC_PAGE: i64 = 500;
/// Each page re-reads this many users of the previous one, so that users deleted meanwhile
/// (which shift the pages) cannot make the resync skip anyone.
const RESYNC_OVERLAP: i64 = 50;

/// Queues a `user.updated` snapshot of every user for one endpoint, so that its receiver can
/// rebuild its table. Snapshots are ordinary deliveries: signed, retried, in commit order with
/// the live events around them. Returns how many were queued.
pub async fn resync(
    state: &AppState,
    ctx: &RequestContext,
    endpoint_id: &WebhookEndpointId,
) -> CoreResult<i64> {
    let ep = get(state, endpoint_id).await?;
    if !ep.accepts("user.updated") {
        return Err(CoreError::value(
            "endpoint",
            "does not subscribe to user.updated, which a resync sends",
        ));
    }
    let order = UserOrder {
        field: UserOrderField::CreatedAt,
        descending: false,
    };
    let mut sent: HashSet<String> = HashSet::new();
    let mut offset = 0i64;
    loop {
        let page = Page {
            limit: RESYNC_PAGE,
            offset: (offset - RESYNC_OVERLAP).max(0),
        };
        let users = state
            .store
            .list_users(&state.instance.id, &UserFilter::default(), order, &page)
            .await?;
        let fetched = users.len() as i64;
        let mut change = Change::new(state, ctx);
        let mut queued = 0;
        for u in users {
            if sent.insert(u.id.to_string()) {
                change.event_for_endpoint(endpoint_id, DomainEvent::UserUpdated(u));
                queued += 1;
            }
        }
        if queued > 0 {
            change
                .commit("webhook_endpoint.resync", Some(endpoint_id))
                .await?;
        }
        if fetched < RESYNC_PAGE {
            break;
        }
        offset = page.offset + fetched;
    }
    Ok(sent.len() as i64)
}

/// Sends one example `user.created` event to this endpoint only, whatever its filter (Svix's
/// "send example"): a made-up user, never stored, rendered and signed like a real event, and
/// kept in the endpoint's history.
pub async fn send_test_event(
    state: &AppState,
    ctx: &RequestContext,
    endpoint_id: &WebhookEndpointId,
) -> CoreResult<()> {
    get(state, endpoint_id).await?;
    let settings = state.settings();
    let example = NewUser {
        email_addresses: vec!["example@example.org".to_owned()],
        first_name: Some("Example".to_owned()),
        last_name: Some("User".to_owned()),
        skip_password_requirement: true,
        ..NewUser::default()
    };
    let user = create::validate(example, &settings)?.into_user(None, &settings, state.now());
    let mut change = Change::new(state, ctx);
    change.event_for_endpoint(endpoint_id, DomainEvent::UserCreated(user));
    change
        .commit("webhook_endpoint.test", Some(endpoint_id))
        .await?;
    state.webhooks.wake();
    Ok(())
}
