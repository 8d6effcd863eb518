//! The Organizations section of `/user`: the user's memberships and pending invitations
//! (organization names escaped), accepting one of the user's own, and refusing someone else's, a
//! revoked, an unknown or an unsigned one without writing anything; no section when the
//! instance has no organizations.

use serde_json::json;

use super::*;
use crate::common::membership_pairs;

async fn spawn_with_organizations() -> App {
    spawn_with(Arc::new(SystemClock), |cfg| {
        cfg.policy.organizations_enabled = Some(true);
    })
    .await
}

/// An organization made over the Backend API by a fresh admin; its id.
async fn organization(app: &App, name: &str, slug: &str) -> String {
    let email = format!("admin-{slug}@example.com");
    let admin = app.create_user_without_password(&email).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.create_id(
        "/v1/organizations",
        json!({"name": name, "slug": slug, "created_by": admin}),
    )
    .await
}

async fn invite(app: &App, org: &str, email: &str, role: &str) -> String {
    app.create_id(
        &format!("/v1/organizations/{org}/invitations"),
        json!({"email_address": email, "role": role}),
    )
    .await
}

async fn invitation_status(app: &App, org: &str, id: &str) -> String {
    app.get(&format!("/v1/organizations/{org}/invitations/{id}"))
        .await
        .ok()["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `(organization id, role)` of each of the user's memberships, over the Backend API.
async fn memberships(app: &App, user: &str) -> Vec<(String, String)> {
    let r = app
        .get(&format!("/v1/users/{user}/organization_memberships"))
        .await;
    let mut out = membership_pairs(r.ok());
    out.sort();
    out
}

/// No `<` or `>` (organization names refuse them), but an entity that must not be decoded and
/// quotes that must not end an attribute.
const HOSTILE: &str = "R&D \"Labs\" &lt;img src=x onerror=alert(1)&gt;";
const HOSTILE_ESCAPED: &str = "R&amp;D &quot;Labs&quot; &amp;lt;img src=x onerror=alert(1)&amp;gt;";

#[tokio::test]
async fn the_account_page_lists_organizations_and_accepts_an_invitation() {
    let app = spawn_with_organizations().await;
    let email = "ada@example.com";
    let mut web = app.web("pages-test");
    sign_up(&app, &mut web, email).await;
    let ada = user_id(&app, email).await;

    let beta = organization(&app, "Beta Works", "beta-works").await;
    app.add_member(&beta, &ada, "org:member").await;
    let hostile = organization(&app, HOSTILE, "hostile").await;
    let mine = invite(&app, &hostile, email, "org:admin").await;
    let gamma = organization(&app, "Gamma", "gamma").await;
    let theirs = invite(&app, &gamma, "someone@example.com", "org:member").await;
    let revoked = invite(&app, &gamma, email, "org:member").await;
    app.post(
        &format!("/v1/organizations/{gamma}/invitations/{revoked}/revoke"),
        json!({}),
    )
    .await
    .ok();

    let page = web.open("/user").await;
    page.expect(200);
    assert!(
        page.body
            .contains("<h2 id=\"organizations\">Organizations</h2>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<h3>Beta Works</h3>"), "{}", page.body);
    assert!(page.body.contains("Role: Member"));
    assert!(page.body.contains("Slug: beta-works"));
    // The invitation, its organization's name escaped, and its Accept form.
    assert!(!page.body.contains(HOSTILE), "{}", page.body);
    assert!(page.body.contains(HOSTILE_ESCAPED), "{}", page.body);
    assert!(page.body.contains("Invited to ada@example.com as Admin."));
    assert_eq!(page.input_value("invitation_id").as_deref(), Some(&*mine));
    assert_eq!(page.body.matches(">Accept</button>").count(), 1);
    // Neither someone else's invitation nor a revoked one is listed.
    assert!(!page.body.contains("Gamma"));

    // Refused, with the error on the page, and nothing written: someone else's invitation, a
    // revoked one, an unknown one, a malformed id.
    for (id, status) in [
        (theirs.as_str(), 404),
        (revoked.as_str(), 400),
        ("orginv_2unknownunknownunknownunk", 404),
        ("not an id", 404),
    ] {
        let refused = web
            .submit(
                "/user/organization-invitations/accept",
                &[("invitation_id", id)],
            )
            .await;
        assert_eq!(refused.status.as_u16(), status, "{id}: {}", refused.body);
        assert!(refused.body.contains("role=\"alert\""), "{}", refused.body);
        // The page is shown again, with its section.
        assert!(refused.body.contains(HOSTILE_ESCAPED));
    }
    assert_eq!(invitation_status(&app, &gamma, &theirs).await, "pending");
    assert_eq!(invitation_status(&app, &gamma, &revoked).await, "revoked");
    assert_eq!(
        memberships(&app, &ada).await,
        vec![(beta.clone(), "org:member".to_owned())]
    );

    // A form without its CSRF token is refused too.
    let forged = web
        .post_form(
            "/user/organization-invitations/accept",
            &[("invitation_id", &mine)],
        )
        .await;
    forged.expect(403);
    assert_eq!(invitation_status(&app, &hostile, &mine).await, "pending");

    // Accepting one's own: the membership with the invited role, the invitation accepted.
    web.open("/user").await.expect(200);
    web.submit(
        "/user/organization-invitations/accept",
        &[("invitation_id", &mine)],
    )
    .await
    .redirects_to("/user?notice=invitation_accepted#organizations");
    assert_eq!(invitation_status(&app, &hostile, &mine).await, "accepted");
    let mut expected = vec![
        (beta.clone(), "org:member".to_owned()),
        (hostile.clone(), "org:admin".to_owned()),
    ];
    expected.sort();
    assert_eq!(memberships(&app, &ada).await, expected);
    let page = web.open("/user?notice=invitation_accepted").await;
    assert!(page.body.contains("You have joined the organization."));
    assert!(
        page.body.contains(&format!("<h3>{HOSTILE_ESCAPED}</h3>")),
        "{}",
        page.body
    );
    assert!(page.body.contains("Role: Admin"));
    assert!(!page.body.contains(">Accept</button>"));

    // Accepted already: a second acceptance is refused and adds nothing.
    let again = web
        .submit(
            "/user/organization-invitations/accept",
            &[("invitation_id", &mine)],
        )
        .await;
    assert!(again.status.is_client_error(), "{}", again.body);
    assert!(again.body.contains("role=\"alert\""));
    assert_eq!(memberships(&app, &ada).await, expected);
}

#[tokio::test]
async fn no_organizations_section_when_organizations_are_off() {
    let app = spawn().await;
    let email = "grace@example.com";
    let mut web = app.web("pages-test");
    sign_up(&app, &mut web, email).await;
    let grace = user_id(&app, email).await;
    let org = organization(&app, "Acme", "acme").await;
    let inv = invite(&app, &org, email, "org:member").await;

    let page = web.open("/user").await;
    page.expect(200);
    assert!(page.body.contains("Active devices"));
    assert!(!page.body.contains("Organizations"), "{}", page.body);
    assert!(!page.body.contains("Acme"));
    assert!(!page.body.contains("invitation_id"));

    let refused = web
        .submit(
            "/user/organization-invitations/accept",
            &[("invitation_id", &inv)],
        )
        .await;
    assert!(refused.status.is_client_error(), "{}", refused.body);
    assert!(refused.body.contains("role=\"alert\""));
    assert_eq!(invitation_status(&app, &org, &inv).await, "pending");
    assert!(memberships(&app, &grace).await.is_empty());
}
