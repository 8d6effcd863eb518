//! The dashboard's instance pages: webhooks (a failing endpoint fixed and its queue replayed,
//! attempts shown escaped, the secret rotated and shown once), keys, settings (a change picked up
//! by the Frontend API, a refused value shown inline), JWT templates (escaped names, inline
//! validation, the preview) — each page readable by support, each write refused without the
//! CSRF token and for support. The webhook worker is off: `drain_outbox` delivers what is due.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::StatusCode;
use serde_json::{Value, json};
use usher_core::clock::ManualClock;
use usher_core::operators::Role;

use super::{Desk, T0, assert_secure_headers};
use crate::common::{Browser, spawn_with};

/// A dashboard whose webhook deliveries happen when the test drains the outbox.
async fn spawn() -> Desk {
    let clock = Arc::new(ManualClock::new(T0));
    let app = spawn_with(clock.clone(), |cfg| {
        cfg.policy.client_trust = Some(false);
        cfg.webhooks.run_worker = false;
    })
    .await;
    Desk { app, clock }
}

/// A webhook receiver on a loopback port answering `status` with `body`; keeps every payload.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    async fn start(status: u16, body: &'static str) -> Self {
        let got: Arc<Mutex<Vec<Value>>> = Arc::default();
        let g = got.clone();
        let app = axum::Router::new().fallback(move |body_in: Bytes| {
            let g = g.clone();
            async move {
                let v = serde_json::from_slice(&body_in).unwrap_or(Value::Null);
                g.lock().unwrap().push(v);
                (StatusCode::from_u16(status).unwrap(), body)
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, got }
    }

    /// The user ids of the `user.created` events received.
    fn users_created(&self) -> HashSet<String> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|v| v["type"] == "user.created")
            .filter_map(|v| v["data"]["id"].as_str().map(str::to_owned))
            .collect()
    }
}

/// Text as the pages escape it, read back.
fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A loopback URL nothing listens on.
async fn closed_port_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/hooks")
}

impl Desk {
    async fn drain(&self) {
        self.app.running.drain_outbox().await.unwrap();
    }

    /// Creates a webhook endpoint through the Backend API; returns its id.
    async fn endpoint(&self, url: &str) -> String {
        let ep = self
            .app
            .post(
                "/v1/webhooks/endpoints",
                json!({"url": url, "events": ["user.created"]}),
            )
            .await;
        ep.ok()["id"].as_str().unwrap().to_owned()
    }

    async fn endpoint_url(&self, id: &str) -> String {
        let ep = self.app.get(&format!("/v1/webhooks/endpoints/{id}")).await;
        ep.ok()["url"].as_str().unwrap().to_owned()
    }

    /// An admin and a support operator, signed in.
    async fn operators(&self) -> (Browser, Browser) {
        let admin = self.operator("ada@example.com", Role::Admin).await;
        let support = self.operator("sam@example.com", Role::Support).await;
        let a = self.sign_in("ada@example.com", &admin).await;
        let s = self.sign_in("sam@example.com", &support).await;
        (a, s)
    }
}

/// Each write: refused without the session's CSRF token, and for support with it.
async fn refused_unless_admin(
    admin: &mut Browser,
    support: &mut Browser,
    path: &str,
    form: &[(&str, &str)],
) {
    let page = admin.post_form(path, form).await;
    page.expect(403);
    assert_secure_headers(&page);
    support.open("/dashboard/settings").await.expect(200);
    let p = support.submit(path, form).await;
    p.expect(403);
    assert!(
        p.body.contains("Your role does not allow this action"),
        "{path}"
    );
}

#[tokio::test]
async fn a_failing_endpoint_is_fixed_and_its_queue_replayed_from_the_dashboard() {
    let d = spawn().await;
    let ep = d.endpoint(&closed_port_url().await).await;
    let mut ids = HashSet::new();
    for i in 0..3 {
        let u = d
            .user(json!({"email_address": [format!("u{i}@example.com")], "skip_password_requirement": true}))
            .await;
        ids.insert(u["id"].as_str().unwrap().to_owned());
    }
    d.drain().await;
    let (mut admin, mut support) = d.operators().await;

    for b in [&mut admin, &mut support] {
        let list = b.open("/dashboard/webhooks").await;
        list.expect(200);
        assert_secure_headers(&list);
        assert!(list.body.contains("Failing: "), "{}", list.body);
        assert!(list.body.contains(&format!("/dashboard/webhooks/{ep}")));
        let page = b.open(&format!("/dashboard/webhooks/{ep}")).await;
        page.expect(200);
        assert!(page.body.contains("no response"), "{}", page.body);
        let failing = b
            .open(&format!("/dashboard/webhooks/{ep}?status=failing"))
            .await;
        assert!(failing.body.contains("user.created"));
    }
    admin
        .open("/dashboard/webhooks/whe_missing")
        .await
        .expect(404);
    admin
        .open("/dashboard/webhooks/not-an-id")
        .await
        .expect(404);

    let receiver = Receiver::start(204, "").await;
    let act = format!("/dashboard/webhooks/{ep}/act");
    let fix = [("action", "url"), ("url", receiver.url.as_str())];
    refused_unless_admin(&mut admin, &mut support, &act, &fix).await;
    assert_ne!(d.endpoint_url(&ep).await, receiver.url, "nothing changed");

    admin.open(&format!("/dashboard/webhooks/{ep}")).await;
    admin
        .submit(&act, &fix)
        .await
        .redirects_to(&format!("/dashboard/webhooks/{ep}?done=url"));
    assert_eq!(d.endpoint_url(&ep).await, receiver.url);
    let bad = admin
        .submit(&act, &[("action", "replay"), ("since", "yesterday")])
        .await;
    bad.expect(422);
    assert!(bad.body.contains("since"), "{}", bad.body);
    admin
        .submit(
            &act,
            &[("action", "replay"), ("since", "2027-01-15T00:00:00Z")],
        )
        .await
        .redirects_to(&format!("/dashboard/webhooks/{ep}?done=replay"));
    d.drain().await;
    assert_eq!(receiver.users_created(), ids, "every event arrives");

    let list = admin.open("/dashboard/webhooks").await;
    assert!(
        list.body.contains("No endpoint is failing now."),
        "{}",
        list.body
    );
    let audit = admin
        .open("/dashboard/audit?actor=operator%3Aada%40example.com")
        .await;
    for action in ["webhook_endpoint.update", "webhook_endpoint.replay"] {
        assert!(audit.body.contains(action), "{action}");
    }
    assert!(!audit.body.contains("operator:sam@example.com"));
}

#[tokio::test]
async fn attempts_are_escaped_and_a_rotated_secret_is_shown_once() {
    let d = spawn().await;
    let receiver = Receiver::start(500, "<script>alert(1)</script>").await;
    let ep = d.endpoint(&receiver.url).await;
    let u = d
        .user(json!({"email_address": ["x@example.com"], "skip_password_requirement": true}))
        .await;
    d.drain().await;
    let (mut admin, mut support) = d.operators().await;
    let page = admin.open(&format!("/dashboard/webhooks/{ep}")).await;
    page.expect(200);
    assert!(!page.body.contains("<script>"), "{}", page.body);
    assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.body.contains("500"));

    let act = format!("/dashboard/webhooks/{ep}/act");
    let uid = u["id"].as_str().unwrap();
    let delivery = d
        .app
        .get(&format!("/v1/webhooks/endpoints/{ep}/deliveries"))
        .await;
    let msg = delivery.ok()["data"][0]["message_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for form in [
        vec![("action", "rotate")],
        vec![("action", "pause")],
        vec![("action", "retry"), ("message_id", msg.as_str())],
    ] {
        refused_unless_admin(&mut admin, &mut support, &act, &form).await;
    }
    admin.open(&format!("/dashboard/webhooks/{ep}")).await;
    admin
        .submit(&act, &[("action", "retry"), ("message_id", &msg)])
        .await
        .redirects_to(&format!("/dashboard/webhooks/{ep}?done=retry"));
    d.drain().await;
    assert_eq!(receiver.users_created().len(), 1);
    assert!(receiver.users_created().contains(uid));
    admin
        .submit(&act, &[("action", "pause")])
        .await
        .redirects_to(&format!("/dashboard/webhooks/{ep}?done=pause"));
    let shown = admin.open(&format!("/dashboard/webhooks/{ep}")).await;
    assert!(shown.body.contains("paused") && shown.body.contains(">Resume<"));

    let rotated = admin.submit(&act, &[("action", "rotate")]).await;
    rotated.expect(200);
    let secret = rotated.text_of("new-secret").unwrap();
    assert!(secret.starts_with("whsec_"), "{secret}");
    let again = admin.open(&format!("/dashboard/webhooks/{ep}")).await;
    assert!(!again.body.contains(&secret), "shown once");
}

#[tokio::test]
async fn keys_are_listed_rotated_and_revoked_by_admins_only() {
    let d = spawn().await;
    let (mut admin, mut support) = d.operators().await;
    for b in [&mut admin, &mut support] {
        let keys = b.open("/dashboard/keys").await;
        keys.expect(200);
        assert!(keys.body.contains("signing") && keys.body.contains("Secret keys"));
        assert!(keys.body.contains("The last key accepted: rotate first."));
        assert!(!keys.body.contains(&d.app.secret), "never shown");
        let emergency = b.open("/dashboard/keys/emergency").await;
        assert!(emergency.body.contains("stops verifying"));
    }
    let act = "/dashboard/keys/act";
    for form in [
        vec![("action", "rotate-signing")],
        vec![("action", "emergency")],
        vec![("action", "rotate-secret"), ("overlap_hours", "1")],
    ] {
        refused_unless_admin(&mut admin, &mut support, act, &form).await;
    }
    let state = &d.app.running.state;
    let before = usher_server::app::signing_keys::list(state).await.unwrap();
    assert!(keys_page_has(&mut admin, &before[0].kid).await);

    admin.open("/dashboard/keys").await;
    let bad = admin
        .submit(act, &[("action", "rotate-secret"), ("overlap_hours", "-3")])
        .await;
    bad.expect(422);
    let made = admin
        .submit(
            act,
            &[
                ("action", "rotate-secret"),
                ("key_name", "second"),
                ("overlap_hours", "1"),
            ],
        )
        .await;
    made.expect(200);
    let secret = made.text_of("new-secret").unwrap();
    assert!(secret.starts_with("sk_"), "{secret}");
    let keys = admin.open("/dashboard/keys").await;
    assert!(keys.body.contains("second") && !keys.body.contains(&secret));
    assert!(keys.body.contains(">Revoke<"));

    admin
        .submit(act, &[("action", "emergency")])
        .await
        .redirects_to("/dashboard/keys?done=emergency");
    let after = usher_server::app::signing_keys::list(state).await.unwrap();
    let active: Vec<_> = after.iter().filter(|k| k.active).collect();
    assert_eq!(active.len(), 1);
    assert_ne!(active[0].kid, before[0].kid);
    assert!(!keys_page_has(&mut admin, &before[0].kid).await, "retired");
    assert!(keys_page_has(&mut admin, &active[0].kid).await);
}

async fn keys_page_has(b: &mut Browser, kid: &str) -> bool {
    b.open("/dashboard/keys").await.body.contains(kid)
}

#[tokio::test]
async fn settings_changes_are_validated_inline_and_picked_up() {
    let d = spawn().await;
    let (mut admin, mut support) = d.operators().await;
    let page = support.open("/dashboard/settings").await;
    page.expect(200);
    for key in [
        "session_token_lifetime_secs",
        "allowed_origins",
        "retention_audit_days",
        "first_name_field",
        "legal_consent_enabled",
    ] {
        assert!(
            page.body.contains(&format!("id=\"setting-{key}\"")),
            "{key}"
        );
    }
    assert!(page.body.contains("in effect"));
    let name = [("key", "application_name"), ("value", "Acme <Shop>")];
    refused_unless_admin(&mut admin, &mut support, "/dashboard/settings", &name).await;

    admin.open("/dashboard/settings").await;
    admin
        .submit("/dashboard/settings", &name)
        .await
        .redirects_to("/dashboard/settings?done=saved");
    let env = d.app.environment().await;
    assert_eq!(env["display_config"]["application_name"], "Acme <Shop>");

    let refused = admin
        .submit(
            "/dashboard/settings",
            &[("key", "session_token_lifetime_secs"), ("value", "5")],
        )
        .await;
    refused.expect(422);
    assert!(
        refused.body.contains("must be between 30 and 86400"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("aria-invalid=\"true\""));
    admin
        .submit(
            "/dashboard/settings",
            &[("key", "session_token_lifetime_secs"), ("value", "120")],
        )
        .await
        .redirects_to("/dashboard/settings?done=saved");
    let s = d.app.get("/v1/instance/settings").await;
    let held = &s.ok()["settings"]["session_token_lifetime_secs"];
    assert_eq!(held["value"], 120, "{held}");
    assert_eq!(held["source"], "database");
    let shown = admin.open("/dashboard/settings").await;
    assert!(shown.body.contains("Acme &lt;Shop&gt;") && !shown.body.contains("Acme <Shop>"));
    admin
        .submit(
            "/dashboard/settings",
            &[("key", "session_token_lifetime_secs"), ("reset", "true")],
        )
        .await
        .redirects_to("/dashboard/settings?done=saved");
    let s = d.app.get("/v1/instance/settings").await;
    let held = &s.ok()["settings"]["session_token_lifetime_secs"];
    assert_eq!(held["value"], 60, "{held}");
    assert_eq!(held["source"], "default");

    // A sign-up field's rule: one of its three values, shown to clerk-js at once.
    let refused = admin
        .submit(
            "/dashboard/settings",
            &[("key", "first_name_field"), ("value", "mandatory")],
        )
        .await;
    refused.expect(422);
    assert!(refused.body.contains("must be off, optional or required"));
    admin
        .submit(
            "/dashboard/settings",
            &[("key", "first_name_field"), ("value", "required")],
        )
        .await
        .redirects_to("/dashboard/settings?done=saved");
    let env = d.app.environment().await;
    assert_eq!(
        env["user_settings"]["attributes"]["first_name"]["required"],
        true
    );
}

#[tokio::test]
async fn jwt_templates_are_edited_with_inline_errors_and_previewed() {
    let d = spawn().await;
    let t = d
        .app
        .post(
            "/v1/jwt_templates",
            json!({"name": "<script>alert(1)</script>", "claims": {"email": "{{user.primary_email_address}}"}}),
        )
        .await;
    let tid = t.ok()["id"].as_str().unwrap().to_owned();
    let u = d
        .user(json!({"email_address": ["grace@example.com"], "skip_password_requirement": true}))
        .await;
    let uid = u["id"].as_str().unwrap();
    let (mut admin, mut support) = d.operators().await;
    let path = format!("/dashboard/jwt-templates/{tid}");
    for p in [
        support.open("/dashboard/jwt-templates").await,
        support.open(&path).await,
        admin.open("/dashboard/jwt-templates").await,
    ] {
        p.expect(200);
        assert!(!p.body.contains("<script>"), "{}", p.body);
        assert!(p.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
    let preview = support.open(&format!("{path}?user_id={uid}")).await;
    let claims: Value =
        serde_json::from_str(&unescape(&preview.text_of("preview").unwrap())).unwrap();
    assert_eq!(claims["email"], "grace@example.com");
    assert_eq!(claims["sub"], uid);

    let good = [
        ("name", "backend"),
        ("claims", "{\"role\": \"{{user.public_metadata.role}}\"}"),
        ("lifetime", "120"),
        ("allowed_clock_skew", "5"),
    ];
    refused_unless_admin(&mut admin, &mut support, &path, &good).await;
    admin.open(&path).await;
    let bad = admin
        .submit(
            &path,
            &[
                ("name", "backend"),
                ("claims", "{not json"),
                ("lifetime", "120"),
                ("allowed_clock_skew", "5"),
            ],
        )
        .await;
    bad.expect(422);
    assert!(bad.body.contains("must be JSON") && bad.body.contains("{not json"));
    admin
        .submit(&path, &good)
        .await
        .redirects_to(&format!("{path}?done=saved"));
    let stored = d.app.get(&format!("/v1/jwt_templates/{tid}")).await;
    assert_eq!(stored.ok()["name"], "backend");
    assert_eq!(stored.ok()["lifetime"], 120);

    let session = admin.open("/dashboard/jwt-templates/session").await;
    session.expect(200);
    assert!(session.body.contains("of 1200 bytes"));
    let claims = [("claims", "{\"role\": \"{{user.public_metadata.role}}\"}")];
    refused_unless_admin(
        &mut admin,
        &mut support,
        "/dashboard/jwt-templates/session",
        &claims,
    )
    .await;
    admin.open("/dashboard/jwt-templates/session").await;
    admin
        .submit("/dashboard/jwt-templates/session", &claims)
        .await
        .redirects_to("/dashboard/jwt-templates/session?done=saved");
    let meter = admin.open("/dashboard/jwt-templates/session").await;
    assert!(!meter.body.contains(">0 of 1200 bytes"), "{}", meter.body);
    let reserved = admin
        .submit(
            "/dashboard/jwt-templates/session",
            &[("claims", "{\"sts\": 1}")],
        )
        .await;
    reserved.expect(422);
    assert!(reserved.body.contains("reserved claim"));
}

#[tokio::test]
async fn messages_sent_and_activity_charts_are_shown() {
    let d = spawn().await;
    let (_, mut support) = d.operators().await;
    d.user(json!({"email_address": ["mia@example.com"], "password": crate::common::PASSWORD}))
        .await;
    let mut mia = d.app.web("Device");
    mia.sign_in_password("mia@example.com").await;

    let emails = support.open("/dashboard/emails").await;
    emails.expect(200);
    assert_secure_headers(&emails);
    let sms = support.open("/dashboard/sms?status=bogus&to=%2B1").await;
    sms.expect(200);
    assert!(sms.body.contains("No text messages match."));
    let none = support.open("/dashboard/emails?status=failed").await;
    assert!(none.body.contains("No emails match."));

    // The counters reach the store when a node flushes them.
    usher_server::workers::activity::flush(&d.app.running.state)
        .await
        .unwrap();
    let charts = support.open("/dashboard/activity").await;
    charts.expect(200);
    assert_secure_headers(&charts);
    for title in [
        "Sign-ins",
        "Failed sign-ins",
        "Token refreshes",
        "Webhook success rate",
    ] {
        assert!(charts.body.contains("<title id=\""), "{title}");
        assert!(
            charts.body.contains(&format!("{title} as a table")),
            "{title}"
        );
    }
    assert!(charts.body.contains("role=\"img\""));
    assert!(
        charts.body.contains("1 in the last 48 hours"),
        "{}",
        charts.body
    );
    // No inline script: the one script element is the dashboard's own time.js file.
    assert_eq!(
        charts.body.matches("<script").count(),
        charts.body.matches("<script src=\"/dashboard/").count(),
        "{}",
        charts.body
    );
}
