//! Testing tokens: a development instance hands them out; the Frontend API takes requests that
//! carry one in `__clerk_testing_token`, as `@clerk/testing` sends them; a production instance
//! refuses to make one.

use super::*;

#[tokio::test]
async fn a_development_instance_hands_out_testing_tokens_the_frontend_api_takes() {
    let env = spawn(Kind::Development).await;
    let r = env
        .bapi(reqwest::Method::POST, "/v1/testing_tokens", None)
        .await;
    let t = r.ok();
    assert_eq!(t["object"], "testing_token");
    let token = t["token"].as_str().unwrap().to_owned();
    let (issued, _) = token.split_once('-').unwrap();
    let issued: i64 = issued.parse().unwrap();
    assert_eq!(issued, T0 / 1000);
    assert_eq!(t["expires_at"], issued + 3600);

    let mut b = env.browser();
    b.sign_up(&env, "zoe@example.com", None).await;
    let mut other = env.browser();
    let q = format!("__clerk_testing_token={token}");
    other.get(&format!("/v1/environment?{q}")).await.ok();
    let r = other
        .post(
            &format!("/v1/client/sign_ins?{q}"),
            &[("identifier", "zoe@example.com")],
        )
        .await;
    let si = &r.ok()["response"];
    assert_eq!(si["object"], "sign_in_attempt", "{}", r.raw);
    assert_eq!(si["identifier"], "zoe@example.com");
}

#[tokio::test]
async fn a_production_instance_makes_no_testing_token() {
    let env = spawn(Kind::Production).await;
    env.bapi(reqwest::Method::POST, "/v1/testing_tokens", None)
        .await
        .err(403, "production_instance_forbidden");
}
