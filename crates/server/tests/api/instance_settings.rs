//! Instance settings at run time: Clerk's `/v1/instance…` endpoints and Usher's
//! `/v1/instance/settings`, validated with Clerk-shaped errors, audited with their event, taking
//! effect at once on the node that made the change and within the refresh interval on the
//! others; a node's flags override the stored value there only.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use usher_core::clock::SystemClock;
use usher_core::instance_settings::SettingsPatch;
use usher_server::app::context::RequestContext;

use crate::common::{App, spawn_node_of, spawn_with};

async fn spawn() -> App {
    spawn_with(Arc::new(SystemClock), |cfg| cfg.key_refresh_secs = 1).await
}

/// A second node on `first`'s database, with its own flags.
async fn second_node(first: &App, client_trust_flag: Option<bool>) -> App {
    spawn_node_of(first, Arc::new(SystemClock), |cfg| {
        cfg.key_refresh_secs = 1;
        cfg.policy.client_trust = client_trust_flag;
    })
    .await
}

fn setting<'a>(settings: &'a Value, key: &str) -> (&'a Value, &'a str) {
    let s = &settings["settings"][key];
    (&s["value"], s["source"].as_str().unwrap_or("?"))
}

/// Waits (up to 30 s: the machine may be loaded) until `check` holds for `app`'s held settings.
async fn until_held(app: &App, check: impl Fn(&usher_core::instance::InstanceSettings) -> bool) {
    for _ in 0..300 {
        if check(&app.running.state.settings()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the node did not pick the change up within 30 s");
}

#[tokio::test]
async fn settings_are_changed_at_run_time_and_take_effect() {
    let app = spawn().await;
    let ins = app.get("/v1/instance").await;
    let body = ins.ok();
    assert_eq!(body["object"], "instance");
    assert_eq!(body["environment_type"], "development");
    assert_eq!(body["id"], app.running.state.instance.id.as_str());
    assert_eq!(body["workspace_id"], Value::Null);
    assert!(body["allowed_origins"].is_array());

    let all = app.get("/v1/instance/settings").await.ok().clone();
    assert_eq!(all["object"], "instance_settings");
    assert_eq!(
        setting(&all, "session_inactivity_ms"),
        (&json!(604_800_000), "default")
    );

    // A session started after the change is abandoned after the new inactivity period.
    let changed = app
        .patch(
            "/v1/instance/settings",
            json!({"session_inactivity_ms": 3_600_000}),
        )
        .await;
    assert_eq!(
        setting(changed.ok(), "session_inactivity_ms"),
        (&json!(3_600_000), "database")
    );
    let uid = app.create_user_id("ada@settings.test").await;
    let session = app.create_session(&uid).await;
    assert_eq!(
        session["abandon_at"].as_i64().unwrap() - session["last_active_at"].as_i64().unwrap(),
        3_600_000
    );

    // Organizations turned on through Clerk's organization settings show on the Frontend API.
    assert_eq!(
        app.environment().await["organization_settings"]["enabled"],
        false
    );
    let orgs = app
        .patch(
            "/v1/instance/organization_settings",
            json!({"enabled": true, "max_allowed_memberships": 10, "admin_delete_enabled": false}),
        )
        .await;
    let o = orgs.ok();
    assert_eq!(o["object"], "organization_settings");
    assert_eq!(o["enabled"], true);
    assert_eq!(o["max_allowed_memberships"], 10);
    assert_eq!(o["admin_delete_enabled"], false);
    assert_eq!(o["domains_enabled"], false);
    assert_eq!(o["creator_role"], "org:admin");
    assert_eq!(app.get("/v1/instance/organization_settings").await.ok(), o);
    let env = app.environment().await;
    assert_eq!(env["organization_settings"]["enabled"], true);
    assert_eq!(env["organization_settings"]["max_allowed_memberships"], 10);
    assert_eq!(
        env["organization_settings"]["actions"]["admin_delete"],
        false
    );

    // `hibp` on `PATCH /v1/instance` is the breached-password check; Clerk answers 204.
    let r = app
        .patch("/v1/instance", json!({"hibp": false, "test_mode": true}))
        .await;
    assert_eq!(r.status.as_u16(), 204, "{}", r.raw);
    let all = app.get("/v1/instance/settings").await.ok().clone();
    assert_eq!(
        setting(&all, "reject_breached_passwords"),
        (&json!(false), "database")
    );
    assert_eq!(
        app.environment().await["user_settings"]["password_settings"]["disable_hibp"],
        true
    );

    // The restrictions are stored settings (tested with the lists in frontend::identifier_lists).
    let r = app
        .patch("/v1/instance/restrictions", json!({"allowlist": false}))
        .await;
    assert_eq!(r.ok()["object"], "instance_restrictions");
    assert_eq!(r.ok()["allowlist"], false);

    // `null` puts a setting's default back.
    let back = app
        .patch(
            "/v1/instance/settings",
            json!({"session_inactivity_ms": null}),
        )
        .await;
    assert_eq!(
        setting(back.ok(), "session_inactivity_ms"),
        (&json!(604_800_000), "default")
    );

    // Each change was audited and raised its event.
    let s = &app.running.state;
    let audit = s.store.audit_log(&s.instance.id, 50).await.unwrap();
    let updates: Vec<_> = audit
        .iter()
        .filter(|a| a.action == "instance.settings.update")
        .collect();
    // Four settings changes and the allowlist set (off) through the restrictions route.
    assert_eq!(updates.len(), 5, "{audit:?}");
    assert!(
        updates
            .iter()
            .any(|a| a.target_id.as_deref() == Some("allowlist_enabled"))
    );
    assert!(updates.iter().all(|a| a.actor.starts_with("secret_key:")));
    assert!(
        updates
            .iter()
            .any(|a| a.target_id.as_deref() == Some("reject_breached_passwords"))
    );
    let events: Vec<Value> = app
        .events()
        .await
        .into_iter()
        .filter(|e| e.event_type == "usher.security.instance_settings.updated")
        .map(|e| e.data)
        .collect();
    assert_eq!(events.len(), 5);
    assert_eq!(events[0]["values"]["session_inactivity_ms"], 3_600_000);
}

#[tokio::test]
async fn bad_settings_are_refused_with_clerk_errors_and_change_nothing() {
    let app = spawn().await;
    for (path, body, status, code, param) in [
        (
            "/v1/instance/settings",
            json!({"password_min_length": 7}),
            422,
            "form_param_value_invalid",
            "password_min_length",
        ),
        (
            "/v1/instance/settings",
            json!({"password_max_length": 73}),
            422,
            "form_param_value_invalid",
            "password_max_length",
        ),
        (
            "/v1/instance/settings",
            json!({"password_min_length": 20, "password_max_length": 10}),
            422,
            "form_param_value_invalid",
            "password_min_length",
        ),
        (
            "/v1/instance/settings",
            json!({"session_inactivity_ms": 1000}),
            422,
            "form_param_value_invalid",
            "session_inactivity_ms",
        ),
        (
            "/v1/instance/settings",
            json!({"max_verification_attempts": 0}),
            422,
            "form_param_value_invalid",
            "max_verification_attempts",
        ),
        (
            "/v1/instance/settings",
            json!({"client_trust": "yes"}),
            422,
            "form_param_format_invalid",
            "client_trust",
        ),
        (
            "/v1/instance/settings",
            json!({"no_such_setting": true}),
            422,
            "form_param_value_invalid",
            "no_such_setting",
        ),
        (
            "/v1/instance/settings",
            json!({"force_organization_selection": true}),
            422,
            "form_param_value_invalid",
            "force_organization_selection",
        ),
        (
            "/v1/instance/organization_settings",
            json!({"enabled": true, "slug_disabled": true}),
            422,
            "form_param_value_invalid",
            "slug_disabled",
        ),
        (
            "/v1/instance/organization_settings",
            json!({"max_allowed_memberships": -1}),
            422,
            "form_param_value_invalid",
            "organization_max_allowed_memberships",
        ),
        (
            "/v1/instance",
            json!({"allowed_origins": ["https://*.elsewhere.test"]}),
            422,
            "form_param_value_invalid",
            "allowed_origins",
        ),
        (
            "/v1/instance",
            json!({"hibp": "no"}),
            422,
            "form_param_format_invalid",
            "hibp",
        ),
        (
            "/v1/instance",
            json!({"session_lifetime": 5}),
            422,
            "form_param_unknown",
            "session_lifetime",
        ),
    ] {
        let r = app.patch(path, body.clone()).await;
        r.err(status, code);
        assert_eq!(r.param(), param, "{path} {body}");
    }
    // Nothing was stored: every setting is still its default.
    let all = app.get("/v1/instance/settings").await.ok().clone();
    for (key, s) in all["settings"].as_object().unwrap() {
        assert_eq!(s["source"], "default", "{key}");
    }
    // The secret key is required.
    let r = reqwest::Client::new()
        .patch(format!("{}/v1/instance/settings", app.base))
        .json(&json!({"client_trust": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

/// A preflight from `origin` to `app`'s Frontend API: whether it is allowed.
async fn origin_allowed(app: &App, origin: &str) -> bool {
    let r = app
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("http://{}/v1/client", app.running.frontend_addr),
        )
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    r.status().as_u16() == 204
}

#[tokio::test]
async fn allowed_origins_are_stored_exact_and_overridden_by_a_nodes_flag() {
    let a = spawn().await;
    let app_origin = "https://app.stored.test";
    assert!(!origin_allowed(&a, app_origin).await);
    a.patch(
        "/v1/instance",
        json!({"allowed_origins": ["https://*.stored.test"]}),
    )
    .await
    .err(422, "form_param_value_invalid");
    a.patch(
        "/v1/instance/settings",
        json!({"allowed_origins": ["https://app.stored.test/path"]}),
    )
    .await
    .err(422, "form_param_value_invalid");
    // Clerk's field stores them (normalized), and the Frontend API takes them at once.
    let r = a
        .patch(
            "/v1/instance",
            json!({"allowed_origins": ["HTTPS://App.Stored.test/", app_origin]}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 204);
    assert_eq!(
        a.get("/v1/instance").await.ok()["allowed_origins"],
        json!([app_origin])
    );
    let all = a.get("/v1/instance/settings").await.ok().clone();
    assert_eq!(
        setting(&all, "allowed_origins"),
        (&json!([app_origin]), "database")
    );
    assert_eq!(all["node"]["cookie_same_site"], "Lax");
    assert_eq!(all["node"]["environment_type"], "development");
    assert!(origin_allowed(&a, app_origin).await);
    assert!(!origin_allowed(&a, "https://other.stored.test").await);

    // A node started with --allowed-origins keeps its own list, and says so.
    let b = spawn_node_of(&a, Arc::new(SystemClock), |cfg| {
        cfg.frontend.allowed_origins = vec!["https://flag.stored.test".into()];
    })
    .await;
    let on_b = b.get("/v1/instance/settings").await.ok().clone();
    assert_eq!(
        setting(&on_b, "allowed_origins"),
        (&json!(["https://flag.stored.test"]), "flag")
    );
    assert_eq!(on_b["node"]["allowed_origins_flag"], true);
    assert!(origin_allowed(&b, "https://flag.stored.test").await);
    assert!(!origin_allowed(&b, app_origin).await);
}

#[tokio::test]
async fn changes_reach_every_node_and_flags_win_on_their_own() {
    let a = spawn().await;
    // B is started with `--client-trust true`.
    let b = second_node(&a, Some(true)).await;

    // A change through A's Backend API: held at once by A, picked up by B at its refresh.
    a.patch(
        "/v1/instance/organization_settings",
        json!({"enabled": true}),
    )
    .await
    .ok();
    assert!(a.running.state.settings().organizations_enabled);
    until_held(&b, |s| s.organizations_enabled).await;
    assert_eq!(
        b.environment().await["organization_settings"]["enabled"],
        true
    );

    // A change made with the server's use case outside any node (as `usher config set` does).
    let cfg = usher_server::config::ServerConfig {
        database_url: a.database_url.clone(),
        ..usher_server::config::ServerConfig::with_data_dir(a.dir.path())
    };
    let offline = usher_server::offline::open(&cfg, Arc::new(SystemClock))
        .await
        .unwrap();
    let patch = SettingsPatch::from([
        ("client_trust".to_string(), Some(json!(false))),
        ("password_min_length".to_string(), Some(json!(12))),
    ]);
    usher_server::app::instance_settings::update(&offline, &RequestContext::system("cli"), &patch)
        .await
        .unwrap();
    until_held(&a, |s| s.password_min_length == 12 && !s.client_trust).await;
    until_held(&b, |s| s.password_min_length == 12).await;

    // B's flag keeps Client Trust on there, and says so.
    assert!(b.running.state.settings().client_trust);
    let on_b = b.get("/v1/instance/settings").await.ok().clone();
    assert_eq!(setting(&on_b, "client_trust"), (&json!(true), "flag"));
    assert_eq!(
        setting(&on_b, "password_min_length"),
        (&json!(12), "database")
    );
    let on_a = a.get("/v1/instance/settings").await.ok().clone();
    assert_eq!(setting(&on_a, "client_trust"), (&json!(false), "database"));

    // The new minimum applies to passwords set on either node.
    for node in [&a, &b] {
        node.post(
            "/v1/users",
            json!({"email_address": ["short@nodes.test"], "password": "elevenchars"}),
        )
        .await
        .err(422, "form_password_length_too_short");
    }
    let audit = offline
        .store
        .audit_log(&offline.instance.id, 50)
        .await
        .unwrap();
    assert!(audit.iter().any(|a| a.action == "instance.settings.update"
        && a.target_id.as_deref() == Some("client_trust,password_min_length")));
}
