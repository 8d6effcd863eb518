//! Who may sign up: the sign-up mode (public, restricted, waitlist) as the environment shows it
//! and the Frontend API enforces it, and the instance's invitations (`/v1/invitations`) whose
//! emailed ticket signs the invitee up in a restricted instance: once, until it expires or is
//! revoked, the address verified by it and the invitation's public metadata given to the user.

use reqwest::Method;

use super::*;

const DAY: i64 = 86_400_000;

async fn set_mode(env: &Env, mode: &str) {
    env.bapi(
        Method::PATCH,
        "/v1/instance/settings",
        Some(json!({ "sign_up_mode": mode })),
    )
    .await
    .ok();
}

/// Invites `email` over the Backend API: the invitation and the ticket its email carries.
async fn invite(env: &Env, body: Value) -> (Value, String) {
    let email = body["email_address"].as_str().unwrap().to_lowercase();
    let inv = env
        .bapi(Method::POST, "/v1/invitations", Some(body))
        .await
        .ok()
        .clone();
    let ticket = ticket_in(&env.emails_to(&email).await[0]);
    (inv, ticket)
}

async fn status_of(env: &Env, id: &str) -> String {
    let r = env
        .bapi_get(&format!("/v1/invitations?query={id}&paginated=true"))
        .await;
    r.ok()["data"][0]["status"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_sign_up_mode_decides_who_may_sign_up() {
    let env = spawn(Kind::Production).await;
    assert_eq!(
        env.environment().await["user_settings"]["sign_up"]["mode"],
        "public"
    );
    env.bapi(
        Method::PATCH,
        "/v1/instance/settings",
        Some(json!({ "sign_up_mode": "invite_only" })),
    )
    .await
    .err(422, "form_param_value_invalid");

    set_mode(&env, "restricted").await;
    assert_eq!(
        env.environment().await["user_settings"]["sign_up"]["mode"],
        "restricted"
    );
    let mut stranger = env.browser();
    stranger
        .post(
            "/v1/client/sign_ups",
            &[("email_address", "stranger@example.com")],
        )
        .await
        .err(403, "sign_up_mode_restricted");
    // A ticket that names nothing opens nothing.
    env.browser()
        .sign_up_with_ticket("not-a-ticket")
        .await
        .err(400, "ticket_invalid");

    set_mode(&env, "waitlist").await;
    assert_eq!(
        env.environment().await["user_settings"]["sign_up"]["mode"],
        "waitlist"
    );
    stranger
        .post(
            "/v1/client/sign_ups",
            &[("email_address", "stranger@example.com")],
        )
        .await
        .err(403, "sign_up_restricted_waitlist");

    set_mode(&env, "public").await;
    let r = stranger
        .post(
            "/v1/client/sign_ups",
            &[("email_address", "stranger@example.com")],
        )
        .await;
    assert_eq!(r.ok()["response"]["email_address"], "stranger@example.com");
}

#[tokio::test]
async fn an_invitation_ticket_signs_up_once_in_a_restricted_instance() {
    let env = spawn(Kind::Production).await;
    set_mode(&env, "restricted").await;

    let (inv, ticket) = invite(
        &env,
        json!({"email_address": "Invitee@Example.com", "public_metadata": {"plan": "pro"}}),
    )
    .await;
    assert_eq!(inv["object"], "invitation");
    assert_eq!(inv["status"], "pending");
    assert_eq!(inv["revoked"], false);
    assert_eq!(inv["email_address"], "invitee@example.com");
    assert!(
        inv["url"].as_str().unwrap().contains(&ticket),
        "the answer carries the link: {inv}"
    );
    let id = inv["id"].as_str().unwrap().to_owned();
    // A second invitation to the address is refused unless asked for.
    env.bapi(
        Method::POST,
        "/v1/invitations",
        Some(json!({"email_address": "invitee@example.com"})),
    )
    .await
    .err(400, "duplicate_record");
    let list = env
        .bapi_get("/v1/invitations?status=pending&paginated=true")
        .await;
    assert_eq!(list.ok()["total_count"], 1);
    assert_eq!(
        list.ok()["data"][0]["url"],
        Value::Null,
        "the link is shown once"
    );
    let bare = env.bapi_get("/v1/invitations").await;
    assert_eq!(bare.ok().as_array().map(Vec::len), Some(1));

    let r = env.browser().sign_up_with_ticket(&ticket).await;
    let su = &r.ok()["response"];
    assert_eq!(su["status"], "complete", "{}", r.raw);
    let user = env.user(su["created_user_id"].as_str().unwrap()).await;
    assert_eq!(user["public_metadata"], json!({"plan": "pro"}));
    assert_eq!(
        user["email_addresses"][0]["verification"]["strategy"],
        "ticket"
    );
    assert_eq!(status_of(&env, &id).await, "accepted");
    // Once only.
    env.browser()
        .sign_up_with_ticket(&ticket)
        .await
        .err(400, "ticket_invalid");

    // Revoked: refused, and revoked once.
    let (inv, ticket) = invite(&env, json!({"email_address": "second@example.com"})).await;
    let id = inv["id"].as_str().unwrap();
    let r = env
        .bapi(Method::POST, &format!("/v1/invitations/{id}/revoke"), None)
        .await;
    assert_eq!(
        (r.ok()["status"].clone(), r.ok()["revoked"].clone()),
        (json!("revoked"), json!(true))
    );
    env.bapi(Method::POST, &format!("/v1/invitations/{id}/revoke"), None)
        .await
        .err(400, "organization_invitation_not_pending");
    env.bapi(Method::POST, "/v1/invitations/inv_nope/revoke", None)
        .await
        .err(404, "resource_not_found");
    env.browser()
        .sign_up_with_ticket(&ticket)
        .await
        .err(400, "ticket_invalid");

    // Expired: a day's invitation two days later.
    let (inv, ticket) = invite(
        &env,
        json!({"email_address": "third@example.com", "expires_in_days": 1}),
    )
    .await;
    env.clock.advance(2 * DAY);
    env.browser()
        .sign_up_with_ticket(&ticket)
        .await
        .err(400, "ticket_expired");
    assert_eq!(
        status_of(&env, inv["id"].as_str().unwrap()).await,
        "expired"
    );

    // Bulk: all or none; notify=false sends nothing.
    let r = env
        .bapi(
            Method::POST,
            "/v1/invitations/bulk",
            Some(json!([
                {"email_address": "b1@example.com", "notify": false},
                {"email_address": "b2@example.com", "notify": false}
            ])),
        )
        .await;
    assert_eq!(r.ok().as_array().map(Vec::len), Some(2));
    assert!(env.emails_to("b1@example.com").await.is_empty());
    env.bapi(
        Method::POST,
        "/v1/invitations/bulk",
        Some(json!([{"email_address": "b3@example.com"}, {"email_address": "not an email"}])),
    )
    .await
    .err(422, "form_param_format_invalid");
    let r = env
        .bapi_get("/v1/invitations?query=b3@&paginated=true")
        .await;
    assert_eq!(r.ok()["total_count"], 0);
}
