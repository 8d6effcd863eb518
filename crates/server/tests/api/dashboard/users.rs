//! The users pages and the actions on a user: search, escaping, CSRF and role refusals, and
//! sign-out, ban and lock taking effect through the use cases, audited as the operator.

use serde_json::json;
use usher_core::operators::Role;

use super::{assert_secure_headers, spawn};
use crate::common::encode;

#[tokio::test]
async fn users_are_found_by_any_identifier_and_rendered_escaped() {
    let d = spawn().await;
    let secret = d.operator("ada@example.com", Role::Support).await;
    let hostile = d
        .user(json!({
            "email_address": ["mallory@example.com"],
            "phone_number": ["+14155550123"],
            "username": "mallory",
            "first_name": "<script>alert(1)</script>",
            "last_name": "\"><img src=x>",
            "public_metadata": {"note": "</pre><script>x()</script>"},
            "skip_password_requirement": true
        }))
        .await;
    let id = hostile["id"].as_str().unwrap().to_owned();
    d.user(json!({"email_address": ["other@example.com"], "first_name": "Other", "skip_password_requirement": true}))
        .await;
    let mut b = d.sign_in("ada@example.com", &secret).await;

    let all = b.open("/dashboard/users").await;
    assert!(all.body.contains("other@example.com") && all.body.contains("mallory@example.com"));
    // Part of an identifier or name searches every user; a whole one is looked up by its index.
    for term in [
        "mallory@example",
        "MALLORY@example.com",
        "+14155550123",
        "4155550123",
        "mallory",
        id.as_str(),
        "MALLORY",
    ] {
        let p = b
            .open(&format!("/dashboard/users?{}", encode(&[("query", term)])))
            .await;
        p.expect(200);
        assert!(p.body.contains(&format!("/dashboard/users/{id}")), "{term}");
        assert!(!p.body.contains("other@example.com"), "{term}");
    }
    let none = b.open("/dashboard/users?query=nobody-at-all").await;
    assert!(none.body.contains("No users match."));
    let banned = b.open("/dashboard/users?banned=true").await;
    assert!(!banned.body.contains(&id));
    d.app
        .post(&format!("/v1/users/{id}/lock"), json!({}))
        .await
        .ok();
    let locked = b.open("/dashboard/users?locked=true").await;
    assert!(locked.body.contains(&id) && !locked.body.contains("other@example.com"));
    let unlocked = b.open("/dashboard/users?locked=false").await;
    assert!(!unlocked.body.contains(&id) && unlocked.body.contains("other@example.com"));

    for page in [
        b.open("/dashboard/users").await,
        b.open(&format!("/dashboard/users/{id}")).await,
    ] {
        page.expect(200);
        assert_secure_headers(&page);
        assert!(!page.body.contains("<script>"), "{}", page.body);
        assert!(!page.body.contains("<img src=x>"));
        assert!(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
    let shown = b.open(&format!("/dashboard/users/{id}")).await;
    assert!(shown.body.contains("+14155550123"));
    assert!(
        shown
            .body
            .contains("&lt;/pre&gt;&lt;script&gt;x()&lt;/script&gt;")
    );
    assert!(
        shown.body.contains("<time datetime=\"2027-01-15T08:"),
        "UTC times"
    );

    b.open("/dashboard/users/user_missing").await.expect(404);
    b.open("/dashboard/users/not-an-id").await.expect(404);
    b.open("/dashboard/users?offset=-5&banned=maybe")
        .await
        .expect(200);
}

#[tokio::test]
async fn writes_need_the_session_token_and_change_nothing_without_it() {
    let d = spawn().await;
    let secret = d.operator("ada@example.com", Role::Admin).await;
    let other_secret = d.operator("eve@example.com", Role::Admin).await;
    let u = d
        .user(json!({"email_address": ["target@example.com"], "skip_password_requirement": true}))
        .await;
    let id = u["id"].as_str().unwrap();
    let act = format!("/dashboard/users/{id}/act");
    let mut b = d.sign_in("ada@example.com", &secret).await;
    let mut eve = d.sign_in("eve@example.com", &other_secret).await;
    eve.open("/dashboard/users").await;
    let eves_token = eve.csrf.clone().unwrap();

    let refused = b.post_form(&act, &[("action", "ban")]).await;
    refused.expect(403);
    assert_secure_headers(&refused);
    b.post_form(&act, &[("action", "ban"), ("csrf_token", "AAAA")])
        .await
        .expect(403);
    b.post_form(&act, &[("action", "ban"), ("csrf_token", &eves_token)])
        .await
        .expect(403);
    // The right token from another site.
    b.open(&format!("/dashboard/users/{id}")).await;
    let mine = b.csrf.clone().unwrap();
    let mut cross = b.tab();
    cross.origin = Some("https://evil.example".into());
    cross
        .post_form(&act, &[("action", "ban"), ("csrf_token", &mine)])
        .await
        .expect(403);
    let user = d.app.get(&format!("/v1/users/{id}")).await;
    assert_eq!(user.ok()["banned"], false, "nothing changed");

    // And with it, from this origin, the ban goes through.
    b.submit(&act, &[("action", "ban")])
        .await
        .redirects_to(&format!("/dashboard/users/{id}?done=ban"));
    let user = d.app.get(&format!("/v1/users/{id}")).await;
    assert_eq!(user.ok()["banned"], true);
}

#[tokio::test]
async fn sign_out_ban_and_lock_take_effect_and_are_audited_as_the_operator() {
    let d = spawn().await;
    let secret = d.operator("ada@example.com", Role::Admin).await;
    let (id, mut devices) = d.signed_in_user("grace@example.com", 3).await;
    let mut b = d.sign_in("ada@example.com", &secret).await;

    let page = b.open(&format!("/dashboard/users/{id}")).await;
    page.expect(200);
    for (_, sid) in &devices {
        assert!(page.body.contains(sid.as_str()), "each session listed");
    }
    assert!(page.body.contains("Device 0"));

    // One device.
    let (mut first, first_sid) = devices.remove(0);
    let confirm = b
        .open(&format!(
            "/dashboard/users/{id}/confirm?action=sign-out&session_id={first_sid}"
        ))
        .await;
    confirm.expect(200);
    assert!(
        confirm.body.contains("this signs out 1 device"),
        "{}",
        confirm.body
    );
    b.submit(
        &format!("/dashboard/users/{id}/act"),
        &[("action", "sign-out"), ("session_id", &first_sid)],
    )
    .await
    .redirects_to(&format!("/dashboard/users/{id}?done=sign-out"));
    let r = first.request_token(&first_sid).await;
    assert_ne!(r.status, 200, "{}", r.raw);
    let (second, second_sid) = &mut devices[0];
    second.token(second_sid).await;

    // All of them.
    let confirm = b
        .open(&format!(
            "/dashboard/users/{id}/confirm?action=sign-out-all"
        ))
        .await;
    assert!(
        confirm.body.contains("this signs out 2 devices"),
        "{}",
        confirm.body
    );
    b.submit(
        &format!("/dashboard/users/{id}/act"),
        &[("action", "sign-out-all")],
    )
    .await
    .redirects_to(&format!("/dashboard/users/{id}?done=sign-out-all"));
    for (browser, sid) in devices.iter_mut() {
        let r = browser.request_token(sid).await;
        assert_ne!(r.status, 200, "{}", r.raw);
    }
    let page = b.open(&format!("/dashboard/users/{id}")).await;
    assert!(page.body.contains("No active sessions."));

    // Ban and unban, lock and unlock.
    for (action, field, value) in [
        ("ban", "banned", true),
        ("unban", "banned", false),
        ("lock", "locked", true),
        ("unlock", "locked", false),
    ] {
        let confirm = b
            .open(&format!("/dashboard/users/{id}/confirm?action={action}"))
            .await;
        confirm.expect(200);
        b.submit(&format!("/dashboard/users/{id}/act"), &[("action", action)])
            .await
            .redirects_to(&format!("/dashboard/users/{id}?done={action}"));
        let user = d.app.get(&format!("/v1/users/{id}")).await;
        assert_eq!(user.ok()[field], value, "{action}");
    }

    // The audit log names the operator, newest first, and filters.
    let by_ada = d.operator_actions("ada@example.com", 50).await;
    assert_eq!(
        by_ada,
        [
            "user.unlock",
            "user.lock",
            "user.unban",
            "user.ban",
            "session.revoke",
            "session.revoke",
            "session.revoke"
        ]
    );
    let page = b
        .open(&format!(
            "/dashboard/audit?{}",
            encode(&[
                ("actor", "operator:ada@example.com"),
                ("action", "user.ban")
            ])
        ))
        .await;
    page.expect(200);
    assert!(page.body.contains("<td>user.ban</td>"));
    assert!(!page.body.contains("<td>user.unban</td>"));
    assert!(page.body.contains(&format!("<td>{id}</td>")));
    let page = b
        .open(&format!("/dashboard/audit?{}", encode(&[("target", &id)])))
        .await;
    let at = |s: &str| page.body.find(s).unwrap();
    assert!(
        at("<td>user.unlock</td>") < at("<td>user.ban</td>"),
        "newest first"
    );
}

#[tokio::test]
async fn support_may_sign_out_and_unlock_but_not_ban() {
    let d = spawn().await;
    let secret = d.operator("sam@example.com", Role::Support).await;
    let (id, _devices) = d.signed_in_user("lin@example.com", 1).await;
    d.app
        .post(&format!("/v1/users/{id}/lock"), json!({}))
        .await
        .ok();
    let mut b = d.sign_in("sam@example.com", &secret).await;
    let page = b.open(&format!("/dashboard/users/{id}")).await;
    assert!(!page.body.contains("action=ban"), "no ban offered");
    assert!(page.body.contains("action=unlock"));

    let refused = b
        .open(&format!("/dashboard/users/{id}/confirm?action=ban"))
        .await;
    refused.expect(403);
    assert!(
        refused
            .body
            .contains("Your role does not allow this action.")
    );
    b.submit(&format!("/dashboard/users/{id}/act"), &[("action", "ban")])
        .await
        .expect(403);
    b.submit(&format!("/dashboard/users/{id}/act"), &[("action", "lock")])
        .await
        .expect(403);
    let user = d.app.get(&format!("/v1/users/{id}")).await;
    assert_eq!(user.ok()["banned"], false);

    b.open(&format!("/dashboard/users/{id}")).await;
    b.submit(
        &format!("/dashboard/users/{id}/act"),
        &[("action", "unlock")],
    )
    .await
    .redirects_to(&format!("/dashboard/users/{id}?done=unlock"));
    b.submit(
        &format!("/dashboard/users/{id}/act"),
        &[("action", "sign-out-all")],
    )
    .await
    .redirects_to(&format!("/dashboard/users/{id}?done=sign-out-all"));
    let user = d.app.get(&format!("/v1/users/{id}")).await;
    assert_eq!(user.ok()["locked"], false);
    let by_sam = d.operator_actions("sam@example.com", 10).await;
    assert!(by_sam.iter().any(|a| a == "user.unlock"));
}
