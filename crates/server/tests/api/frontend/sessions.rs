//! Sessions and their tokens: bound to their client, ended by sign-out; the user's devices.

use super::*;

#[tokio::test]
async fn session_tokens_belong_to_their_client_and_end_with_sign_out() {
    let env = spawn(Kind::Production).await;
    let mut a = env.browser();
    let mut b = env.browser();
    let (user_a, sid_a) = a.sign_up(&env, "alice@example.com", None).await;
    let (_, sid_b) = b.sign_up(&env, "bob@example.com", None).await;

    // The token, unwrapped, authorized for the calling origin.
    let r = a.request_token(&sid_a).await;
    let body = r.ok();
    assert_eq!(keys(body), ["jwt", "object"], "{}", r.raw);
    assert_eq!(body["object"], "token");
    let jwt = body["jwt"].as_str().unwrap();
    let (_, claims) = decode_jwt(jwt);
    assert_eq!(claims["azp"], APP);
    assert_eq!(claims["sid"], sid_a.as_str());
    assert_eq!(claims["sub"], user_a.as_str());
    assert_eq!(int(&claims["iat"]), T0 / 1000);
    assert!(verify_with_jwk(jwt, &env.jwks().await));
    assert_eq!(r.header("access-control-allow-origin"), Some(APP));

    // Another client's session: 404, whatever is asked of it, and nothing changes.
    let before = env.snapshot().await;
    let a_before = a.client().await;
    let b_before = b.client().await;
    a.request_token(&sid_b).await.err(404, "resource_not_found");
    a.get(&format!("/v1/client/sessions/{sid_b}"))
        .await
        .err(404, "resource_not_found");
    for action in ["touch", "end", "remove"] {
        a.post(&format!("/v1/client/sessions/{sid_b}/{action}"), &[])
            .await
            .err(404, "resource_not_found");
    }
    // Nor can /v1/me act for it.
    a.session_id = Some(sid_b.clone());
    a.get("/v1/me").await.err(401, "signed_out");
    a.session_id = Some(sid_a.clone());
    assert_eq!(env.snapshot().await, before);
    assert_eq!(a.client().await, a_before);
    assert_eq!(b.client().await, b_before);
    assert_eq!(env.session(&sid_b).await["status"], "active");

    // Sign-out ends the session; its tokens are no longer minted.
    env.clock.advance(MINUTE);
    let r = a.delete("/v1/client/sessions").await;
    assert_eq!(r.ok()["response"]["sessions"], json!([]));
    assert_eq!(r.body["client"], r.body["response"]);
    assert_eq!(env.session(&sid_a).await["status"], "ended");
    assert_eq!(env.session(&sid_b).await["status"], "active");
    let r = a.request_token(&sid_a).await;
    r.err(422, "session_not_active");
    assert_eq!(r.body["errors"][0]["meta"]["session_status"], "ended");
    a.get("/v1/me").await.err(401, "signed_out");
    // Signing out again ends nothing more.
    let before = env.snapshot().await;
    let r = a.delete("/v1/client/sessions").await;
    assert_eq!(r.ok()["response"]["sessions"], json!([]));
    env.snapshot().await.assert_same_data(&before);
    // B is untouched.
    let r = b.request_token(&sid_b).await;
    assert!(r.ok()["jwt"].is_string());

    // Ending a session explicitly works the same way.
    let r = b
        .post(&format!("/v1/client/sessions/{sid_b}/end"), &[])
        .await;
    assert_eq!(r.ok()["response"]["status"], "ended", "{}", r.raw);
    assert_eq!(env.session(&sid_b).await["status"], "ended");
    b.request_token(&sid_b).await.err(422, "session_not_active");

    // A server-side call (no Origin) gets a token without azp.
    let mut server = env.browser_at(None);
    server.sign_up(&env, "carol@example.com", None).await;
    let sid = server.session_id.clone().unwrap();
    let r = server.request_token(&sid).await;
    let (_, claims) = decode_jwt(r.ok()["jwt"].as_str().unwrap());
    assert!(claims.get("azp").is_none(), "{claims}");
    r.no_cors();

    // `DELETE /v1/client`: signed out everywhere on the client, its cookie forgotten.
    let r = server.delete("/v1/client").await;
    assert_eq!(r.ok(), &json!({"response": null, "client": null}));
    let cleared = r.set_cookie("__client").unwrap();
    assert!(has_attr(&cleared, "max-age=0"), "{cleared}");
    assert_eq!(parse_cookie(&r.set_cookie("__client_uat").unwrap()).1, "0");
    assert_eq!(env.session(&sid).await["status"], "ended");
    assert!(!server.jar.contains_key("__client"));
    assert_eq!(
        server.get("/v1/client").await.ok(),
        &json!({"response": null, "client": null})
    );
}

#[tokio::test]
async fn the_user_sees_their_devices_and_signs_one_out() {
    let env = spawn_tweaked(Kind::Production, |cfg| {
        cfg.policy.client_trust = Some(false);
    })
    .await;
    let mut laptop = env.browser();
    laptop.user_agent = Some(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36".into(),
    );
    let (user_id, sid_laptop) = laptop.sign_up(&env, "devices@example.com", None).await;
    let mut phone = env.browser();
    phone.user_agent = Some(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1".into(),
    );
    env.clock.advance(MINUTE);
    let si = phone.sign_in_password("devices@example.com").await;
    assert_eq!(si["status"], "complete", "{si}");
    let sid_phone = si["created_session_id"].as_str().unwrap().to_owned();
    let mut other = env.browser();
    let (_, sid_other) = other.sign_up(&env, "someone.else@example.com", None).await;

    // Both devices are listed, each as its user agent and address describe it: a bare array,
    // as Clerk answers it (clerk-js maps over the payload; an envelope would list nothing).
    let r = laptop.get("/v1/me/sessions/active").await;
    let listed = r.ok().as_array().expect("a bare array").clone();
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let ids: Vec<&str> = listed.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2, "{}", r.raw);
    assert!(ids.contains(&sid_laptop.as_str()) && ids.contains(&sid_phone.as_str()));
    let phone_entry = listed
        .iter()
        .find(|s| s["id"] == sid_phone.as_str())
        .unwrap();
    let activity = &phone_entry["latest_activity"];
    assert_eq!(activity["object"], "session_activity");
    assert_eq!(activity["browser_name"], "Safari");
    assert_eq!(activity["device_type"], "iOS");
    assert_eq!(activity["is_mobile"], true);
    assert_eq!(activity["ip_address"], "127.0.0.1");
    // Unknown details (browser version, city, country) are left out, never null.
    assert!(
        activity.as_object().unwrap().values().all(|v| !v.is_null()),
        "{activity}"
    );
    let laptop_entry = listed
        .iter()
        .find(|s| s["id"] == sid_laptop.as_str())
        .unwrap();
    assert_eq!(laptop_entry["latest_activity"]["browser_name"], "Chrome");
    assert_eq!(laptop_entry["latest_activity"]["is_mobile"], false);

    // Someone else's session cannot be signed out from here; nothing changes.
    let before = env.snapshot().await;
    laptop
        .post(&format!("/v1/me/sessions/{sid_other}/revoke"), &[])
        .await
        .err(404, "resource_not_found");
    laptop
        .post("/v1/me/sessions/sess_doesnotexist/revoke", &[])
        .await
        .err(404, "resource_not_found");
    assert_eq!(env.snapshot().await, before);
    assert_eq!(env.session(&sid_other).await["status"], "active");

    // The phone is signed out from the laptop: revoked, announced, and its tokens refused.
    let r = laptop
        .post(&format!("/v1/me/sessions/{sid_phone}/revoke"), &[])
        .await;
    let revoked = &r.ok()["response"];
    assert_eq!(revoked["id"], sid_phone.as_str(), "{}", r.raw);
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(
        r.body["client"]["last_active_session_id"],
        sid_laptop.as_str()
    );
    assert_eq!(env.session(&sid_phone).await["status"], "revoked");
    assert_eq!(env.session(&sid_laptop).await["status"], "active");
    let events = env.app.events().await;
    assert!(
        events.iter().any(|e| e.event_type == "session.revoked"
            && e.data["id"] == sid_phone.as_str()
            && e.data["user_id"] == user_id.as_str()),
        "no session.revoked event for the phone"
    );
    let r = phone.request_token(&sid_phone).await;
    assert!(r.status >= 400, "{}", r.raw);
    assert!(!r.raw.contains("\"jwt\""), "{}", r.raw);
    let r = laptop.get("/v1/me/sessions/active").await;
    let ids = each_str(r.ok(), "id");
    assert_eq!(ids, [sid_laptop.as_str()]);
}
