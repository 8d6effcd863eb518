//! The instance's keys. Signing keys (kid, age, whether it signs or is only published):
//! rotate, or rotate in an emergency after a confirmation that says every session token issued
//! stops verifying. Secret keys (name, the hint of its end, created, expiry): rotate with an
//! overlap during which the earlier keys keep working — the new key shown on that page only,
//! never again — and revoke one, never the last one accepted. The use cases are the CLI's and
//! the Backend API's, audited as the operator.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use usher_core::CoreError;
use usher_core::instance::SecretKeyRecord;

use super::admin::{button_form, may_configure};
use super::view::{self, Html, Nav};
use super::{Desk, failure, redirect};
use crate::app::{secret_keys, signing_keys};
use crate::pages::PageForm;
use crate::state::AppState;

const ACT: &str = "/dashboard/keys/act";
const HOUR_MS: i64 = 3600 * 1000;
/// The longest overlap the form takes.
const MAX_OVERLAP_HOURS: i64 = 24 * 30;

/// `3 d 4 h`, `5 h`, `12 min`: how long ago, coarsely.
fn age(ms: i64) -> String {
    let mins = ms.max(0) / 60_000;
    match mins {
        m if m >= 24 * 60 => format!("{} d {} h", m / (24 * 60), (m / 60) % 24),
        m if m >= 60 => format!("{} h", m / 60),
        m => format!("{m} min"),
    }
}

fn done_text(key: &str) -> Option<&'static str> {
    Some(match key {
        "rotate-signing" => {
            "A new signing key signs from now on; the previous one stays published."
        }
        "emergency" => "A new signing key signs from now on; every earlier key is retired.",
        "revoke" => "The secret key is revoked: it is no longer accepted.",
        _ => return None,
    })
}

pub async fn page(State(state): State<AppState>, desk: Desk, RawQuery(q): RawQuery) -> Response {
    let nav = desk.nav(&state);
    let params = view::params(q.as_deref());
    let found = async {
        let signing = signing_keys::list(&state).await?;
        let secret = secret_keys::list(&state).await?;
        Ok::<_, CoreError>((signing, secret))
    };
    let (signing, secret) = match found.await {
        Ok(r) => r,
        Err(e) => return failure(Some(&nav), e),
    };
    let now = state.now();
    let mut h = Html::new();
    if let Some(text) = params.get("done").and_then(|d| done_text(d)) {
        view::notice(&mut h, text);
    }
    h.el("h2", &[], "Signing keys");
    view::table_start(
        &mut h,
        Some("Signing keys"),
        &["Key id", "Created", "Age", "State"],
    );
    for k in &signing {
        h.open("tr", &[])
            .open("th", &[("scope", Some("row"))])
            .el("code", &[], &k.kid)
            .close("th")
            .open("td", &[]);
        view::time(&mut h, Some(k.created_at));
        h.close("td")
            .el("td", &[], &age(now - k.created_at))
            .el(
                "td",
                &[],
                if k.active {
                    "signing"
                } else {
                    "published (verifies only)"
                },
            )
            .close("tr");
    }
    view::table_end(&mut h);
    h.open("div", &[("class", Some("actions"))]);
    button_form(
        &mut h,
        ACT,
        &nav.csrf,
        &[("action", "rotate-signing")],
        "Rotate signing key",
        false,
    );
    view::button_link(
        &mut h,
        "/dashboard/keys/emergency",
        "button danger",
        "Emergency rotation…",
    );
    h.close("div");

    secret_section(&mut h, &nav, &secret, now);
    view::page(StatusCode::OK, "Keys", Some(&nav), h)
}

fn secret_section(h: &mut Html, nav: &Nav, keys: &[SecretKeyRecord], now: i64) {
    let accepted = keys.iter().filter(|k| k.is_valid_at(now)).count();
    h.el("h2", &[], "Secret keys");
    h.el(
        "p",
        &[],
        "A secret key is shown once, when it is made; only its last characters are kept to recognise it.",
    );
    view::table_start(
        h,
        Some("Secret keys"),
        &["Name", "Ends with", "Created", "Expires", "Revoke"],
    );
    for k in keys {
        let valid = k.is_valid_at(now);
        h.open("tr", &[])
            .el("th", &[("scope", Some("row"))], &k.name)
            .open("td", &[])
            .el("code", &[], &k.hint)
            .close("td")
            .open("td", &[]);
        view::time(h, Some(k.created_at));
        h.close("td").open("td", &[]);
        view::time(h, k.expires_at);
        if !valid {
            h.el("span", &[("class", Some("badge"))], "Expired");
        }
        h.close("td").open("td", &[]);
        if valid && accepted > 1 {
            button_form(
                h,
                ACT,
                &nav.csrf,
                &[("action", "revoke"), ("name", &k.name)],
                "Revoke",
                true,
            );
        } else if valid {
            h.text("The last key accepted: rotate first.");
        } else {
            h.text("—");
        }
        h.close("td").close("tr");
    }
    view::table_end(h);
    h.el("h3", &[], "Rotate the secret key");
    view::form_open(h, ACT, &nav.csrf, Some("Rotate the secret key"));
    h.open(
        "input",
        &[
            ("type", Some("hidden")),
            ("name", Some("action")),
            ("value", Some("rotate-secret")),
        ],
    );
    view::Field::new("key_name", "Name", "text")
        .optional()
        .hint("Letters, digits, dashes. Left empty: key-<time>.")
        .render(h);
    view::Field::new("overlap_hours", "Overlap (hours)", "text")
        .value("24")
        .hint("The keys accepted now keep working this long (0 to 720).")
        .render(h);
    h.el("button", &[("type", Some("submit"))], "Rotate")
        .close("form");
}

pub async fn emergency(State(state): State<AppState>, desk: Desk) -> Response {
    let nav = desk.nav(&state);
    let mut h = Html::new();
    h.el(
        "p",
        &[],
        "A new signing key will sign from now on and every earlier key will be retired at once (removed from JWKS). Every session token already issued stops verifying: signed-in users stay signed in, and their browsers fetch a new token with their session. Backends that cache JWKS may refuse tokens until they refetch it. Do this when a signing key may have leaked.",
    );
    button_form(
        &mut h,
        ACT,
        &nav.csrf,
        &[("action", "emergency")],
        "Retire every key and rotate now",
        true,
    );
    view::link_para(&mut h, "/dashboard/keys", "Cancel");
    view::page(
        StatusCode::OK,
        "Emergency signing key rotation",
        Some(&nav),
        h,
    )
}

fn overlap_ms(raw: &str) -> Result<i64, CoreError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|h| (0..=MAX_OVERLAP_HOURS).contains(h))
        .map(|h| h * HOUR_MS)
        .ok_or_else(|| {
            CoreError::value(
                "overlap_hours",
                format!("must be a whole number of hours from 0 to {MAX_OVERLAP_HOURS}"),
            )
        })
}

pub async fn act(State(state): State<AppState>, desk: Desk, form: PageForm) -> Response {
    let nav = match may_configure(&desk, &state, &form) {
        Ok(nav) => nav,
        Err(refused) => return *refused,
    };
    let ctx = &desk.ctx;
    let action = form.trimmed("action");
    let result = match action {
        "rotate-signing" => signing_keys::rotate(&state, ctx).await.map(|_| ()),
        "emergency" => signing_keys::rotate_emergency(&state, ctx)
            .await
            .map(|_| ()),
        "revoke" => secret_keys::revoke(&state, ctx, form.trimmed("name"))
            .await
            .map(|_| ()),
        "rotate-secret" => {
            let name = Some(form.trimmed("key_name"))
                .filter(|n| !n.is_empty())
                .map(str::to_owned);
            let rotated = match overlap_ms(form.trimmed("overlap_hours")) {
                Ok(overlap) => secret_keys::rotate(&state, ctx, overlap, name).await,
                Err(e) => Err(e),
            };
            return match rotated {
                Ok(r) => new_secret(&nav, &r.record.name, &r.secret),
                Err(e) => failure(Some(&nav), e),
            };
        }
        _ => Err(CoreError::NotFound { resource: "action" }),
    };
    match result {
        Ok(()) => redirect(&format!("/dashboard/keys?done={action}")),
        Err(e) => failure(Some(&nav), e),
    }
}

/// The new secret key, on this page only.
fn new_secret(nav: &Nav, name: &str, secret: &str) -> Response {
    let mut h = Html::new();
    view::notice(
        &mut h,
        "The new secret key is made. Copy it now: it is not shown again.",
    );
    h.el("p", &[], &format!("Key {name}:"));
    h.el("pre", &[("id", Some("new-secret"))], secret);
    view::link_para(&mut h, "/dashboard/keys", "Back to keys");
    view::page(StatusCode::OK, "New secret key", Some(nav), h)
}
