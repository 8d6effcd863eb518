//! The instance's domains (`/v1/domains`): the primary one listed from the instance and never
//! changed or removed here; satellite domains added, checked, renamed and deleted, each one's
//! origin allowed to call the Frontend API while it exists.

use serde_json::{Value, json};

use crate::common::{App, Res, spawn_app};

const SATELLITE: &str = "https://sat.example.com";

/// A clerk-js request from `origin`.
async fn from_origin(app: &App, origin: &str) -> Res {
    let mut b = app.browser();
    b.origin = Some(origin.into());
    b.get("/v1/client").await
}

#[tokio::test]
async fn satellite_domains_are_added_checked_and_removed() {
    let app = spawn_app().await;
    let list = app.get("/v1/domains").await.ok().clone();
    assert_eq!(list["total_count"], 1);
    let primary = &list["data"][0];
    assert_eq!(primary["object"], "domain");
    assert_eq!(primary["is_satellite"], false);
    let host = app.running.state.instance.frontend_host.clone();
    assert_eq!(primary["name"], host.as_str());
    assert_eq!(
        primary["frontend_api_url"],
        app.running.state.frontend_api_url.as_str()
    );
    assert!(primary["accounts_portal_url"].is_string());
    assert!(primary["development_origin"].is_string());
    assert_eq!(primary["cname_targets"], Value::Null);
    let primary_id = primary["id"].as_str().unwrap().to_owned();
    assert!(primary_id.starts_with("dmn_"));

    // Not yet a satellite: its origin is refused.
    from_origin(&app, SATELLITE)
        .await
        .err(403, "origin_invalid");

    // Bad input.
    let bad = [
        (json!({"is_satellite": true}), "form_param_missing", "name"),
        (
            json!({"name": "sat.example.com"}),
            "form_param_missing",
            "is_satellite",
        ),
        (
            json!({"name": "sat.example.com", "is_satellite": false}),
            "form_param_value_invalid",
            "is_satellite",
        ),
        (
            json!({"name": "https://sat.example.com", "is_satellite": true}),
            "form_param_format_invalid",
            "name",
        ),
        (
            json!({"name": "sat.example.com/x", "is_satellite": true}),
            "form_param_format_invalid",
            "name",
        ),
        (
            json!({"name": "no-dot", "is_satellite": true}),
            "form_param_format_invalid",
            "name",
        ),
        (
            json!({"name": "sat.example.com", "is_satellite": true, "proxy_url": "ftp://p.example.com"}),
            "form_param_format_invalid",
            "proxy_url",
        ),
        (
            json!({"name": 7, "is_satellite": true}),
            "form_param_format_invalid",
            "name",
        ),
        (
            json!({"name": host, "is_satellite": true}),
            "form_identifier_exists",
            "name",
        ),
        (
            json!({"name": "sat.example.com", "is_satellite": true, "x": 1}),
            "form_param_unknown",
            "x",
        ),
    ];
    for (body, code, param) in bad {
        let r = app.post("/v1/domains", body.clone()).await;
        r.err(422, code);
        assert_eq!(r.param(), param, "{body}");
    }
    assert_eq!(app.get("/v1/domains").await.ok()["total_count"], 1);

    let sat = app
        .post(
            "/v1/domains",
            json!({"name": "Sat.Example.com", "is_satellite": true}),
        )
        .await;
    let sat = sat.ok().clone();
    assert_eq!(sat["object"], "domain");
    assert_eq!(sat["name"], "sat.example.com");
    assert_eq!(sat["is_satellite"], true);
    assert_eq!(sat["accounts_portal_url"], Value::Null);
    assert_eq!(sat["proxy_url"], Value::Null);
    assert_eq!(sat["cname_targets"], Value::Null);
    let id = sat["id"].as_str().unwrap().to_owned();
    app.post(
        "/v1/domains",
        json!({"name": "sat.example.com", "is_satellite": true}),
    )
    .await
    .err(422, "form_identifier_exists");

    // Its origin may now call the Frontend API, with CORS for exactly it.
    let r = from_origin(&app, SATELLITE).await;
    r.ok();
    assert_eq!(r.header("access-control-allow-origin"), Some(SATELLITE));
    from_origin(&app, "https://other.example.com")
        .await
        .err(403, "origin_invalid");

    // Updates: the proxy URL, a rename (not onto a taken name); the primary stays as it is.
    let other = app
        .create_id(
            "/v1/domains",
            json!({"name": "two.example.com", "is_satellite": true}),
        )
        .await;
    let path = format!("/v1/domains/{id}");
    let p = app
        .patch(
            &path,
            json!({"proxy_url": "https://sat.example.com/__clerk"}),
        )
        .await;
    assert_eq!(p.ok()["proxy_url"], "https://sat.example.com/__clerk");
    assert_eq!(
        p.body["frontend_api_url"],
        "https://sat.example.com/__clerk"
    );
    app.patch(&path, json!({"name": "two.example.com"}))
        .await
        .err(422, "form_identifier_exists");
    app.patch(&path, json!({"name": "bad name"}))
        .await
        .err(422, "form_param_format_invalid");
    app.patch(
        &format!("/v1/domains/{primary_id}"),
        json!({"name": "x.example.com"}),
    )
    .await
    .err(403, "authorization_invalid");
    app.patch("/v1/domains/dmn_nope", json!({}))
        .await
        .err(404, "resource_not_found");
    let cleared = app.patch(&path, json!({"proxy_url": null})).await;
    assert_eq!(cleared.ok()["proxy_url"], Value::Null);

    // Deletes: never the primary; a satellite once, and its origin is refused again.
    app.delete(&format!("/v1/domains/{primary_id}"))
        .await
        .err(403, "authorization_invalid");
    app.delete(&path).await.deleted("domain", &id);
    app.delete(&path).await.err(404, "resource_not_found");
    from_origin(&app, SATELLITE)
        .await
        .err(403, "origin_invalid");
    let list = app.get("/v1/domains").await.ok().clone();
    assert_eq!(list["total_count"], 2);
    assert_eq!(list["data"][1]["id"], other.as_str());

    let s = &app.running.state;
    let actions: Vec<String> = s
        .store
        .audit_log(&s.instance.id, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    for a in ["domain.create", "domain.update", "domain.delete"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
}
