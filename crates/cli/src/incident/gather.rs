//! What the database holds about a window, read with the server running or not: the audit
//! log, the events, the webhook deliveries' attempts, the hourly activity counters, and the
//! current state of what the incident touched (locked users, paused endpoints, keys).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use usher_core::activity::{ActivityKind, hour_of, total};
use usher_core::audit::AuditEntry;
use usher_core::clock::Millis;
use usher_core::events::OutboxEvent;
use usher_core::ids::UserId;
use usher_core::users::lockout::INDEFINITELY;
use usher_core::webhooks::{DeliveryFilter, DeliveryQuery, DeliveryStatus, EndpointStatus};
use usher_server::state::AppState;

use super::report::{Entry, Findings, Impact, is_end_user, label};
use crate::output::time;

/// Most audit entries and events read from a window.
pub const MAX_ROWS: i64 = 100_000;
/// Deliveries read per endpoint for the attempts in the window (newest first).
const DELIVERIES_PER_ENDPOINT: i64 = 500;
/// A session's revocation is credited to the first audit entry this soon after it.
const ATTRIBUTION_MS: Millis = 5_000;
/// Users checked for a lock still in place.
const MAX_LOCK_CHECKS: usize = 500;

pub async fn gather(state: &AppState, since: Millis, until: Millis) -> anyhow::Result<Findings> {
    let ins = &state.instance.id;
    let store = state.store.as_ref();
    let now = state.now();
    let audits = store.audit_between(ins, since, until, MAX_ROWS).await?;
    let events = store.events_between(ins, since, until, MAX_ROWS).await?;
    let activity = store.activity(ins, hour_of(since), until).await?;

    let revoked_by = attribute_revocations(&events, &audits);
    let mut timeline = Vec::new();
    for (i, a) in audits.iter().enumerate() {
        let Some(what) = label(&a.action) else {
            continue;
        };
        let target = a
            .target_id
            .as_deref()
            .map_or_else(String::new, |t| format!(" `{t}`"));
        let revoked = revoked_by.get(&i).copied().unwrap_or(0);
        let extra = if a.action == "security.sign_in_failure_spike" {
            spike_figures(&events, a.at)
        } else if revoked > 0 {
            format!(
                ": {revoked} session{} revoked",
                if revoked == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        };
        timeline.push(Entry {
            at: a.at,
            what: format!("{what}{target}{extra}"),
            actor: Some(a.actor.clone()),
        });
    }
    for c in activity
        .iter()
        .filter(|c| c.kind == ActivityKind::SignInFailure && c.count > 0)
    {
        timeline.push(Entry {
            at: c.hour.max(since),
            what: format!(
                "Failed sign-ins: {} counted in the hour from {}",
                c.count,
                time(Some(c.hour))
            ),
            actor: None,
        });
    }

    let mut follow_ups = Vec::new();
    let mut webhook_attempts_failed = 0;
    let stats = store.webhook_stats(ins, since).await?;
    for ep in store.webhook_endpoints(ins).await? {
        let query = |status: Option<DeliveryFilter>, limit: i64| DeliveryQuery {
            endpoint_id: ep.id.clone(),
            status,
            event_id: None,
            limit,
            offset: 0,
        };
        let (deliveries, _) = store
            .webhook_deliveries(ins, &query(None, DELIVERIES_PER_ENDPOINT))
            .await?;
        let mut failed: Vec<_> = deliveries
            .iter()
            .flat_map(|d| d.attempt_history.iter())
            .filter(|a| !a.succeeded && a.attempted_at >= since && a.attempted_at < until)
            .collect();
        failed.sort_by_key(|a| a.attempted_at);
        webhook_attempts_failed += failed.len();
        if let (Some(first), Some(last)) = (failed.first(), failed.last()) {
            let why = last
                .error
                .clone()
                .or_else(|| last.response_status.map(|s| format!("HTTP {s}")))
                .unwrap_or_else(|| "no 2xx".into());
            timeline.push(Entry {
                at: first.attempted_at,
                what: format!(
                    "Webhook endpoint `{}` ({}) failing: {} failed attempt{} in the window, the last: {why}",
                    ep.id,
                    ep.url,
                    failed.len(),
                    if failed.len() == 1 { "" } else { "s" }
                ),
                actor: None,
            });
        }
        if ep.status != EndpointStatus::Active {
            let reason = ep
                .disabled_reason
                .as_deref()
                .map_or_else(String::new, |r| format!(" ({r})"));
            follow_ups.push(format!(
                "Webhook endpoint `{}` ({}) is {}{reason}: `usher webhooks resume {}` once it answers.",
                ep.id,
                ep.url,
                ep.status.as_str(),
                ep.id
            ));
        }
        if let Some(s) = stats
            .iter()
            .find(|s| s.endpoint_id == ep.id.as_str() && s.queue_depth > 0)
        {
            follow_ups.push(format!(
                "{} to `{}` still queued (the oldest since {}): check that it answers (`usher webhooks deliveries {} --status pending`).",
                count_deliveries(s.queue_depth),
                ep.id,
                time(s.oldest_pending_at),
                ep.id
            ));
        }
        let (_, failing) = store
            .webhook_deliveries(ins, &query(Some(DeliveryFilter::Failing), 1))
            .await?;
        if failing > 0 {
            follow_ups.push(format!(
                "{} to `{}` still failing: `usher webhooks deliveries {} --status failing`, then `usher webhooks retry MSG` once the endpoint answers.",
                count_deliveries(failing),
                ep.id,
                ep.id
            ));
        }
        let (_, gave_up) = store
            .webhook_deliveries(
                ins,
                &query(Some(DeliveryFilter::Status(DeliveryStatus::Failed)), 1),
            )
            .await?;
        if gave_up > 0 {
            follow_ups.push(format!(
                "{} to `{}` out of retries: `usher webhooks replay {} --since {}`.",
                count_deliveries(gave_up),
                ep.id,
                ep.id,
                time(Some(since))
            ));
        }
    }
    timeline.sort_by_key(|e| e.at);

    let impact = impact(
        &events,
        &audits,
        &activity,
        &revoked_by,
        webhook_attempts_failed,
    );
    follow_ups.extend(locked_users(state, &events, &audits, now).await?);
    follow_ups.extend(key_follow_ups(&audits));
    if impact.failed_sign_ins > 0 {
        follow_ups.push(format!(
            "Review where the {} failed sign-ins came from (the server log's client addresses) and whether the limits held (`usher_frontend_throttled` in /metrics).",
            impact.failed_sign_ins
        ));
    }

    let end_user_actions = audits.iter().filter(|a| is_end_user(&a.actor)).count();
    let actions = audits
        .into_iter()
        .filter(|a| !is_end_user(&a.actor))
        .collect();
    Ok(Findings {
        instance_id: ins.to_string(),
        since,
        until,
        generated_at: now,
        timeline,
        impact,
        actions,
        end_user_actions,
        follow_ups,
    })
}

/// The spike event's figures, from the event committed with the audit entry at `at`.
fn spike_figures(events: &[OutboxEvent], at: Millis) -> String {
    events
        .iter()
        .rev()
        .find(|e| {
            e.event_type == usher_core::webhooks::catalog::SIGN_IN_FAILURE_SPIKE
                && e.created_at <= at
                && at - e.created_at <= ATTRIBUTION_MS
        })
        .map_or_else(String::new, |e| {
            format!(
                ": {} failures in a minute (normal {:.1} per minute)",
                e.data["failures_last_minute"].as_u64().unwrap_or(0),
                e.data["normal_per_minute"].as_f64().unwrap_or(0.0)
            )
        })
}

fn count_deliveries(n: i64) -> String {
    if n == 1 {
        "1 delivery".to_owned()
    } else {
        format!("{n} deliveries")
    }
}

/// How many `session.revoked` events each audit entry (by index) accounts for: the first entry
/// at or after the event, within [`ATTRIBUTION_MS`] (a change's audit entry is stamped after
/// its events).
fn attribute_revocations(events: &[OutboxEvent], audits: &[AuditEntry]) -> BTreeMap<usize, usize> {
    let mut by_time: Vec<(Millis, usize)> =
        audits.iter().enumerate().map(|(i, a)| (a.at, i)).collect();
    by_time.sort_unstable();
    let mut by = BTreeMap::new();
    for e in events.iter().filter(|e| e.event_type == "session.revoked") {
        let first = by_time.partition_point(|(at, _)| *at < e.created_at);
        if let Some((at, i)) = by_time.get(first)
            && at - e.created_at <= ATTRIBUTION_MS
        {
            *by.entry(*i).or_insert(0) += 1;
        }
    }
    by
}

fn text(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

fn impact(
    events: &[OutboxEvent],
    audits: &[AuditEntry],
    activity: &[usher_core::activity::ActivityCount],
    revoked_by: &BTreeMap<usize, usize>,
    webhook_attempts_failed: usize,
) -> Impact {
    let mut users = BTreeSet::new();
    let mut sessions = BTreeSet::new();
    let mut orgs = BTreeSet::new();
    for e in events {
        let d = &e.data;
        let t = e.event_type.as_str();
        if t.starts_with("user.") {
            users.extend(text(&d["id"]));
        } else if t.starts_with("session.") {
            sessions.extend(text(&d["id"]));
            users.extend(text(&d["user_id"]));
        } else if t.starts_with("organizationMembership.") {
            users.extend(text(&d["public_user_data"]["user_id"]));
            orgs.extend(text(&d["organization"]["id"]));
        } else if t.starts_with("organization.") {
            orgs.extend(text(&d["id"]));
        } else if t.starts_with("organizationInvitation.") || t.starts_with("organizationDomain.") {
            orgs.extend(text(&d["organization_id"]));
        }
    }
    for target in audits.iter().filter_map(|a| a.target_id.as_deref()) {
        if target.starts_with("user_") {
            users.insert(target.to_owned());
        } else if target.starts_with("sess_") {
            sessions.insert(target.to_owned());
        } else if target.starts_with("org_") {
            orgs.insert(target.to_owned());
        }
    }
    let mut revoked_by_action = BTreeMap::new();
    for (i, n) in revoked_by {
        if let Some(a) = audits.get(*i) {
            *revoked_by_action.entry(a.action.clone()).or_insert(0) += n;
        }
    }
    Impact {
        users: users.len(),
        sessions: sessions.len(),
        organizations: orgs.len(),
        failed_sign_ins: total(activity, ActivityKind::SignInFailure),
        sign_ins: total(activity, ActivityKind::SignIn),
        sign_ups: total(activity, ActivityKind::SignUp),
        token_refreshes: total(activity, ActivityKind::TokenRefresh),
        sessions_revoked: events
            .iter()
            .filter(|e| e.event_type == "session.revoked")
            .count(),
        revoked_by_action,
        webhook_attempts_failed,
    }
}

/// Users the window locked or changed who are locked still.
async fn locked_users(
    state: &AppState,
    events: &[OutboxEvent],
    audits: &[AuditEntry],
    now: Millis,
) -> anyhow::Result<Vec<String>> {
    // Those an operator locked first, then those the window changed.
    let mut seen = BTreeSet::new();
    let candidates: Vec<String> = audits
        .iter()
        .filter(|a| a.action == "user.lockout")
        .filter_map(|a| a.target_id.clone())
        .chain(
            events
                .iter()
                .filter(|e| e.event_type == "user.updated")
                .filter_map(|e| text(&e.data["id"])),
        )
        .filter(|id| seen.insert(id.clone()))
        .take(MAX_LOCK_CHECKS)
        .collect();
    let mut out = Vec::new();
    for id in candidates {
        let Ok(id) = UserId::parse(&id) else { continue };
        let Some(user) = state.store.get_user(&state.instance.id, &id).await? else {
            continue;
        };
        if !user.is_locked(now) {
            continue;
        }
        let until = match user.locked_until {
            Some(t) if t < INDEFINITELY => format!("until {}", time(Some(t))),
            _ => "indefinitely".to_owned(),
        };
        let who = user
            .primary_email()
            .map_or_else(String::new, |e| format!(" ({})", e.email_address));
        out.push(format!(
            "User `{id}`{who} is still locked {until}: `usher users unlock {id}` once the account is safe again."
        ));
    }
    Ok(out)
}

/// What a key rotation in the window leaves to do.
fn key_follow_ups(audits: &[AuditEntry]) -> Vec<String> {
    let did = |action: &str| audits.iter().any(|a| a.action == action);
    let mut out = Vec::new();
    if did("signing_key.emergency_rotate") {
        out.push("The signing keys were rotated in an emergency: apps given the PEM key (`CLERK_JWT_KEY`) need the new one from `usher keys`; apps with a JWKS cache refetch it on the new `kid`.".to_owned());
    } else if did("signing_key.rotate") {
        out.push("A signing key was rotated: the earlier key is still published and the tokens it signed keep verifying until `usher keys retire KID` (`usher keys list`).".to_owned());
    }
    if did("secret_key.rotate") {
        out.push("A secret key was rotated: the earlier keys stay accepted until their overlap ends (`usher keys secrets`); deploy the new key to every app, then `usher keys revoke-secret NAME`.".to_owned());
    }
    out
}
