//! Webhook endpoints: the list with each endpoint's success rate over the last 24 hours and
//! whether it is failing now (deliveries pending after a failed attempt), and an endpoint's page
//! with its deliveries and their attempts (status, error, the response's start — escaped) and the
//! runbook's tools: change the URL, retry one delivery, replay since a time, pause or resume,
//! send an example `user.created` to this endpoint only, resync every user, rotate the secret (the new one shown once). Each runs the use case the
//! Backend API and `usher webhooks …` run, audited as the operator.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use usher_core::ids::{EventId, WebhookEndpointId};
use usher_core::webhooks::endpoint::EndpointPatch;
use usher_core::webhooks::{
    Delivery, DeliveryFilter, DeliveryQuery, EndpointStats, EndpointStatus, WebhookEndpoint,
};
use usher_core::{CoreError, CoreResult};

use super::admin::{button_form, may_configure, percent};
use super::view::{self, Html, Nav, PAGE_SIZE};
use super::{Desk, failure, redirect};
use crate::app::webhooks as app;
use crate::pages::PageForm;
use crate::state::AppState;

const DAY_MS: i64 = 24 * 3600 * 1000;

/// An endpoint with the figures the list shows.
struct Row {
    ep: WebhookEndpoint,
    stats: EndpointStats,
    failing: i64,
}

fn endpoint_id(raw: &str) -> CoreResult<WebhookEndpointId> {
    WebhookEndpointId::parse(raw).map_err(|_| CoreError::NotFound {
        resource: "webhook endpoint",
    })
}

/// How many deliveries of `id` are pending after a failed attempt.
async fn failing_count(state: &AppState, id: &WebhookEndpointId) -> CoreResult<i64> {
    let query = DeliveryQuery {
        endpoint_id: id.clone(),
        status: Some(DeliveryFilter::Failing),
        event_id: None,
        limit: 1,
        offset: 0,
    };
    Ok(app::deliveries(state, &query).await?.1)
}

async fn rows(state: &AppState) -> CoreResult<Vec<Row>> {
    let stats = state
        .store
        .webhook_stats(&state.instance.id, state.now() - DAY_MS)
        .await?;
    let mut out = Vec::new();
    for ep in app::list(state).await? {
        let stats = stats
            .iter()
            .find(|s| s.endpoint_id == ep.id.as_str())
            .cloned()
            .unwrap_or_default();
        let failing = failing_count(state, &ep.id).await?;
        out.push(Row { ep, stats, failing });
    }
    Ok(out)
}

fn status_text(ep: &WebhookEndpoint) -> String {
    match (&ep.status, &ep.disabled_reason) {
        (EndpointStatus::Disabled, Some(why)) => format!("disabled: {why}"),
        (s, _) => s.as_str().to_owned(),
    }
}

fn success_rate(s: &EndpointStats) -> String {
    percent(
        s.attempts_succeeded,
        s.attempts_succeeded + s.attempts_failed,
    )
}

fn endpoints_table(h: &mut Html, rows: &[&Row], caption: &str) {
    view::table_start(
        h,
        Some(caption),
        &["URL", "Status", "Success (24 h)", "Queued", "Failing now"],
    );
    for r in rows {
        let href = format!("/dashboard/webhooks/{}", r.ep.id);
        h.open("tr", &[]).open("th", &[("scope", Some("row"))]);
        h.el("a", &[("href", Some(&href))], &r.ep.url)
            .close("th")
            .el("td", &[], &status_text(&r.ep))
            .el("td", &[], &success_rate(&r.stats))
            .el("td", &[], &r.stats.queue_depth.to_string())
            .open("td", &[]);
        if r.failing > 0 {
            h.el(
                "span",
                &[("class", Some("badge"))],
                &format!("Failing: {}", r.failing),
            );
        } else {
            h.text("No");
        }
        h.close("td").close("tr");
    }
    view::table_end(h);
}

pub async fn list(State(state): State<AppState>, desk: Desk) -> Response {
    let nav = desk.nav(&state);
    let rows = match rows(&state).await {
        Ok(r) => r,
        Err(e) => return failure(Some(&nav), e),
    };
    let mut h = Html::new();
    h.el("h2", &[], "Failing now");
    let failing: Vec<&Row> = rows.iter().filter(|r| r.failing > 0).collect();
    if failing.is_empty() {
        h.el("p", &[], "No endpoint is failing now.");
    } else {
        endpoints_table(&mut h, &failing, "Endpoints failing now");
    }
    h.el("h2", &[], "Every endpoint");
    if rows.is_empty() {
        h.el("p", &[], "No webhook endpoints.");
    } else {
        endpoints_table(
            &mut h,
            &rows.iter().collect::<Vec<_>>(),
            "Webhook endpoints",
        );
    }
    view::page(StatusCode::OK, "Webhooks", Some(&nav), h)
}

/// The confirmation shown after an action (`?done=`): fixed texts, nothing from the URL.
fn done_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "url" => "The endpoint's URL is changed.",
        "pause" => "The endpoint is paused: events queue up until it is resumed.",
        "resume" => "The endpoint is resumed: its queued events are being delivered.",
        "retry" => "The delivery is queued again.",
        "replay" => "The events are queued again, in order.",
        "resync" => "A snapshot of every user is queued.",
        "test" => "An example user.created event is queued for this endpoint only.",
        _ => return None,
    })
}

fn parse_filter(raw: &str) -> Option<DeliveryFilter> {
    DeliveryFilter::parse(raw)
}

pub async fn show(
    State(state): State<AppState>,
    desk: Desk,
    Path(raw_id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let nav = desk.nav(&state);
    let params = view::params(q.as_deref());
    let status = params.get("status").map(String::as_str).unwrap_or("");
    let offset = view::offset(params.get("offset").map(String::as_str));
    let found = async {
        let id = endpoint_id(&raw_id)?;
        let ep = app::get(&state, &id).await?;
        let query = DeliveryQuery {
            endpoint_id: id.clone(),
            status: parse_filter(status),
            event_id: None,
            limit: PAGE_SIZE,
            offset,
        };
        let (deliveries, total) = app::deliveries(&state, &query).await?;
        let failing = failing_count(&state, &id).await?;
        Ok::<_, CoreError>((ep, deliveries, total, failing))
    };
    let (ep, deliveries, total, failing) = match found.await {
        Ok(r) => r,
        Err(e) => return failure(Some(&nav), e),
    };
    let mut h = Html::new();
    if let Some(text) = params.get("done").and_then(|d| done_text(d)) {
        view::notice(&mut h, text);
    }
    summary(&mut h, &ep, failing);
    if nav.configure {
        tools(&mut h, &nav, &ep);
    }
    h.el("h2", &[], "Deliveries");
    status_filter(&mut h, &ep, status);
    deliveries_table(&mut h, &nav, &ep, &deliveries);
    view::pager(&mut h, offset, deliveries.len(), total, |o| {
        let o = o.to_string();
        format!(
            "/dashboard/webhooks/{}?{}",
            ep.id,
            view::query(&[("status", status), ("offset", &o)])
        )
    });
    view::page(StatusCode::OK, "Webhook endpoint", Some(&nav), h)
}

fn summary(h: &mut Html, ep: &WebhookEndpoint, failing: i64) {
    let events = if ep.events.is_empty() {
        "every event".to_owned()
    } else {
        ep.events.join(", ")
    };
    h.open("dl", &[])
        .el("dt", &[], "URL")
        .el("dd", &[], &ep.url)
        .el("dt", &[], "Id")
        .el("dd", &[], ep.id.as_str())
        .el("dt", &[], "Status")
        .el("dd", &[], &status_text(ep))
        .el("dt", &[], "Events")
        .el("dd", &[], &events)
        .el("dt", &[], "Failing now")
        .el("dd", &[], &failing.to_string())
        .el("dt", &[], "Created")
        .open("dd", &[]);
    view::time(h, Some(ep.created_at));
    h.close("dd").close("dl");
}

fn tools(h: &mut Html, nav: &Nav, ep: &WebhookEndpoint) {
    let act = format!("/dashboard/webhooks/{}/act", ep.id);
    h.el("h2", &[], "Change the URL");
    view::form_open(h, &act, &nav.csrf, Some("Change the URL"));
    h.open(
        "input",
        &[
            ("type", Some("hidden")),
            ("name", Some("action")),
            ("value", Some("url")),
        ],
    );
    view::Field::new("url", "URL", "text")
        .value(&ep.url)
        .render(h);
    h.el("button", &[("type", Some("submit"))], "Save URL")
        .close("form");

    h.el("h2", &[], "Replay");
    view::form_open(h, &act, &nav.csrf, Some("Replay events"));
    h.open(
        "input",
        &[
            ("type", Some("hidden")),
            ("name", Some("action")),
            ("value", Some("replay")),
        ],
    );
    view::Field::new("since", "Since", "text")
        .hint("A UTC time such as 2026-12-07T10:00:00Z: every event since then is queued again, in order.")
        .render(h);
    h.el("button", &[("type", Some("submit"))], "Replay")
        .close("form");

    h.el("h2", &[], "Tools");
    h.open("div", &[("class", Some("actions"))]);
    let (label, action) = if ep.status == EndpointStatus::Active {
        ("Pause", "pause")
    } else {
        ("Resume", "resume")
    };
    button_form(h, &act, &nav.csrf, &[("action", action)], label, false);
    button_form(
        h,
        &act,
        &nav.csrf,
        &[("action", "test")],
        "Send test event",
        false,
    );
    button_form(
        h,
        &act,
        &nav.csrf,
        &[("action", "resync")],
        "Resync every user",
        false,
    );
    button_form(
        h,
        &act,
        &nav.csrf,
        &[("action", "rotate")],
        "Rotate secret",
        true,
    );
    h.close("div");
}

fn status_filter(h: &mut Html, ep: &WebhookEndpoint, current: &str) {
    let action = format!("/dashboard/webhooks/{}", ep.id);
    h.open(
        "form",
        &[
            ("method", Some("get")),
            ("action", Some(&action)),
            ("class", Some("filters")),
        ],
    );
    h.open("div", &[("class", Some("field"))])
        .el("label", &[("for", Some("f-status"))], "Status")
        .open(
            "select",
            &[("id", Some("f-status")), ("name", Some("status"))],
        );
    for (value, label) in [
        ("", "Any"),
        ("failing", "Failing now"),
        ("pending", "Pending"),
        ("succeeded", "Succeeded"),
        ("failed", "Failed"),
    ] {
        h.el(
            "option",
            &[
                ("value", Some(value)),
                ("selected", (value == current).then_some("")),
            ],
            label,
        );
    }
    h.close("select").close("div");
    h.el("button", &[("type", Some("submit"))], "Filter")
        .close("form");
}

fn deliveries_table(h: &mut Html, nav: &Nav, ep: &WebhookEndpoint, deliveries: &[Delivery]) {
    if deliveries.is_empty() {
        h.el("p", &[], "No deliveries match.");
        return;
    }
    let act = format!("/dashboard/webhooks/{}/act", ep.id);
    let mut columns = vec!["Event", "Status", "Attempts"];
    if nav.configure {
        columns.push("Retry");
    }
    view::table_start(h, Some("Deliveries"), &columns);
    for d in deliveries {
        h.open("tr", &[])
            .open("th", &[("scope", Some("row"))])
            .el("code", &[], &d.event_type)
            .raw("<br>")
            .el("code", &[], &d.event_id)
            .close("th")
            .el("td", &[], d.status.as_str())
            .open("td", &[]);
        attempts(h, d);
        h.close("td");
        if nav.configure {
            h.open("td", &[]);
            button_form(
                h,
                &act,
                &nav.csrf,
                &[("action", "retry"), ("message_id", &d.event_id)],
                "Retry",
                false,
            );
            h.close("td");
        }
        h.close("tr");
    }
    view::table_end(h);
}

fn attempts(h: &mut Html, d: &Delivery) {
    if d.attempt_history.is_empty() {
        h.text("None yet");
        return;
    }
    h.open("ul", &[]);
    for a in &d.attempt_history {
        h.open("li", &[]);
        view::time(h, Some(a.attempted_at));
        let status = a
            .response_status
            .map_or_else(|| "no response".to_owned(), |s| s.to_string());
        let outcome = if a.succeeded { "ok" } else { "failed" };
        h.text(&format!(" — {outcome}, {status}, {} ms", a.latency_ms));
        if let Some(e) = &a.error {
            h.text(" — ").text(e);
        }
        if !a.response_excerpt.is_empty() {
            h.el("pre", &[], &a.response_excerpt);
        }
        h.close("li");
    }
    h.close("ul");
}

/// A UTC time as typed (RFC 3339), or milliseconds since the epoch.
fn parse_since(raw: &str) -> CoreResult<i64> {
    if let Ok(ms) = raw.parse::<i64>() {
        return Ok(ms);
    }
    time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| CoreError::format("since", "must be a time such as 2026-12-07T10:00:00Z"))
}

pub async fn act(
    State(state): State<AppState>,
    desk: Desk,
    Path(raw_id): Path<String>,
    form: PageForm,
) -> Response {
    let nav = match may_configure(&desk, &state, &form) {
        Ok(nav) => nav,
        Err(refused) => return *refused,
    };
    let ctx = &desk.ctx;
    let action = form.trimmed("action").to_owned();
    let id = match endpoint_id(&raw_id) {
        Ok(id) => id,
        Err(e) => return failure(Some(&nav), e),
    };
    if action == "rotate" {
        return match app::rotate_secret(&state, ctx, &id).await {
            Ok((ep, secret)) => rotated(&nav, &ep, &secret.expose()),
            Err(e) => failure(Some(&nav), e),
        };
    }
    let done = async {
        match action.as_str() {
            "url" => {
                let patch = EndpointPatch {
                    url: Some(form.trimmed("url").to_owned()),
                    ..EndpointPatch::default()
                };
                app::update(&state, ctx, &id, patch).await?;
            }
            "pause" | "resume" => {
                app::set_paused(&state, ctx, &id, action == "pause").await?;
            }
            "retry" => {
                let msg = EventId::parse(form.trimmed("message_id")).map_err(|_| {
                    CoreError::NotFound {
                        resource: "webhook message",
                    }
                })?;
                app::retry_message(&state, ctx, &msg, Some(&id)).await?;
            }
            "replay" => {
                let since = parse_since(form.trimmed("since"))?;
                app::replay(&state, ctx, &id, since).await?;
            }
            "resync" => {
                app::resync(&state, ctx, &id).await?;
            }
            "test" => {
                app::send_test_event(&state, ctx, &id).await?;
            }
            _ => return Err(CoreError::NotFound { resource: "action" }),
        }
        Ok::<_, CoreError>(())
    };
    match done.await {
        Ok(()) => redirect(&format!("/dashboard/webhooks/{id}?done={action}")),
        Err(e) => failure(Some(&nav), e),
    }
}

/// The new secret, shown on this page only.
fn rotated(nav: &Nav, ep: &WebhookEndpoint, secret: &str) -> Response {
    let mut h = Html::new();
    view::notice(
        &mut h,
        "The secret is rotated. Copy it now: it is not shown again. The previous secret keeps signing beside it for 24 hours.",
    );
    h.el("pre", &[("id", Some("new-secret"))], secret);
    let back = format!("/dashboard/webhooks/{}", ep.id);
    view::link_para(&mut h, &back, "Back to the endpoint");
    view::page(StatusCode::OK, "New signing secret", Some(nav), h)
}
