//! The rest of a user's page: metadata edited as JSON (a bad one refused inline, nothing saved),
//! MFA reset, the password-compromised mark, impersonation, deletion, a new user; the search's
//! date filters and the CSV export; and a support operator refused every one of these writes.

use serde_json::json;
use usher_core::clock::Clock;
use usher_core::mfa::totp;
use usher_core::operators::Role;

use super::spawn;
use crate::common::encode;

#[tokio::test]
async fn an_admin_edits_metadata_resets_mfa_impersonates_and_deletes() {
    let d = spawn().await;
    let secret = d.operator("ada@example.com", Role::Admin).await;
    let (id, mut devices) = d.signed_in_user("grace@example.com", 1).await;
    let mut b = d.sign_in("ada@example.com", &secret).await;
    let user_page = format!("/dashboard/users/{id}");
    let act = format!("{user_page}/act");
    let metadata = format!("{user_page}/metadata");

    // Metadata: the form shows what is stored, escaped.
    d.app
        .patch(
            &format!("/v1/users/{id}/metadata"),
            json!({"public_metadata": {"note": "</textarea><script>x()</script>"}}),
        )
        .await
        .ok();
    let form = b.open(&metadata).await;
    form.expect(200);
    assert!(!form.body.contains("</textarea><script>"), "{}", form.body);
    assert!(
        form.body
            .contains("&lt;/textarea&gt;&lt;script&gt;x()&lt;/script&gt;")
    );
    // Without the session's token: refused, nothing saved.
    b.post_form(&metadata, &[("public_metadata", r#"{"plan": "pro"}"#)])
        .await
        .expect(403);
    // Bad JSON, or JSON that is not an object: refused inline with the parser's message, the
    // text kept, nothing saved.
    let bad = b
        .submit(
            &metadata,
            &[
                ("public_metadata", r#"{"plan": "pro"}"#),
                ("private_metadata", r#"{"crm": "#),
                ("unsafe_metadata", "[1, 2]"),
            ],
        )
        .await;
    bad.expect(422);
    assert!(bad.body.contains("Nothing was saved"), "{}", bad.body);
    assert!(bad.body.contains("Not valid JSON: EOF while parsing"));
    assert!(bad.body.contains("Must be a JSON object"));
    assert!(
        bad.body.contains("{&quot;crm&quot;: </textarea>")
            || bad.body.contains("{\"crm\": </textarea>")
    );
    assert!(bad.body.contains("aria-invalid=\"true\""));
    let u = d.app.get(&format!("/v1/users/{id}")).await.ok().clone();
    assert_eq!(
        u["public_metadata"],
        json!({"note": "</textarea><script>x()</script>"})
    );
    // Good JSON replaces each object; an empty field is {}.
    b.submit(
        &metadata,
        &[
            ("public_metadata", r#"{"plan": "pro", "seats": 3}"#),
            ("private_metadata", r#"{"crm": 42}"#),
            ("unsafe_metadata", ""),
        ],
    )
    .await
    .redirects_to(&format!("{user_page}?done=metadata"));
    let u = d.app.get(&format!("/v1/users/{id}")).await.ok().clone();
    assert_eq!(u["public_metadata"], json!({"plan": "pro", "seats": 3}));
    assert_eq!(u["private_metadata"], json!({"crm": 42}));
    assert_eq!(u["unsafe_metadata"], json!({}));

    // MFA: the user enrols an authenticator app; resetting turns it and the backup codes off.
    let (browser, _) = &mut devices[0];
    let t = browser.post("/v1/me/totp", &[]).await.ok()["response"].clone();
    let totp_secret = t["secret"].as_str().unwrap().to_owned();
    let step = d.clock.now_ms() / 1000 / totp::STEP_SECS;
    let code = totp::code_at_step(&totp_secret, step).unwrap();
    browser
        .post("/v1/me/totp/attempt_verification", &[("code", &code)])
        .await
        .ok();
    let u = d.app.get(&format!("/v1/users/{id}")).await.ok().clone();
    assert_eq!(
        (u["totp_enabled"].clone(), u["backup_code_enabled"].clone()),
        (json!(true), json!(true))
    );
    let page = b.open(&user_page).await;
    assert!(page.body.contains("action=reset-mfa"));
    let confirm = b
        .open(&format!("{user_page}/confirm?action=reset-mfa"))
        .await;
    assert!(
        confirm
            .body
            .contains("the authenticator app, the backup codes")
    );
    b.submit(&act, &[("action", "reset-mfa")])
        .await
        .redirects_to(&format!("{user_page}?done=reset-mfa"));
    let u = d.app.get(&format!("/v1/users/{id}")).await.ok().clone();
    assert_eq!(
        (u["totp_enabled"].clone(), u["backup_code_enabled"].clone()),
        (json!(false), json!(false))
    );

    // The password marked compromised, then cleared.
    b.open(&user_page).await;
    b.submit(&act, &[("action", "set-compromised")])
        .await
        .redirects_to(&format!("{user_page}?done=set-compromised"));
    let stored = |d: &super::Desk| {
        let state = d.app.running.state.clone();
        let id = id.clone();
        async move {
            let uid = usher_core::ids::UserId::parse(&id).unwrap();
            state
                .store
                .get_user(&state.instance.id, &uid)
                .await
                .unwrap()
                .unwrap()
        }
    };
    assert!(stored(&d).await.password_compromised);
    let page = b.open(&user_page).await;
    assert!(page.body.contains("action=unset-compromised"));
    b.submit(&act, &[("action", "unset-compromised")])
        .await
        .redirects_to(&format!("{user_page}?done=unset-compromised"));
    assert!(!stored(&d).await.password_compromised);

    // Impersonation: a ticket shown once, which signs in as the user with the operator as actor.
    let confirm = b
        .open(&format!("{user_page}/confirm?action=impersonate"))
        .await;
    assert!(confirm.body.contains("It is shown only once."));
    let shown = b.submit(&act, &[("action", "impersonate")]).await;
    shown.expect(200);
    let ticket = shown.text_of("ticket").expect("the ticket is shown");
    let mut other = d.app.web("Support laptop");
    let r = other
        .post(
            "/v1/client/sign_ins",
            &[("strategy", "ticket"), ("ticket", &ticket)],
        )
        .await;
    let si = r.ok()["response"].clone();
    assert_eq!(si["status"], "complete", "{}", r.raw);
    let sid = si["created_session_id"].as_str().unwrap();
    let s = d.app.get(&format!("/v1/sessions/{sid}")).await.ok().clone();
    assert_eq!(s["user_id"], id.as_str());
    assert_eq!(s["actor"]["sub"], "operator:ada@example.com");

    // Deletion says what happens, then the user is gone.
    let confirm = b.open(&format!("{user_page}/confirm?action=delete")).await;
    assert!(
        confirm.body.contains("This cannot be undone."),
        "{}",
        confirm.body
    );
    assert!(confirm.body.contains("this signs out"));
    b.submit(&act, &[("action", "delete")])
        .await
        .redirects_to("/dashboard/users?done=delete");
    d.app
        .get(&format!("/v1/users/{id}"))
        .await
        .err(404, "resource_not_found");
    let listed = b.open("/dashboard/users?done=delete").await;
    assert!(listed.body.contains("The user is deleted."));

    let by_ada = d.operator_actions("ada@example.com", 50).await;
    assert_eq!(
        by_ada,
        [
            "user.delete",
            "actor_token.create",
            "user.password.unset_compromised",
            "user.password.set_compromised",
            "user.mfa.disable",
            "user.metadata.update",
        ]
    );
}

#[tokio::test]
async fn an_admin_creates_a_user_and_bad_input_is_refused_inline() {
    let d = spawn().await;
    let secret = d.operator("ada@example.com", Role::Admin).await;
    let mut b = d.sign_in("ada@example.com", &secret).await;
    b.open("/dashboard/users/new").await.expect(200);
    b.post_form(
        "/dashboard/users/new",
        &[("email_address", "new@example.com")],
    )
    .await
    .expect(403);
    let bad = b
        .submit(
            "/dashboard/users/new",
            &[
                ("email_address", "not an address"),
                ("first_name", "<b>Bo</b>"),
            ],
        )
        .await;
    assert!(bad.status.is_client_error(), "{}", bad.status);
    assert!(
        bad.body.contains("The user was not created"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("value=\"&lt;b&gt;Bo&lt;/b&gt;\""));
    let made = b
        .submit(
            "/dashboard/users/new",
            &[("email_address", "new@example.com"), ("first_name", "Bo")],
        )
        .await;
    let to = made.location().to_owned();
    assert!(to.ends_with("?done=create"), "{to}");
    let list = d.app.get("/v1/users?email_address=new@example.com").await;
    let u = list.ok()[0].clone();
    assert_eq!(u["first_name"], "Bo");
    assert_eq!(u["password_enabled"], false);
    assert_eq!(
        to,
        format!("/dashboard/users/{}?done=create", u["id"].as_str().unwrap())
    );
    let page = b.open(&to).await;
    assert!(page.body.contains("The user is created."));
}

#[tokio::test]
async fn users_are_filtered_by_dates_and_exported_as_csv() {
    let d = spawn().await;
    let secret = d.operator("sam@example.com", Role::Support).await;
    const DAY: i64 = 86_400_000;
    let old = d
        .user(
            json!({"email_address": ["old@example.com"], "first_name": "=HYPERLINK(\"x\")",
                      "phone_number": ["+14155550100"], "skip_password_requirement": true}),
        )
        .await;
    d.clock.advance(10 * DAY);
    let new = d
        .user(json!({"email_address": ["new@example.com"], "username": "newbie", "last_name": "Smith, Jr.",
                      "skip_password_requirement": true}))
        .await;
    let (old_id, new_id) = (old["id"].as_str().unwrap(), new["id"].as_str().unwrap());
    let day = |ms: i64| {
        time::OffsetDateTime::from_unix_timestamp(ms / 1000)
            .unwrap()
            .date()
            .to_string()
    };
    let between = day(old["created_at"].as_i64().unwrap() + 5 * DAY);
    let mut b = d.sign_in("sam@example.com", &secret).await;

    let after = b
        .open(&format!(
            "/dashboard/users?{}",
            encode(&[("created_after", &between)])
        ))
        .await;
    after.expect(200);
    assert!(after.body.contains(new_id) && !after.body.contains(old_id));
    let before = b
        .open(&format!(
            "/dashboard/users?{}",
            encode(&[("created_before", &between)])
        ))
        .await;
    assert!(before.body.contains(old_id) && !before.body.contains(new_id));
    let bad = b.open("/dashboard/users?created_after=yesterday").await;
    bad.expect(200);
    assert!(bad.body.contains("Use a date like 2026-12-07."));
    assert!(
        bad.body.contains(old_id) && bad.body.contains(new_id),
        "ignored"
    );

    // Export, read-only: allowed to support. Every column, the filter applied, oldest first,
    // a formula defused, a comma quoted.
    let csv = b.open("/dashboard/users/export.csv").await;
    csv.expect(200);
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines[0],
        "id,email_addresses,phone_numbers,username,first_name,last_name,created_at,last_active_at,banned,locked,external_id"
    );
    assert_eq!(lines.len(), 3, "{}", csv.body);
    assert!(
        lines[1].starts_with(&format!(
            "{old_id},old@example.com,+14155550100,,\"'=HYPERLINK(\"\"x\"\")\","
        )),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with(&format!(
            "{new_id},new@example.com,,newbie,,\"Smith, Jr.\","
        )),
        "{}",
        lines[2]
    );
    assert!(lines[2].ends_with(",false,false,"), "{}", lines[2]);
    let filtered = b
        .open(&format!(
            "/dashboard/users/export.csv?{}",
            encode(&[("created_after", &between)])
        ))
        .await;
    assert_eq!(filtered.body.lines().count(), 2);
    assert!(filtered.body.contains(new_id));
}

#[tokio::test]
async fn support_is_refused_every_new_write() {
    let d = spawn().await;
    let secret = d.operator("sam@example.com", Role::Support).await;
    let u = d
        .user(
            json!({"email_address": ["kept@example.com"], "public_metadata": {"a": 1},
                      "skip_password_requirement": true}),
        )
        .await;
    let id = u["id"].as_str().unwrap();
    let mut b = d.sign_in("sam@example.com", &secret).await;
    let page = b.open(&format!("/dashboard/users/{id}")).await;
    for hidden in [
        "action=delete",
        "action=impersonate",
        "/metadata\"",
        "/dashboard/users/new",
    ] {
        assert!(!page.body.contains(hidden), "{hidden} not offered");
    }
    let list = b.open("/dashboard/users").await;
    assert!(!list.body.contains("/dashboard/users/new"));
    for action in ["reset-mfa", "set-compromised", "delete", "impersonate"] {
        b.open(&format!("/dashboard/users/{id}/confirm?action={action}"))
            .await
            .expect(403);
        b.submit(&format!("/dashboard/users/{id}/act"), &[("action", action)])
            .await
            .expect(403);
    }
    b.open(&format!("/dashboard/users/{id}/metadata"))
        .await
        .expect(403);
    b.submit(
        &format!("/dashboard/users/{id}/metadata"),
        &[("public_metadata", "{}")],
    )
    .await
    .expect(403);
    b.open("/dashboard/users/new").await.expect(403);
    b.submit(
        "/dashboard/users/new",
        &[("email_address", "x@example.com")],
    )
    .await
    .expect(403);
    let after = d.app.get(&format!("/v1/users/{id}")).await.ok().clone();
    assert_eq!(after["public_metadata"], json!({"a": 1}));
    let listed = d.app.get("/v1/users?email_address=x@example.com").await;
    assert_eq!(listed.list_len(), 0);
    assert!(d.operator_actions("sam@example.com", 50).await.is_empty());
}
