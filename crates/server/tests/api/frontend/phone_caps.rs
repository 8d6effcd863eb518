//! The caps against SMS pumping: five codes an hour per number, an hourly cap per country
//! calling code and per client address. Past one: a Clerk-shaped 429 with `Retry-After`,
//! nothing recorded or texted, and `usher.security.sms_cap_reached` once per window.

use super::*;

async fn sms_total(env: &Env) -> u64 {
    env.bapi_get("/v1/sms_messages").await.ok()["total_count"]
        .as_u64()
        .unwrap()
}

/// A user with `numbers` (the first primary): its phone number ids.
async fn user_with_numbers(env: &Env, email: &str, numbers: &[&str]) -> Vec<String> {
    let body = json!({
        "email_address": [email],
        "phone_number": numbers,
        "password": PASSWORD,
    });
    let u = env
        .bapi(reqwest::Method::POST, "/v1/users", Some(body))
        .await
        .ok()
        .clone();
    numbers
        .iter()
        .map(|n| {
            u["phone_numbers"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["phone_number"] == *n)
                .unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

async fn prepare_to(b: &mut Browser, sign_in: &str, phone_number_id: &str) -> Res {
    b.post(
        &format!("/v1/client/sign_ins/{sign_in}/prepare_first_factor"),
        &[
            ("strategy", "phone_code"),
            ("phone_number_id", phone_number_id),
        ],
    )
    .await
}

async fn cap_events(env: &Env) -> Vec<Value> {
    env.app
        .events()
        .await
        .into_iter()
        .filter(|e| e.event_type == "usher.security.sms_cap_reached")
        .map(|e| e.data)
        .collect()
}

#[tokio::test]
async fn five_codes_an_hour_per_number() {
    let env = spawn(Kind::Production).await;
    let ids = user_with_numbers(&env, "nina@example.com", &["+14155550161"]).await;
    let mut b = env.browser();
    let id = b.start_sign_in("+14155550161").await;
    for _ in 0..5 {
        prepare_to(&mut b, &id, &ids[0]).await.ok();
    }
    let before = env.snapshot().await;
    let r = prepare_to(&mut b, &id, &ids[0]).await;
    r.err(429, "too_many_requests");
    assert!(r.header("retry-after").is_some());
    assert_eq!(sms_total(&env).await, 5, "nothing recorded");
    assert_eq!(env.snapshot().await, before, "nothing written");
    // The next hour it goes through again.
    env.clock.advance(61 * MINUTE);
    prepare_to(&mut b, &id, &ids[0]).await.ok();
    assert_eq!(sms_total(&env).await, 6);
}

#[tokio::test]
async fn a_country_calling_code_has_its_hourly_cap() {
    let env = spawn_tweaked(Kind::Production, |cfg| {
        cfg.sms.caps.country_overrides.insert("44".into(), 2);
    })
    .await;
    let uk = ["+447700900001", "+447700900002", "+447700900003"];
    let ids = user_with_numbers(
        &env,
        "uma@example.com",
        &[uk[0], uk[1], uk[2], "+14155550162"],
    )
    .await;
    let mut b = env.browser();
    let id = b.start_sign_in("uma@example.com").await;
    prepare_to(&mut b, &id, &ids[0]).await.ok();
    prepare_to(&mut b, &id, &ids[1]).await.ok();
    let r = prepare_to(&mut b, &id, &ids[2]).await;
    r.err(429, "too_many_requests");
    prepare_to(&mut b, &id, &ids[2])
        .await
        .err(429, "too_many_requests");
    assert_eq!(sms_total(&env).await, 2);
    // Other countries are not held back.
    prepare_to(&mut b, &id, &ids[3]).await.ok();
    assert_eq!(sms_total(&env).await, 3);
    let events = cap_events(&env).await;
    assert_eq!(events.len(), 1, "once per window: {events:?}");
    assert_eq!(events[0]["cap"], "country");
    assert_eq!(events[0]["subject"], "+44");
    assert_eq!(events[0]["limit"], 2);
}

#[tokio::test]
async fn a_client_address_has_its_hourly_cap() {
    let env = spawn_tweaked(Kind::Production, |cfg| {
        cfg.sms.caps.per_address = 3;
        cfg.policy.client_trust = Some(false);
    })
    .await;
    let numbers = [
        "+14155550171",
        "+14155550172",
        "+14155550173",
        "+14155550174",
    ];
    let ids = user_with_numbers(&env, "ivo@example.com", &numbers).await;
    let mut b = env.browser();
    let id = b.start_sign_in("ivo@example.com").await;
    for n in &ids[..3] {
        prepare_to(&mut b, &id, n).await.ok();
    }
    prepare_to(&mut b, &id, &ids[3])
        .await
        .err(429, "too_many_requests");
    assert_eq!(sms_total(&env).await, 3);
    let events = cap_events(&env).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["cap"], "client_address");
    // Profile verification codes count against the same caps.
    let mut other = env.browser();
    other.sign_in_password("ivo@example.com").await;
    let r = other
        .post("/v1/me/phone_numbers", &[("phone_number", "+14155550175")])
        .await;
    let pid = r.ok()["response"]["id"].as_str().unwrap().to_owned();
    other
        .post(
            &format!("/v1/me/phone_numbers/{pid}/prepare_verification"),
            &[("strategy", "phone_code")],
        )
        .await
        .err(429, "too_many_requests");
    assert_eq!(sms_total(&env).await, 3);
}
