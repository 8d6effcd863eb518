//! The link of an invitation email on the hosted `/sign-up` page: the invited address is shown
//! (verified by the ticket), a password makes the account, and the invitee lands signed in as a
//! member; the link works once.

use serde_json::json;

use super::*;

/// An organization named `name`, made by a new admin, and its invitation to `email` as `role`:
/// the organization's id and the invitation's.
async fn invited(app: &App, name: &str, email: &str, role: &str) -> (String, String) {
    let admin = app.create_user_without_password("boss@example.com").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let org = app
        .create_id(
            "/v1/organizations",
            json!({"name": name, "created_by": admin}),
        )
        .await;
    let inv = app
        .create_id(
            &format!("/v1/organizations/{org}/invitations"),
            json!({"email_address": email, "role": role}),
        )
        .await;
    (org, inv)
}

/// `?__clerk_ticket=…`: the ticket of an invitation email's link, as a query.
fn ticket_query(link: &str) -> String {
    let ticket = link.split("__clerk_ticket=").nth(1).unwrap();
    format!("?__clerk_ticket={}", ticket.split('&').next().unwrap())
}

#[tokio::test]
async fn an_invitation_link_signs_the_invitee_up_as_a_member_once() {
    let app = spawn().await;
    let (org, inv) = invited(&app, "Acme", "guest@example.com", "org:admin").await;
    let mail = &app.emails_to("guest@example.com").await[0];
    let body = mail["body_plain"].as_str().unwrap();
    let start = body.find("/sign-up?__clerk_ticket=").unwrap();
    let link = body[start..].split_whitespace().next().unwrap().to_owned();

    let mut web = app.web("pages-test");
    // The sign-in page sends a ticket for an address without an account to the sign-up page.
    let ticket_query = ticket_query(&link);
    web.open(&format!("/sign-in{ticket_query}"))
        .await
        .redirects_to(&format!("/sign-up{ticket_query}"));
    let page = web.open(&link).await;
    page.expect(200);
    assert!(page.body.contains("guest@example.com"), "{}", page.body);
    assert!(page.body.contains("name=\"ticket\""), "{}", page.body);
    assert!(!page.body.contains("name=\"email_address\""));
    let ticket = page.input_value("ticket").unwrap();
    web.submit(
        "/sign-up",
        &[
            ("ticket", &ticket),
            ("password", PASSWORD),
            ("first_name", "Gus"),
        ],
    )
    .await
    .redirects_to("/user");
    let user = user_id(&app, "guest@example.com").await;
    let ms = app
        .get(&format!("/v1/users/{user}/organization_memberships"))
        .await;
    assert_eq!(ms.ok()["data"][0]["organization"]["id"], org.as_str());
    assert_eq!(ms.ok()["data"][0]["role"], "org:admin");
    let got = app
        .get(&format!("/v1/organizations/{org}/invitations/{inv}"))
        .await;
    assert_eq!(got.ok()["status"], "accepted");
    assert_eq!(sessions_of(&app, &user).await.len(), 1);

    // Used: the link now shows the plain form with the ticket's error.
    let mut other = app.web("pages-test");
    let again = other.open(&link).await;
    again.expect(400);
    assert!(
        again.body.contains("The ticket is invalid"),
        "{}",
        again.body
    );
    assert!(again.body.contains("name=\"email_address\""));
}

/// The email's link names `/sign-up`; for an address that has an account it goes on to
/// `/sign-in`, carrying the ticket, where one confirmed POST signs in and joins.
#[tokio::test]
async fn an_invitation_link_for_an_existing_account_signs_in_and_joins() {
    let app = spawn().await;
    let email = "member@example.com";
    let mut web = app.web("pages-test");
    sign_up(&app, &mut web, email).await;
    sign_out(&mut web).await;
    let member = user_id(&app, email).await;
    let (org, inv) = invited(&app, "Acme & Sons", email, "org:member").await;
    let mails = app.emails_to(email).await;
    let body = mails
        .iter()
        .filter_map(|m| m["body_plain"].as_str())
        .find(|b| b.contains("__clerk_ticket="))
        .unwrap();
    let start = body.find("/sign-up?__clerk_ticket=").unwrap();
    let link = body[start..].split_whitespace().next().unwrap().to_owned();
    assert!(link.contains("__clerk_status=sign_in"), "{link}");
    let ticket_query = ticket_query(&link);

    let sent_on = web.open(&link).await;
    sent_on.redirects_to(&format!("/sign-in{ticket_query}"));
    let page = web.open(sent_on.location()).await;
    page.expect(200);
    assert!(
        page.body.contains("<strong>Acme &amp; Sons</strong>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<strong>member@example.com</strong>"));
    let ticket = page.input_value("ticket").unwrap();

    // Without its CSRF token the form is refused and nothing is accepted.
    web.post_form("/sign-in/ticket", &[("ticket", &ticket)])
        .await
        .expect(403);
    let got = app
        .get(&format!("/v1/organizations/{org}/invitations/{inv}"))
        .await;
    assert_eq!(got.ok()["status"], "pending");

    web.open(sent_on.location()).await.expect(200);
    web.submit("/sign-in/ticket", &[("ticket", &ticket)])
        .await
        .redirects_to("/user");
    let ms = app
        .get(&format!("/v1/users/{member}/organization_memberships"))
        .await;
    assert_eq!(ms.ok()["data"][0]["organization"]["id"], org.as_str());
    assert_eq!(ms.ok()["data"][0]["role"], "org:member");
    let got = app
        .get(&format!("/v1/organizations/{org}/invitations/{inv}"))
        .await;
    assert_eq!(got.ok()["status"], "accepted");
    web.open("/user").await.expect(200);

    // Used: a second browser is shown the ticket's error on the sign-in form.
    let mut other = app.web("pages-test");
    let again = other.open(&format!("/sign-in{ticket_query}")).await;
    again.expect(400);
    assert!(
        again.body.contains("The ticket is invalid"),
        "{}",
        again.body
    );
    assert!(again.body.contains("name=\"identifier\""));
}
