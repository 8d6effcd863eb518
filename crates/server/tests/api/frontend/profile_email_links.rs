//! An address added in `<UserProfile/>` verified by email link: off until the instance enables
//! links; the link read from the captured email (`magic_link_user_profile`) and opened in
//! another browser verifies the address, which the profile's tab finds by polling it; refused
//! when forged, expired or replayed, or prepared with a `redirect_url` not allowed; made
//! primary afterwards, the other sessions end as with a code.

use super::*;

const DONE: &str = "http://localhost:3000/user/verify";
const ADDED: &str = "lena@work.example";

/// The newest profile link emailed to `email`, as a Frontend API path.
async fn profile_link(env: &Env, email: &str) -> String {
    emailed_link(env, email, "magic_link_user_profile").await
}

/// Opens `link` in `b` as a navigation: the `__clerk_status` it lands with.
async fn open(b: &mut Browser, link: &str) -> String {
    let r = b.get(link).await;
    assert_eq!(r.status, 303, "{}", r.raw);
    let location = r.header("location").unwrap().to_owned();
    assert!(location.starts_with(DONE), "{location}");
    let url = url::Url::parse(&location).unwrap();
    let q: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    assert!(!q.contains_key("__clerk_created_session"), "{location}");
    q.get("__clerk_status").cloned().unwrap_or_default()
}

#[tokio::test]
async fn an_added_address_is_verified_by_link_then_made_primary() {
    // Development: the Backend API opens the second session.
    let env = spawn(Kind::Development).await;
    let (mut b, user_id, sid, other_sid) = env.signed_in_twice("lena@example.com").await;
    let r = b
        .post("/v1/me/email_addresses", &[("email_address", ADDED)])
        .await;
    let id = r.ok()["response"]["id"].as_str().unwrap().to_owned();
    let prepare = format!("/v1/me/email_addresses/{id}/prepare_verification");
    let address = format!("/v1/me/email_addresses/{id}");

    // Off by default: refused like any strategy the instance does not offer.
    prepare_email_link(&mut b, &prepare, DONE)
        .await
        .err(422, "strategy_for_user_invalid");
    env.bapi(
        reqwest::Method::PATCH,
        "/v1/instance/settings",
        Some(json!({"email_link_enabled": true})),
    )
    .await
    .ok();

    // A redirect_url on an origin not allowed, or none: refused, nothing written or sent.
    let before = env.snapshot().await;
    let r = prepare_email_link(&mut b, &prepare, &format!("{EVIL}/x")).await;
    assert_eq!(r.status, 422, "{}", r.raw);
    assert_eq!(r.param(), "redirect_url");
    b.post(&prepare, &[("strategy", "email_link")])
        .await
        .err(422, "form_param_missing");
    assert_eq!(env.snapshot().await, before);

    // Prepared: the address shows the link's verification; the email is an `email.created`.
    let r = prepare_email_link(&mut b, &prepare, DONE).await;
    let v = &r.ok()["response"]["verification"];
    assert_eq!(v["object"], "verification_email_link", "{v}");
    assert_eq!(v["strategy"], "email_link");
    assert_eq!(v["status"], "unverified");
    assert_eq!(v["attempts"], 0);
    assert_eq!(v["expire_at"], T0 + 10 * MINUTE);
    let link = profile_link(&env, ADDED).await;
    assert!(env.event_types().await.iter().any(|t| t == "email.created"));

    // Expired after ten minutes: the address stays unverified.
    env.clock.advance(10 * MINUTE);
    let mut other = Browser::new(&env.fapi());
    assert_eq!(open(&mut other, &link).await, "expired");
    let r = b.get(&address).await;
    assert_eq!(r.ok()["response"]["verification"]["status"], "expired");

    // A new link; a forged secret is refused and counted.
    prepare_email_link(&mut b, &prepare, DONE).await.ok();
    let link = profile_link(&env, ADDED).await;
    let last = link.chars().last().unwrap();
    let forged = format!(
        "{}{}",
        &link[..link.len() - 1],
        if last == 'x' { 'y' } else { 'x' }
    );
    assert_eq!(open(&mut other, &forged).await, "failed");
    let r = b.get(&address).await;
    assert_eq!(r.ok()["response"]["verification"]["attempts"], 1);
    assert_eq!(r.ok()["response"]["verification"]["status"], "unverified");

    // Opened in another tab of the same browser: verified; the profile's poll sees it.
    let mut tab = b.tab();
    assert_eq!(open(&mut tab, &link).await, "verified");
    let client_id = b.client().await["response"]["id"].clone();
    let r = b.get(&address).await;
    let v = &r.ok()["response"]["verification"];
    assert_eq!(v["object"], "verification_email_link", "{v}");
    assert_eq!(v["status"], "verified");
    assert_eq!(v["strategy"], "email_link");
    assert_eq!(v["verified_at_client"], client_id);
    assert!(v["expire_at"].is_i64());
    let bapi = env.user(&user_id).await;
    let listed = bapi["email_addresses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(listed["verification"]["strategy"], "email_link", "{listed}");
    assert_eq!(listed["verification"]["status"], "verified");

    // Replayed: refused, nothing written; preparing again: already verified.
    let before = env.snapshot().await;
    assert_eq!(open(&mut other, &link).await, "failed");
    assert_eq!(env.snapshot().await, before);
    prepare_email_link(&mut b, &prepare, DONE)
        .await
        .err(400, "verification_already_verified");

    // Made primary: the other session ends, this one stays.
    make_primary(&env, &mut b, &id, &sid, &other_sid).await;
}
