//! The waitlist: joining over the Frontend API (the same answer whoever asks, one entry per
//! address), the Backend API's list, invite, reject and delete, the invitation an entry gets
//! and the sign-up its ticket completes in a waitlist instance; a blocked address is refused
//! even with a ticket.

use reqwest::Method;

use super::*;

async fn join(env: &Env, email: &str) -> Res {
    let mut b = env.browser();
    b.post("/v1/waitlist", &[("email_address", email)]).await
}

async fn list(env: &Env, query: &str) -> Value {
    env.bapi_get(&format!("/v1/waitlist_entries{query}"))
        .await
        .ok()
        .clone()
}

#[tokio::test]
async fn the_waitlist_is_joined_invited_and_completed() {
    let env = spawn(Kind::Production).await;
    env.bapi(
        Method::PATCH,
        "/v1/instance/settings",
        Some(json!({"sign_up_mode": "waitlist"})),
    )
    .await
    .ok();
    env.new_user("member@example.com").await;

    // Joining: the entry's id, whether the address is new, waiting already or has an account.
    let first = join(&env, "Ada@Example.com").await;
    assert_eq!(first.ok()["object"], "waitlist_entry");
    let ada = first.ok()["id"].as_str().unwrap().to_owned();
    assert!(ada.starts_with("wle_"));
    let again = join(&env, "ada@example.com").await;
    assert_eq!(again.ok(), first.ok());
    env.clock.advance(1000);
    let member = join(&env, "member@example.com").await;
    assert_eq!(
        member.ok().as_object().unwrap().keys().collect::<Vec<_>>(),
        first.ok().as_object().unwrap().keys().collect::<Vec<_>>()
    );
    join(&env, "not an address")
        .await
        .err(422, "form_param_format_invalid");
    let mut b = env.browser();
    b.post("/v1/waitlist", &[])
        .await
        .err(422, "form_param_missing");

    // The Backend API: create (an existing address answers its entry), bulk, list.
    let r = env
        .bapi(
            Method::POST,
            "/v1/waitlist_entries",
            Some(json!({"email_address": "ADA@example.com", "notify": true})),
        )
        .await;
    assert_eq!(r.ok()["id"], ada.as_str());
    assert_eq!(r.ok()["status"], "pending");
    assert_eq!(r.ok()["invitation"], Value::Null);
    env.clock.advance(1000);
    let r = env
        .bapi(
            Method::POST,
            "/v1/waitlist_entries/bulk",
            Some(json!([{"email_address": "bo@example.com"}, {"email_address": "cy@example.com"}])),
        )
        .await;
    assert_eq!(r.ok().as_array().map(Vec::len), Some(2));
    let bo = r.ok()[0]["id"].as_str().unwrap().to_owned();
    let cy = r.ok()[1]["id"].as_str().unwrap().to_owned();
    env.bapi(
        Method::POST,
        "/v1/waitlist_entries/bulk",
        Some(json!([{"email_address": "x@example.com"}, {"email_address": "X@example.com"}])),
    )
    .await
    .err(422, "form_param_value_invalid");
    let all = list(&env, "").await;
    assert_eq!(all["total_count"], 4);
    assert_eq!(all["data"][2]["email_address"], "member@example.com");
    assert_eq!(all["data"][3]["email_address"], "ada@example.com");
    let by_name = list(&env, "?order_by=%2Bemail_address&limit=2").await;
    let names = each_str(&by_name["data"], "email_address");
    assert_eq!(
        (names, &by_name["total_count"]),
        (vec!["ada@example.com", "bo@example.com"], &json!(4))
    );
    assert_eq!(
        list(&env, "?query=bo%40").await["data"][0]["id"],
        bo.as_str()
    );
    env.bapi_get("/v1/waitlist_entries?status=waiting")
        .await
        .err(400, "form_param_value_invalid");
    env.bapi_get("/v1/waitlist_entries?order_by=status")
        .await
        .err(400, "form_param_value_invalid");

    // Inviting: an invitation emailed, the entry invited, its ticket signs up in waitlist mode.
    let r = env
        .bapi(
            Method::POST,
            &format!("/v1/waitlist_entries/{ada}/invite"),
            Some(json!({})),
        )
        .await;
    assert_eq!(r.ok()["status"], "invited");
    assert_eq!(r.ok()["invitation"]["object"], "invitation");
    assert_eq!(r.ok()["invitation"]["status"], "pending");
    env.bapi(
        Method::POST,
        &format!("/v1/waitlist_entries/{ada}/invite"),
        None,
    )
    .await
    .err(409, "waitlist_entry_not_actionable");
    let mails = env.emails_to("ada@example.com").await;
    assert_eq!(mails.len(), 1);
    let mut b = env.browser();
    b.sign_up_with_ticket(&ticket_in(&mails[0])).await.ok();
    assert_eq!(
        list(&env, "?status=completed").await["data"][0]["id"],
        ada.as_str()
    );
    assert_eq!(list(&env, "?status=invited").await["total_count"], 0);

    // Rejecting revokes the unused invitation; only a pending entry may be deleted.
    env.bapi(
        Method::POST,
        &format!("/v1/waitlist_entries/{bo}/invite"),
        None,
    )
    .await
    .ok();
    let r = env
        .bapi(
            Method::POST,
            &format!("/v1/waitlist_entries/{bo}/reject"),
            None,
        )
        .await;
    assert_eq!(r.ok()["status"], "rejected");
    assert_eq!(r.ok()["invitation"]["status"], "revoked");
    env.bapi(Method::DELETE, &format!("/v1/waitlist_entries/{bo}"), None)
        .await
        .err(409, "waitlist_entry_not_actionable");
    let r = env
        .bapi(Method::DELETE, &format!("/v1/waitlist_entries/{cy}"), None)
        .await;
    assert_eq!(
        r.ok(),
        &json!({"object": "waitlist_entry", "id": cy, "deleted": true})
    );
    env.bapi(Method::DELETE, &format!("/v1/waitlist_entries/{cy}"), None)
        .await
        .err(404, "resource_not_found");

    // The changes' webhooks were committed with them.
    let types = env.event_types().await;
    assert_eq!(
        types
            .iter()
            .filter(|t| *t == "waitlistEntry.created")
            .count(),
        4
    );
    assert!(
        types
            .iter()
            .filter(|t| *t == "waitlistEntry.updated")
            .count()
            >= 4
    );
}

#[tokio::test]
async fn an_invitation_ticket_does_not_get_past_the_blocklist() {
    let env = spawn(Kind::Production).await;
    env.bapi(
        Method::PATCH,
        "/v1/instance/settings",
        Some(json!({"sign_up_mode": "restricted", "blocklist_enabled": true})),
    )
    .await
    .ok();
    env.bapi(
        Method::POST,
        "/v1/invitations",
        Some(json!({"email_address": "late@blocked.test"})),
    )
    .await
    .ok();
    env.bapi(
        Method::POST,
        "/v1/blocklist_identifiers",
        Some(json!({"identifier": "*@blocked.test"})),
    )
    .await
    .ok();
    let mails = env.emails_to("late@blocked.test").await;
    let mut b = env.browser();
    b.sign_up_with_ticket(&ticket_in(&mails[0]))
        .await
        .err(403, "not_allowed_access");
    assert_eq!(env.bapi_get("/v1/users?limit=5").await.ok(), &json!([]));
}
