//! Connected accounts from `<UserProfile/>` against the test's loopback OpenID provider:
//! `POST /v1/me/external_accounts` answers the provider's URL and the callback links the
//! account to the signed-in user (the state works in the browser that started it only),
//! `…/reauthorize` goes through the provider again, an account connected to another user is
//! refused, `DELETE` unlinks, and a user who signed out meanwhile gets nothing connected.

use std::collections::HashMap;

use super::oauth::{Grant, Idp, REDIRECT, ada, come_back, start_idp, with_provider};
use super::*;

const ACCOUNTS: &str = "/v1/me/external_accounts";

/// The provider's authorization URL's query from a pending account's verification.
fn query_of(account: &Value) -> HashMap<String, String> {
    let v = &account["verification"];
    assert_eq!(v["status"], "unverified", "{account}");
    assert_eq!(v["strategy"], "oauth_custom_acme");
    let url = v["external_verification_redirect_url"]
        .as_str()
        .unwrap_or_else(|| panic!("{account}"));
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn grace() -> Grant {
    Grant {
        sub: "grace-1".into(),
        email: "grace@example.com".into(),
        ..ada(true)
    }
}

async fn connect(b: &mut Browser, extra: &[(&str, &str)]) -> Res {
    let mut form = vec![
        ("strategy", "oauth_custom_acme"),
        ("redirect_url", REDIRECT),
    ];
    form.extend_from_slice(extra);
    b.post(ACCOUNTS, &form).await
}

async fn accounts_of(b: &mut Browser) -> Vec<Value> {
    let me = b.get("/v1/me").await;
    me.ok()["response"]["external_accounts"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", me.raw))
        .clone()
}

#[tokio::test]
async fn a_signed_in_user_connects_reauthorizes_and_unlinks_an_account() {
    let env = spawn(Kind::Production).await;
    let idp: Arc<Idp> = start_idp().await;
    with_provider(&env, &idp).await;
    let mut b = env.browser();
    let (user_id, _) = b.sign_up(&env, "grace@example.com", None).await;

    // Signed out: nothing to connect to.
    env.browser()
        .post(
            ACCOUNTS,
            &[
                ("strategy", "oauth_custom_acme"),
                ("redirect_url", REDIRECT),
            ],
        )
        .await
        .err(401, "signed_out");
    // An unknown provider, a missing or foreign redirect: refused before the provider.
    connect(&mut b, &[("strategy", "oauth_nope")])
        .await
        .err(422, "strategy_for_user_invalid");
    b.post(ACCOUNTS, &[("strategy", "oauth_custom_acme")])
        .await
        .err(422, "form_param_missing");
    let r = connect(&mut b, &[("redirect_url", "http://evil.test/cb")]).await;
    assert_eq!(r.status, 422, "{}", r.raw);

    let r = connect(
        &mut b,
        &[
            ("additional_scope", "calendar"),
            ("additional_scope", "drive"),
        ],
    )
    .await;
    let pending = r.ok()["response"].clone();
    assert_eq!(pending["object"], "external_account");
    assert_eq!(pending["provider"], "custom_acme");
    let id = pending["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("eac_"), "{pending}");
    let q = query_of(&pending);
    assert_eq!(q["scope"], "openid email profile calendar drive");
    assert_eq!(q["code_challenge_method"], "S256");
    // Nothing is connected until the provider's round trip completes.
    assert_eq!(accounts_of(&mut b).await, Vec::<Value>::new());

    // The state is this browser's: another signed-in browser cannot complete it.
    let mut other = env.browser();
    other.sign_up(&env, "other@example.com", None).await;
    let r = come_back(&mut other, &idp, &q, grace()).await;
    r.err(400, "client_state_invalid");
    assert_eq!(accounts_of(&mut other).await, Vec::<Value>::new());

    // Its own browser: linked, as the account the start announced.
    let r = connect(&mut b, &[]).await;
    let pending = r.ok()["response"].clone();
    let id = pending["id"].as_str().unwrap().to_owned();
    let back = come_back(&mut b, &idp, &query_of(&pending), grace()).await;
    assert_eq!(back.status, 303, "{}", back.raw);
    assert_eq!(back.header("location"), Some(REDIRECT));
    let list = accounts_of(&mut b).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["provider"], "custom_acme");
    assert_eq!(list[0]["provider_user_id"], "grace-1");
    assert_eq!(list[0]["verification"]["status"], "verified");
    let user = env.user(&user_id).await;
    assert_eq!(
        user["external_accounts"][0]["identification_id"],
        user["email_addresses"][0]["id"]
    );
    let tokens = env
        .bapi_get(&format!(
            "/v1/users/{user_id}/oauth_access_tokens/oauth_custom_acme"
        ))
        .await;
    assert_eq!(tokens.ok()[0]["external_account_id"], id.as_str());

    // The same provider account for another user: refused, nothing linked there.
    let r = connect(&mut other, &[]).await;
    let q = query_of(&r.ok()["response"]);
    come_back(&mut other, &idp, &q, grace())
        .await
        .err(400, "external_account_exists");
    assert_eq!(accounts_of(&mut other).await, Vec::<Value>::new());

    // Reauthorize: through the provider again with more scopes; still the one account.
    let path = format!("{ACCOUNTS}/{id}/reauthorize");
    b.patch(&path, &[]).await.err(422, "form_param_missing");
    let r = b
        .patch(
            &path,
            &[("redirect_url", REDIRECT), ("additional_scope", "calendar")],
        )
        .await;
    let again = r.ok()["response"].clone();
    assert_eq!(again["id"], id.as_str());
    let q = query_of(&again);
    assert_eq!(q["scope"], "openid email profile calendar");
    let back = come_back(&mut b, &idp, &q, grace()).await;
    assert_eq!(back.status, 303, "{}", back.raw);
    let list = accounts_of(&mut b).await;
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!(list[0]["id"], id.as_str());
    b.patch(
        &format!("{ACCOUNTS}/eac_nope/reauthorize"),
        &[("redirect_url", REDIRECT)],
    )
    .await
    .err(404, "resource_not_found");

    // Unlinked (the user keeps its address and password to sign in with).
    let r = b.delete(&format!("{ACCOUNTS}/{id}")).await;
    let gone = &r.ok()["response"];
    assert_eq!(gone["object"], "external_account");
    assert_eq!(gone["id"], id.as_str());
    assert_eq!(gone["deleted"], true);
    assert_eq!(accounts_of(&mut b).await, Vec::<Value>::new());
    b.delete(&format!("{ACCOUNTS}/{id}"))
        .await
        .err(404, "resource_not_found");

    // Signed out while at the provider: the account is not connected to anybody.
    let r = connect(&mut b, &[]).await;
    let q = query_of(&r.ok()["response"]);
    b.delete("/v1/client/sessions").await.ok();
    come_back(&mut b, &idp, &q, grace())
        .await
        .err(401, "signed_out");
    assert_eq!(env.user(&user_id).await["external_accounts"], json!([]));
}
