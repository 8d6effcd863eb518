//! Organization logos and user profile images over the Backend API: stored by Usher, served by
//! its Frontend API listener byte for byte with safe headers, replaced and deleted with the
//! record that shows them, refused when they are not an image of the four formats.

use std::sync::Arc;

use reqwest::Method;
use serde_json::{Value, json};
use usher_core::clock::SystemClock;

use crate::common::*;

async fn org(app: &App) -> String {
    app.create_id("/v1/organizations", json!({"name": "Acme"}))
        .await
}

fn image_url(v: &Value) -> String {
    v["image_url"].as_str().unwrap().to_owned()
}

#[track_caller]
fn assert_served(s: &Served, bytes: &[u8], content_type: &str) {
    assert_eq!(s.status, 200);
    assert_eq!(s.bytes, bytes, "the uploaded bytes, unchanged");
    assert_eq!(s.header("content-type"), content_type);
    assert_eq!(s.header("x-content-type-options"), "nosniff");
    assert_eq!(s.header("content-security-policy"), "default-src 'none'");
    assert!(
        s.header("cache-control").contains("max-age=31536000"),
        "{}",
        s.header("cache-control")
    );
}

#[tokio::test]
async fn an_organization_logo_is_uploaded_served_replaced_and_deleted() {
    let app = spawn_app().await;
    let id = org(&app).await;
    let before = app.get(&format!("/v1/organizations/{id}")).await;
    let default_image = image_url(before.ok());
    assert_eq!(before.ok()["has_image"], false);
    assert_eq!(before.ok()["logo_url"], Value::Null);
    let logo_path = format!("/v1/organizations/{id}/logo");

    let r = app.upload_image(Method::PUT, &logo_path, PNG).await;
    let o = r.ok();
    assert_eq!(o["object"], "organization");
    assert_eq!(o["has_image"], true);
    let first = image_url(o);
    assert!(
        first.starts_with(&format!("{}/v1/images/img_", app.frontend_url())),
        "{first}"
    );
    assert_eq!(o["logo_url"], first.as_str());
    assert_served(&app.fetch_image(&first).await, PNG, "image/png");
    // Under the proxy prefix as well, as apps that proxy the Frontend API reach it.
    let proxied = first.replace("/v1/images", "/__clerk/v1/images");
    assert_served(&app.fetch_image(&proxied).await, PNG, "image/png");
    assert_eq!(
        image_url(app.get(&format!("/v1/organizations/{id}")).await.ok()),
        first
    );
    let events = app.events().await;
    let last = events.last().unwrap();
    assert_eq!(last.event_type, "organization.updated");
    assert_eq!(last.data["image_url"], first.as_str());
    assert_eq!(last.data["has_image"], true);

    // A new logo is a new image; the old one is gone with the change.
    let (ct, body) = multipart(&[], Some((GIF, "application/octet-stream")));
    let r = app.upload(Method::PUT, &logo_path, &ct, body).await;
    let second = image_url(r.ok());
    assert_ne!(second, first);
    assert_served(&app.fetch_image(&second).await, GIF, "image/gif");
    assert_eq!(app.fetch_image(&first).await.status, 404);

    let r = app.delete(&logo_path).await;
    assert_eq!(r.ok()["has_image"], false);
    assert_eq!(image_url(r.ok()), default_image, "the default image again");
    assert_eq!(r.ok()["logo_url"], Value::Null);
    assert_eq!(app.fetch_image(&second).await.status, 404);
    assert_eq!(
        app.events().await.last().unwrap().event_type,
        "organization.updated"
    );
    // Deleting again changes nothing and raises nothing.
    let count = app.events().await.len();
    let r = app.delete(&logo_path).await;
    assert_eq!(r.ok()["has_image"], false);
    assert_eq!(app.events().await.len(), count);
}

#[tokio::test]
async fn a_deleted_organization_takes_its_logo_with_it() {
    let app = spawn_app().await;
    let id = org(&app).await;
    let (ct, body) = multipart(&[], Some((PNG, "image/png")));
    let user = app.create_user_id("up@example.com").await;
    let (ct2, body2) = multipart(&[("uploader_user_id", &user)], Some((PNG, "image/png")));
    let r = app
        .upload(
            Method::PUT,
            &format!("/v1/organizations/{id}/logo"),
            &ct2,
            body2,
        )
        .await;
    let url = image_url(r.ok());
    assert_eq!(app.fetch_image(&url).await.status, 200);
    app.delete(&format!("/v1/organizations/{id}")).await.ok();
    assert_eq!(app.fetch_image(&url).await.status, 404);
    app.upload(
        Method::PUT,
        &format!("/v1/organizations/{id}/logo"),
        &ct,
        body,
    )
    .await
    .err(404, "resource_not_found");
}

#[tokio::test]
async fn what_is_not_an_accepted_image_is_refused_with_nothing_written() {
    let app = spawn_app().await;
    let id = org(&app).await;
    let path = format!("/v1/organizations/{id}/logo");
    let events = app.events().await.len();

    // SVG (a script vector) and text, whatever content type the client claims.
    for (bytes, claimed) in [
        (SVG, "image/svg+xml"),
        (SVG, "image/png"),
        (&b"hello"[..], "image/png"),
    ] {
        let (ct, body) = multipart(&[], Some((bytes, claimed)));
        let r = app.upload(Method::PUT, &path, &ct, body).await;
        r.err(400, "form_param_format_invalid");
        assert_eq!(r.param(), "file");
    }
    // Empty, and no file at all.
    let (ct, body) = multipart(&[], Some((b"", "image/png")));
    app.upload(Method::PUT, &path, &ct, body)
        .await
        .err(400, "form_param_format_invalid");
    let (ct, body) = multipart(&[("uploader_user_id", "")], None);
    let r = app.upload(Method::PUT, &path, &ct, body).await;
    r.err(422, "form_param_missing");
    assert_eq!(r.param(), "file");
    // Over Clerk's 10 MB: one byte over in a form, and a body far over.
    let mut big = PNG.to_vec();
    big.resize(10 * 1024 * 1024 + 1, 0);
    app.upload_image(Method::PUT, &path, &big)
        .await
        .err(413, "request_body_too_large");
    big.resize(20 * 1024 * 1024, 0);
    app.upload_image(Method::PUT, &path, &big)
        .await
        .err(413, "request_body_too_large");
    // Exactly 10 MB is taken.
    big.truncate(10 * 1024 * 1024);
    assert_eq!(
        app.upload_image(Method::PUT, &path, &big).await.ok()["has_image"],
        true
    );
    let events = events + 1;
    // Not a form; a malformed form.
    app.upload(Method::PUT, &path, "application/json", b"{}".to_vec())
        .await
        .err(400, "request_body_invalid");
    app.upload(
        Method::PUT,
        &path,
        "multipart/form-data; boundary=xyz",
        b"--xyz\r\nno headers".to_vec(),
    )
    .await
    .err(400, "request_body_invalid");
    // An unknown organization, a malformed id, an unknown uploader.
    for missing in ["org_2x9ZzUnknownUnknownUnknown0", "nope"] {
        app.upload_image(
            Method::PUT,
            &format!("/v1/organizations/{missing}/logo"),
            PNG,
        )
        .await
        .err(404, "resource_not_found");
    }
    let (ct, body) = multipart(
        &[("uploader_user_id", "user_2x9ZzUnknownUnknownUnknown0")],
        Some((PNG, "image/png")),
    );
    app.upload(Method::PUT, &path, &ct, body)
        .await
        .err(404, "resource_not_found");
    // Without the secret key.
    let r = app.send_raw(Method::DELETE, &path, None, None).await;
    assert_eq!(r.status.as_u16(), 401, "{}", r.raw);
    assert_eq!(
        app.events().await.len(),
        events,
        "only the 10 MB upload was written"
    );
}

#[tokio::test]
async fn images_are_public_to_every_origin() {
    let app = spawn_app().await;
    let id = org(&app).await;
    let r = app
        .upload_image(Method::PUT, &format!("/v1/organizations/{id}/logo"), PNG)
        .await;
    let url = image_url(r.ok());
    // Any page may show it, `<img crossorigin="anonymous">` as Clerk's UI loads it included.
    let res = app
        .http
        .get(&url)
        .header("Origin", "http://elsewhere.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    assert!(
        res.headers()
            .get("access-control-allow-credentials")
            .is_none()
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    // Nothing else is opened by it: a write from that origin is still refused.
    let res = app
        .http
        .post(&url)
        .header("Origin", "http://elsewhere.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn images_are_served_only_by_their_id() {
    let app = spawn_app().await;
    let fapi = app.frontend_url();
    for id in ["img_2x9ZzUnknownUnknownUnknown0", "nope", "../../etc"] {
        assert_eq!(
            app.fetch_image(&format!("{fapi}/v1/images/{id}"))
                .await
                .status,
            404
        );
    }
    // Not on the Backend API's listener.
    let id = org(&app).await;
    let r = app
        .upload_image(Method::PUT, &format!("/v1/organizations/{id}/logo"), PNG)
        .await;
    let url = image_url(r.ok());
    let image_id = url.rsplit('/').next().unwrap();
    assert_eq!(
        app.fetch_image(&format!("{}/v1/images/{image_id}", app.base))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_user_profile_image_is_uploaded_replaced_and_deleted() {
    let app = spawn_app().await;
    let id = app.create_user_id("pic@example.com").await;
    let before = app.get(&format!("/v1/users/{id}")).await;
    let default_image = image_url(before.ok());
    assert_eq!(before.ok()["has_image"], false);
    let path = format!("/v1/users/{id}/profile_image");

    let r = app.upload_image(Method::POST, &path, PNG).await;
    let u = r.ok();
    assert_eq!(u["object"], "user");
    assert_eq!(u["has_image"], true);
    let first = image_url(u);
    assert_eq!(u["profile_image_url"], first.as_str());
    assert_served(&app.fetch_image(&first).await, PNG, "image/png");
    assert_eq!(
        app.events().await.last().unwrap().event_type,
        "user.updated"
    );
    assert_eq!(
        app.events().await.last().unwrap().data["image_url"],
        first.as_str()
    );

    let r = app.upload_image(Method::POST, &path, GIF).await;
    let second = image_url(r.ok());
    assert_served(&app.fetch_image(&second).await, GIF, "image/gif");
    assert_eq!(app.fetch_image(&first).await.status, 404);

    // Members of an organization show it too.
    let o = org(&app).await;
    app.add_member(&o, &id, "org:member").await;
    let members = app.get(&format!("/v1/organizations/{o}/memberships")).await;
    let pud = &members.ok()["data"][0]["public_user_data"];
    assert_eq!(pud["image_url"], second.as_str());
    assert_eq!(pud["has_image"], true);

    let (ct, body) = multipart(&[], Some((SVG, "image/svg+xml")));
    app.upload(Method::POST, &path, &ct, body)
        .await
        .err(400, "form_param_format_invalid");
    app.upload_image(
        Method::POST,
        "/v1/users/user_2x9ZzUnknownUnknownUnknown0/profile_image",
        PNG,
    )
    .await
    .err(404, "resource_not_found");

    let r = app.delete(&path).await;
    assert_eq!(r.ok()["has_image"], false);
    assert_eq!(image_url(r.ok()), default_image);
    assert_eq!(app.fetch_image(&second).await.status, 404);

    // Deleting the user deletes their image.
    let r = app.upload_image(Method::POST, &path, PNG).await;
    let third = image_url(r.ok());
    app.delete(&format!("/v1/users/{id}")).await.ok();
    assert_eq!(app.fetch_image(&third).await.status, 404);
}

#[tokio::test]
async fn image_urls_start_with_the_configured_public_frontend_url() {
    let app = spawn_with(Arc::new(SystemClock), |cfg| {
        cfg.frontend_url = Some("https://auth.example.com/".into());
    })
    .await;
    let id = org(&app).await;
    let r = app
        .upload_image(Method::PUT, &format!("/v1/organizations/{id}/logo"), PNG)
        .await;
    let url = image_url(r.ok());
    assert!(
        url.starts_with("https://auth.example.com/v1/images/img_"),
        "{url}"
    );
}

#[tokio::test]
async fn a_malformed_public_frontend_url_stops_the_server_before_it_starts() {
    for bad in [
        "auth.example.com",
        "ftp://auth.example.com",
        "https://auth.example.com/?x=1",
        "https://user:pw@auth.example.com",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = usher_server::config::ServerConfig::with_data_dir(dir.path());
        cfg.api_addr = "127.0.0.1:0".parse().unwrap();
        cfg.frontend_addr = "127.0.0.1:0".parse().unwrap();
        cfg.frontend_url = Some(bad.into());
        let err = usher_server::start(cfg)
            .await
            .err()
            .unwrap_or_else(|| panic!("{bad} was accepted"));
        assert!(err.to_string().contains("frontend-url"), "{err}");
        assert!(
            !dir.path().join("usher.sqlite").exists(),
            "nothing is created for {bad}"
        );
    }
}
