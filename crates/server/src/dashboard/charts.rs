//! Activity over the last 48 hours, as server-rendered SVG bar charts (no script): sign-ins,
//! sign-ups, failed sign-ins and token refreshes per hour from the stored hourly counters, and
//! the webhook success rate per hour from the delivery attempts. Each chart has a `<title>` and
//! a description, and its numbers as a table beside it for screen readers and copying. The
//! counters are flushed by each node in batches, so the current hour may lag a little.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use usher_core::CoreError;
use usher_core::activity::{ActivityCount, ActivityKind, HOUR_MS, hour_of};
use usher_core::store::AttemptHour;

use super::view::{self, Html};
use super::{Desk, failure};
use crate::state::AppState;

/// Hours shown.
const HOURS: i64 = 48;
const BAR: i64 = 12;
const HEIGHT: i64 = 120;

/// One chart: a value per hour, oldest first.
struct Series<'a> {
    id: &'static str,
    title: &'a str,
    unit: &'static str,
    /// `None`: nothing to count that hour (no webhook attempt).
    values: Vec<Option<i64>>,
    /// The top of the scale; `None`: the largest value.
    max: Option<i64>,
}

fn hour_label(hour: i64) -> String {
    let iso = view::iso(hour);
    // `2026-12-07T10:00:00Z` → `12-07 10:00`
    iso.get(5..16).map(|s| s.replace('T', " ")).unwrap_or(iso)
}

fn counts(rows: &[ActivityCount], kind: ActivityKind, first: i64) -> Vec<Option<i64>> {
    (0..HOURS)
        .map(|i| {
            let hour = first + i * HOUR_MS;
            Some(
                rows.iter()
                    .filter(|c| c.kind == kind && c.hour == hour)
                    .map(|c| c.count)
                    .sum(),
            )
        })
        .collect()
}

fn success_rates(rows: &[AttemptHour], first: i64) -> Vec<Option<i64>> {
    (0..HOURS)
        .map(|i| {
            let hour = first + i * HOUR_MS;
            rows.iter()
                .find(|a| a.hour == hour)
                .filter(|a| a.succeeded + a.failed > 0)
                .map(|a| a.succeeded * 100 / (a.succeeded + a.failed))
        })
        .collect()
}

fn chart(h: &mut Html, s: &Series<'_>, first: i64) {
    let max = s
        .max
        .unwrap_or_else(|| s.values.iter().flatten().copied().max().unwrap_or(0))
        .max(1);
    let total: i64 = s.values.iter().flatten().sum();
    let title_id = format!("{}-title", s.id);
    let desc_id = format!("{}-desc", s.id);
    let width = (HOURS * BAR).to_string();
    let view_box = format!("0 0 {width} {HEIGHT}");
    let desc = if s.unit == "%" {
        format!("Hourly values, 0 to 100%, over the last {HOURS} hours.")
    } else {
        format!("{total} in the last {HOURS} hours; the highest hour had {max}.")
    };
    let labelled = format!("{title_id} {desc_id}");
    h.open("figure", &[("class", Some("chart"))])
        .el("h2", &[("id", Some(s.id))], s.title)
        .open(
            "svg",
            &[
                ("xmlns", Some("http://www.w3.org/2000/svg")),
                ("role", Some("img")),
                ("aria-labelledby", Some(&labelled)),
                ("viewBox", Some(&view_box)),
                ("width", Some(&width)),
                ("height", Some(&HEIGHT.to_string())),
                ("preserveAspectRatio", Some("none")),
            ],
        )
        .el("title", &[("id", Some(&title_id))], s.title)
        .el("desc", &[("id", Some(&desc_id))], &desc)
        .open(
            "rect",
            &[
                ("x", Some("0")),
                ("y", Some("0")),
                ("width", Some(&width)),
                ("height", Some(&HEIGHT.to_string())),
                ("fill", Some("#f4f4f5")),
            ],
        )
        .close("rect");
    for (i, v) in s.values.iter().enumerate() {
        let Some(v) = v else { continue };
        let bar = (v.clamp(&0, &max) * (HEIGHT - 4)) / max;
        let (x, y) = ((i as i64 * BAR + 1).to_string(), (HEIGHT - bar).to_string());
        let label = format!("{}: {v}{}", hour_label(first + i as i64 * HOUR_MS), s.unit);
        h.open(
            "rect",
            &[
                ("x", Some(&x)),
                ("y", Some(&y)),
                ("width", Some(&(BAR - 2).to_string())),
                ("height", Some(&bar.to_string())),
                ("fill", Some("#1d4ed8")),
            ],
        )
        .el("title", &[], &label)
        .close("rect");
    }
    h.close("svg");
    table(h, s, first);
    h.close("figure");
}

/// The chart's numbers: the hours that had any.
fn table(h: &mut Html, s: &Series<'_>, first: i64) {
    h.open("details", &[])
        .el("summary", &[], &format!("{} as a table", s.title))
        .open("table", &[])
        .el("caption", &[("class", Some("skip"))], s.title)
        .raw("<thead><tr><th scope=\"col\">Hour (UTC)</th><th scope=\"col\">Value</th></tr></thead><tbody>");
    let mut any = false;
    for (i, v) in s.values.iter().enumerate() {
        let Some(v) = v.filter(|v| *v != 0 || s.unit == "%") else {
            continue;
        };
        any = true;
        h.open("tr", &[])
            .el(
                "th",
                &[("scope", Some("row"))],
                &hour_label(first + i as i64 * HOUR_MS),
            )
            .el("td", &[], &format!("{v}{}", s.unit))
            .close("tr");
    }
    if !any {
        h.raw("<tr><td colspan=\"2\">None</td></tr>");
    }
    h.raw("</tbody></table></details>");
}

pub async fn page(State(state): State<AppState>, desk: Desk) -> Response {
    let nav = desk.nav(&state);
    let now = state.now();
    let first = hour_of(now) - (HOURS - 1) * HOUR_MS;
    let until = hour_of(now) + HOUR_MS;
    let found = async {
        let activity = state
            .store
            .activity(&state.instance.id, first, until)
            .await?;
        let attempts = state
            .store
            .webhook_attempt_hours(&state.instance.id, first, until)
            .await?;
        Ok::<_, CoreError>((activity, attempts))
    };
    let (activity, attempts) = match found.await {
        Ok(r) => r,
        Err(e) => return failure(Some(&nav), e),
    };
    let mut h = Html::new();
    h.el(
        "p",
        &[("class", Some("hint"))],
        "Per hour, UTC, oldest on the left. Each node adds its counts every few seconds.",
    );
    let series = [
        Series {
            id: "sign-ins",
            title: "Sign-ins",
            unit: "",
            values: counts(&activity, ActivityKind::SignIn, first),
            max: None,
        },
        Series {
            id: "sign-ups",
            title: "Sign-ups",
            unit: "",
            values: counts(&activity, ActivityKind::SignUp, first),
            max: None,
        },
        Series {
            id: "failures",
            title: "Failed sign-ins",
            unit: "",
            values: counts(&activity, ActivityKind::SignInFailure, first),
            max: None,
        },
        Series {
            id: "refreshes",
            title: "Token refreshes",
            unit: "",
            values: counts(&activity, ActivityKind::TokenRefresh, first),
            max: None,
        },
        Series {
            id: "webhooks",
            title: "Webhook success rate",
            unit: "%",
            values: success_rates(&attempts, first),
            max: Some(100),
        },
    ];
    for s in &series {
        chart(&mut h, s, first);
    }
    view::page(StatusCode::OK, "Activity", Some(&nav), h)
}
