//! Images as clerk-js sets them: `organization.setLogo({ file })` (a multipart `PUT`, tunnelled
//! as `POST ?_method=PUT`; `DELETE` for `null`) by a member who may manage the organization, and
//! `user.setProfileImage({ file })` (`POST /v1/me/profile_image`; a string is sent base64 in an
//! octet-stream body).

use super::*;

#[tokio::test]
async fn an_admin_sets_the_logo_and_nobody_else_does() {
    let env = spawn_with_organizations().await;
    let mut a = env.browser();
    let mut c = env.browser();
    let mut e = env.browser();
    a.sign_up(&env, "alice@example.com", None).await;
    let (carol, _) = c.sign_up(&env, "carol@example.com", None).await;
    e.sign_up(&env, "eve@example.com", None).await;
    let r = a.post("/v1/organizations", &[("name", "Acme")]).await;
    let org = r.ok()["response"]["id"].as_str().unwrap().to_owned();
    let logo = format!("/v1/organizations/{org}/logo");
    a.post(
        &format!("/v1/organizations/{org}/memberships"),
        &[("user_id", &carol), ("role", "org:member")],
    )
    .await
    .ok();
    let (ct, body) = multipart(&[], Some((PNG, "image/png")));

    // A member without `org:sys_profile:manage`, and a user of no organization: nothing written.
    let before = env.snapshot().await;
    c.raw_send(Some("PUT"), &logo, &ct, body.clone())
        .await
        .err(403, "not_allowed_access");
    c.raw_send(
        Some("DELETE"),
        &logo,
        "application/x-www-form-urlencoded",
        Vec::new(),
    )
    .await
    .err(403, "not_allowed_access");
    e.raw_send(Some("PUT"), &logo, &ct, body.clone())
        .await
        .err(404, "organization_not_found_or_unauthorized");
    // Signed out.
    let mut nobody = env.browser();
    nobody
        .raw_send(Some("PUT"), &logo, &ct, body.clone())
        .await
        .err(401, "signed_out");
    assert_eq!(env.snapshot().await, before);

    // The admin.
    let r = a.raw_send(Some("PUT"), &logo, &ct, body.clone()).await;
    let o = &r.ok()["response"];
    assert_eq!(o["object"], "organization", "{}", r.raw);
    assert_eq!(o["has_image"], true);
    assert!(r.body["client"].is_object());
    let url = o["image_url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with(&format!("{}/v1/images/img_", env.fapi())),
        "{url}"
    );
    let served = env.fetch_image(&url).await;
    assert_eq!(served.bytes, PNG);
    assert_eq!(served.header("content-type"), "image/png");
    assert_eq!(
        env.events().await.last().unwrap().event_type,
        "organization.updated"
    );
    // The member sees it in their memberships.
    let r = c
        .get("/v1/me/organization_memberships?limit=10&offset=0&paginated=true")
        .await;
    let m = &r.ok()["response"]["data"][0];
    assert_eq!(m["organization"]["image_url"], url.as_str(), "{}", r.raw);
    assert_eq!(m["organization"]["has_image"], true);

    // Not an image: refused.
    let (svg_ct, svg) = multipart(&[], Some((SVG, "image/svg+xml")));
    a.raw_send(Some("PUT"), &logo, &svg_ct, svg)
        .await
        .err(400, "form_param_format_invalid");

    // `setLogo({ file: null })`: the removed image as a deleted object, as Clerk's spec has it.
    let image_id = url.rsplit('/').next().unwrap();
    let r = a.delete(&logo).await;
    let d = &r.ok()["response"];
    assert_eq!(
        (
            d["object"].as_str(),
            d["id"].as_str(),
            d["deleted"].as_bool()
        ),
        (Some("image"), Some(image_id), Some(true)),
        "{}",
        r.raw
    );
    assert_eq!(env.fetch_image(&url).await.status, 404);
    assert_eq!(
        env.bapi_get(&format!("/v1/organizations/{org}")).await.ok()["has_image"],
        false
    );
    // Removing again (Clerk's UI offers it beside the default image) changes nothing.
    let events = env.events().await.len();
    let r = a.delete(&logo).await;
    assert_eq!(
        r.ok()["response"],
        json!({"object": "image", "deleted": true})
    );
    assert_eq!(env.events().await.len(), events);
}

#[tokio::test]
async fn the_signed_in_user_sets_and_removes_their_profile_image() {
    let env = spawn(Kind::Production).await;
    let mut a = env.browser();
    let (alice, _) = a.sign_up(&env, "alice@example.com", None).await;
    let (ct, body) = multipart(&[], Some((PNG, "image/png")));

    let r = a.raw_post("/v1/me/profile_image", &ct, body).await;
    let img = &r.ok()["response"];
    assert_eq!(img["object"], "image", "{}", r.raw);
    assert!(img["id"].as_str().unwrap().starts_with("img_"));
    assert!(img["name"].as_str().unwrap().ends_with(".png"));
    let url = img["public_url"].as_str().unwrap().to_owned();
    assert_eq!(env.fetch_image(&url).await.bytes, PNG);
    // The client's user shows it, and so does the Backend API.
    let user = &r.body["client"]["sessions"][0]["user"];
    assert_eq!(user["image_url"], url.as_str(), "{}", r.raw);
    assert_eq!(user["has_image"], true);
    assert_eq!(
        r.body["client"]["sessions"][0]["public_user_data"]["image_url"],
        url.as_str()
    );
    assert_eq!(env.user(&alice).await["image_url"], url.as_str());
    assert_eq!(
        env.events().await.last().unwrap().event_type,
        "user.updated"
    );

    // A string file: base64 in an octet-stream body, a data URL too.
    let r = a
        .raw_post(
            "/v1/me/profile_image",
            "application/octet-stream",
            format!("data:image/gif;base64,{}", b64(GIF)).into_bytes(),
        )
        .await;
    let second = r.ok()["response"]["public_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(env.fetch_image(&second).await.bytes, GIF);
    assert_eq!(env.fetch_image(&url).await.status, 404, "replaced");
    a.raw_post(
        "/v1/me/profile_image",
        "application/octet-stream",
        b"%%% not base64".to_vec(),
    )
    .await
    .err(400, "form_param_format_invalid");
    let (svg_ct, svg) = multipart(&[], Some((SVG, "image/png")));
    a.raw_post("/v1/me/profile_image", &svg_ct, svg)
        .await
        .err(400, "form_param_format_invalid");

    // `setProfileImage({ file: null })`.
    let r = a.delete("/v1/me/profile_image").await;
    let d = &r.ok()["response"];
    assert_eq!(d["object"], "image", "{}", r.raw);
    assert_eq!(d["deleted"], true);
    assert_eq!(r.body["client"]["sessions"][0]["user"]["has_image"], false);
    assert_eq!(env.fetch_image(&second).await.status, 404);
    let events = env.events().await.len();
    let r = a.delete("/v1/me/profile_image").await;
    assert_eq!(
        r.ok()["response"],
        json!({"object": "image", "deleted": true}),
        "removing nothing succeeds and changes nothing"
    );
    assert_eq!(env.events().await.len(), events);
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
