//! The sessions, security and organizations pages: every session listed with its user agent
//! escaped and signed out from the list (the next token refresh fails); locked accounts, the
//! security events and the failed sign-ins per hour; organizations with their members,
//! invitations, roles and permissions, names escaped.

use serde_json::json;
use usher_core::operators::Role;

use super::{assert_secure_headers, spawn};
use crate::common::PASSWORD;

const HOSTILE_AGENT: &str = "<img src=x onerror=alert(1)>";

#[tokio::test]
async fn sessions_security_and_organizations_are_shown_and_sessions_signed_out() {
    let d = spawn().await;
    let secret = d.operator("sam@example.com", Role::Support).await;
    let email = "lin@example.com";
    let u = d
        .user(json!({"email_address": [email], "password": PASSWORD,
                      "first_name": "<script>lin()</script>"}))
        .await;
    let id = u["id"].as_str().unwrap().to_owned();
    let mut device = d.app.web(HOSTILE_AGENT);
    let si = device.sign_in_password(email).await;
    let sid = si["created_session_id"].as_str().unwrap().to_owned();
    device.token(&sid).await;
    // One failed sign-in, counted for this hour.
    let mut guesser = d.app.web("Guesser");
    let attempt = guesser.start_sign_in(email).await;
    assert_ne!(
        guesser
            .attempt_password(&attempt, "not-the-password-at-all")
            .await
            .status,
        200
    );
    d.app.running.flush_activity().await.unwrap();
    let locked = d
        .user(json!({"email_address": ["locked@example.com"], "skip_password_requirement": true}))
        .await;
    let locked_id = locked["id"].as_str().unwrap();
    d.app
        .post(&format!("/v1/users/{locked_id}/lock"), json!({}))
        .await
        .ok();
    d.app
        .post("/v1/api_keys", json!({"name": "<i>ci</i>", "subject": id}))
        .await
        .ok();
    let org = d
        .app
        .post(
            "/v1/organizations",
            json!({"name": "Acme & \"Sons\"", "created_by": id}),
        )
        .await
        .ok()
        .clone();
    let org_id = org["id"].as_str().unwrap();
    d.app
        .post(
            &format!("/v1/organizations/{org_id}/invitations"),
            json!({"email_address": "invitee@example.com", "role": "org:member", "inviter_user_id": id}),
        )
        .await
        .ok();

    let mut b = d.sign_in("sam@example.com", &secret).await;

    // Sessions: the user agent and name escaped.
    let page = b.open("/dashboard/sessions").await;
    page.expect(200);
    assert_secure_headers(&page);
    assert!(page.body.contains(&sid));
    assert!(!page.body.contains("<img src=x"), "{}", page.body);
    assert!(page.body.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.body.contains("&lt;script&gt;lin()&lt;/script&gt;"));
    b.post_form("/dashboard/sessions/sign-out", &[("session_id", &sid)])
        .await
        .expect(403);
    device.token(&sid).await;
    b.submit("/dashboard/sessions/sign-out", &[("session_id", &sid)])
        .await
        .redirects_to("/dashboard/sessions?done=sign-out");
    let r = device.request_token(&sid).await;
    assert_ne!(r.status, 200, "{}", r.raw);
    let page = b.open("/dashboard/sessions?done=sign-out").await;
    assert!(page.body.contains("That session has been signed out."));
    assert!(!page.body.contains(&sid));
    b.submit(
        "/dashboard/sessions/sign-out",
        &[("session_id", "sess_missing")],
    )
    .await
    .expect(404);

    // Security: the locked account with its unlock, the failed sign-in, the API key's event.
    let page = b.open("/dashboard/security").await;
    page.expect(200);
    assert!(page.body.contains(&format!(
        "/dashboard/users/{locked_id}/confirm?action=unlock"
    )));
    assert!(
        !page
            .body
            .contains(&format!("/dashboard/users/{id}/confirm"))
    );
    assert!(
        page.body.contains("</th><td>1</td><td>1</td></tr>"),
        "this hour: one failure, one sign-in: {}",
        page.body
    );
    assert!(page.body.contains("usher.security.api_key.created"));
    assert!(!page.body.contains("<i>ci</i>"));
    b.open("/dashboard/security?locked=-1&events=abc")
        .await
        .expect(200);

    // Organizations: listed and searched, the page with members, invitations, roles.
    let list = b.open("/dashboard/organizations").await;
    list.expect(200);
    assert!(
        list.body
            .contains(&format!("/dashboard/organizations/{org_id}"))
    );
    assert!(list.body.contains("Acme &amp; "), "{}", list.body);
    let none = b
        .open("/dashboard/organizations?query=nothing-like-it")
        .await;
    assert!(none.body.contains("No organizations match."));
    let page = b.open(&format!("/dashboard/organizations/{org_id}")).await;
    page.expect(200);
    assert!(page.body.contains(&format!("/dashboard/users/{id}")));
    assert!(page.body.contains("<code>org:admin</code>"));
    assert!(page.body.contains("invitee@example.com"));
    assert!(page.body.contains("<td>pending</td>"));
    assert!(page.body.contains("org:sys_memberships:manage"));
    assert!(!page.body.contains("<script>lin()"));
    b.open("/dashboard/organizations/org_missing")
        .await
        .expect(404);
}
