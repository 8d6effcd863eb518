//! Email and SMS templates (`/v1/templates`): the built-in ones listed in Clerk's shape, a
//! stored subject and body checked for their variables and used by the next email, a preview
//! that escapes values in HTML and sends nothing, revert, and delivery turned off (no SMTP
//! message, the `email.created` webhook still fires).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use usher_core::clock::SystemClock;

use crate::common::{App, assert_audited, audit_actions, spawn_app, spawn_with};
use crate::mail::smtp_sink;

const CODE: &str = "/v1/templates/email/verification_code";

/// Signs up `email` from a clerk-js tab and returns the newest email sent to it.
async fn sign_up_email(app: &App, email: &str) -> Value {
    let mut b = app.browser();
    b.start_sign_up(email).await;
    app.emails_to(email).await.first().cloned().unwrap()
}

#[tokio::test]
async fn templates_are_listed_edited_previewed_and_reverted() {
    let app = spawn_app().await;

    let list = app.get("/v1/templates/email").await.ok().clone();
    let list = list.as_array().unwrap();
    let slugs: Vec<&str> = list.iter().map(|t| t["slug"].as_str().unwrap()).collect();
    for slug in [
        "verification_code",
        "reset_password_code",
        "magic_link_sign_in",
        "magic_link_sign_up",
        "invitation",
        "organization_invitation",
    ] {
        assert!(slugs.contains(&slug), "{slug} in {slugs:?}");
    }
    let t = &list[0];
    assert_eq!(t["object"], "template");
    assert_eq!(t["template_type"], "email");
    assert_eq!(t["resource_type"], "system");
    assert_eq!(t["can_revert"], false);
    assert_eq!(t["can_delete"], false);
    assert_eq!(t["can_toggle"], true);
    assert_eq!(t["delivered_by_clerk"], true);
    assert_eq!(t["subject"], "{{otp_code}} is your verification code");
    assert_eq!(t["required_variables"], json!(["otp_code"]));
    assert!(
        t["available_variables"]
            .as_array()
            .unwrap()
            .contains(&json!("app.name"))
    );
    assert_eq!(t["from_email_name"], "no-reply");
    for field in [
        "id",
        "instance_id",
        "name",
        "position",
        "body",
        "markup",
        "reply_to_email_name",
        "created_at",
        "updated_at",
    ] {
        assert!(t.get(field).is_some(), "{field}");
    }
    let paged = app.get("/v1/templates/email?paginated=true&limit=2").await;
    assert_eq!(paged.ok()["total_count"], list.len());
    assert_eq!(paged.body["data"].as_array().unwrap().len(), 2);
    let sms = app.get("/v1/templates/sms").await.ok().clone();
    assert_eq!(sms[0]["slug"], "verification_code");
    assert_eq!(sms[0]["subject"], Value::Null);
    assert_eq!(app.get(CODE).await.ok(), t);

    // Bad input: Clerk-shaped 4xx, nothing stored.
    app.get("/v1/templates/fax")
        .await
        .err(422, "form_param_value_invalid");
    app.get("/v1/templates/email/no_such_slug")
        .await
        .err(404, "resource_not_found");
    let bad = [
        (
            json!({"body": "<p>{{otp_code}} {{user.password}}</p>"}),
            "form_param_value_invalid",
            "body",
        ),
        (
            json!({"subject": "{{secret}}"}),
            "form_param_value_invalid",
            "subject",
        ),
        (
            json!({"body": "<p>no code here</p>"}),
            "form_param_value_invalid",
            "body",
        ),
        (json!({"body": ""}), "form_param_missing", "body"),
        (json!({"body": 5}), "form_param_format_invalid", "body"),
        (
            json!({"from_email_name": "not a name"}),
            "form_param_format_invalid",
            "from_email_name",
        ),
        (json!({"colour": "red"}), "form_param_unknown", "colour"),
    ];
    for (body, code, param) in bad {
        let r = app
            .send(reqwest::Method::PUT, CODE, Some(body.clone()))
            .await;
        r.err(422, code);
        assert_eq!(r.param(), param, "{body}");
    }
    app.send(
        reqwest::Method::PUT,
        "/v1/templates/sms/verification_code",
        Some(json!({"subject": "x"})),
    )
    .await
    .err(422, "form_param_value_invalid");
    app.send(
        reqwest::Method::PUT,
        "/v1/templates/email/nope",
        Some(json!({"body": "x"})),
    )
    .await
    .err(404, "resource_not_found");
    assert_eq!(app.get(CODE).await.ok()["resource_type"], "system");

    // A stored subject and body: the next verification email uses them.
    let put = app
        .send(
            reqwest::Method::PUT,
            CODE,
            Some(json!({
                "subject": "Your code: {{otp_code}}",
                "body": "<p>Hello from {{ app.name }}: <b>{{otp_code}}</b></p>",
                "name": "ignored",
            })),
        )
        .await;
    let put = put.ok();
    assert_eq!(put["resource_type"], "user");
    assert_eq!(put["can_revert"], true);
    assert_eq!(put["subject"], "Your code: {{otp_code}}");
    assert!(put["updated_at"].as_i64().unwrap() > 0);
    let mail = sign_up_email(&app, "templated@example.com").await;
    let code = mail["data"]["otp_code"].as_str().unwrap();
    assert_eq!(mail["subject"], format!("Your code: {code}"));
    assert!(
        mail["body"]
            .as_str()
            .unwrap()
            .contains(&format!("<p>Hello from Usher: <b>{code}</b></p>"))
    );
    assert_eq!(mail["body_plain"], format!("Hello from Usher: {code}\n"));

    // A preview renders with sample values and the application's name, escaped in HTML.
    app.patch(
        "/v1/instance/branding",
        json!({"application_name": "<script>alert(1)</script>"}),
    )
    .await
    .ok();
    let preview = app.post(&format!("{CODE}/preview"), json!({})).await;
    let preview = preview.ok();
    assert_eq!(preview["subject"], "Your code: 123456");
    let html = preview["body"].as_str().unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>"), "{html}");
    let given = app
        .post(
            &format!("{CODE}/preview"),
            json!({"subject": "S {{app.name}}", "body": "<i>{{otp_code}}</i>"}),
        )
        .await;
    assert_eq!(
        given.ok()["subject"],
        "S <script>alert(1)</script>",
        "a subject is text"
    );
    assert_eq!(given.body["body"], "<i>123456</i>");
    app.post(&format!("{CODE}/preview"), json!({"body": "{{nope}}"}))
        .await
        .err(422, "form_param_value_invalid");
    let before = app.emails_to("templated@example.com").await.len();
    assert_eq!(before, 1, "a preview sends nothing");

    // Revert: the built-in text again.
    let reverted = app.post_empty(&format!("{CODE}/revert")).await;
    assert_eq!(reverted.ok()["resource_type"], "system");
    assert_eq!(
        reverted.body["subject"],
        "{{otp_code}} is your verification code"
    );
    let mail = sign_up_email(&app, "reverted@example.com").await;
    let code = mail["data"]["otp_code"].as_str().unwrap();
    assert_eq!(mail["subject"], format!("{code} is your verification code"));

    assert_audited(
        &app,
        "tmpl_email_verification_code",
        &["template.update", "template.revert"],
    )
    .await;
}

#[tokio::test]
async fn delivery_off_sends_no_mail_but_the_webhook_fires() {
    let (port, mut inbox) = smtp_sink(false).await;
    let app = spawn_with(Arc::new(SystemClock), |cfg| {
        cfg.webhooks.run_worker = false;
        cfg.mail.run_worker = false;
        cfg.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}?tls=none"));
    })
    .await;
    let off = app
        .post(
            &format!("{CODE}/toggle_delivery"),
            json!({"delivered_by_clerk": false}),
        )
        .await;
    assert_eq!(off.ok()["delivered_by_clerk"], false);
    assert_eq!(
        off.body["resource_type"], "system",
        "the text is still the built-in one"
    );
    app.post(
        &format!("{CODE}/toggle_delivery"),
        json!({"delivered_by_clerk": "no"}),
    )
    .await
    .err(422, "form_param_format_invalid");

    let mail = sign_up_email(&app, "self-sent@example.com").await;
    assert_eq!(mail["status"], "delegated");
    assert_eq!(mail["delivered_by_clerk"], false);
    assert_eq!(
        app.running.drain_mail().await.unwrap(),
        0,
        "nothing to send"
    );
    assert!(inbox.try_recv().is_err(), "no SMTP message");
    let events = app.events().await;
    let created = events
        .iter()
        .find(|e| e.event_type == "email.created" && e.data["id"] == mail["id"])
        .expect("email.created still fires");
    assert_eq!(created.data["delivered_by_clerk"], false);
    assert_eq!(created.data["data"]["otp_code"], mail["data"]["otp_code"]);

    // Flipped back on (no value flips it): the server sends again.
    let on = app
        .post(&format!("{CODE}/toggle_delivery"), json!({}))
        .await;
    assert_eq!(on.ok()["delivered_by_clerk"], true);
    let mail = sign_up_email(&app, "server-sent@example.com").await;
    assert_eq!(mail["delivered_by_clerk"], true);
    assert_eq!(app.running.drain_mail().await.unwrap(), 1);
    let got = tokio::time::timeout(Duration::from_secs(30), inbox.recv())
        .await
        .expect("the sink received the message")
        .unwrap();
    assert_eq!(got.rcpt_to, vec!["server-sent@example.com".to_owned()]);
    let actions = audit_actions(&app).await;
    let toggles = actions
        .iter()
        .filter(|(a, _)| a == "template.toggle_delivery")
        .count();
    assert_eq!(toggles, 2);
}

#[tokio::test]
async fn an_sms_template_rewrites_texts_and_delivery_off_leaves_the_webhook() {
    // A provider is set (never reached: the SMS worker is off and nothing due is left).
    let app = spawn_with(Arc::new(SystemClock), |cfg| {
        cfg.webhooks.run_worker = false;
        cfg.sms.run_worker = false;
        cfg.sms.provider = Some(
            usher_server::outbound::sms::TwilioConfig::from_parts(
                "http://127.0.0.1:9",
                Some("ACtest0123456789".into()),
                Some("twilio-auth-token".into()),
                Some("+14155550100".into()),
            )
            .unwrap(),
        );
    })
    .await;
    let sms = "/v1/templates/sms/verification_code";
    let put = app
        .send(
            reqwest::Method::PUT,
            sms,
            Some(json!({"body": "{{app.name}} code: {{otp_code}}"})),
        )
        .await;
    assert_eq!(put.ok()["body"], "{{app.name}} code: {{otp_code}}");
    app.send(
        reqwest::Method::PUT,
        sms,
        Some(json!({"body": "{{otp_code}} {{magic_link}}"})),
    )
    .await
    .err(422, "form_param_value_invalid");

    let text = |to: &str| {
        usher_core::sms::SmsMessage::verification_code(
            to,
            None,
            None,
            "Acme",
            "135790",
            app.running.state.now(),
        )
    };
    let queue = |msg: usher_core::sms::SmsMessage| async {
        let state = &app.running.state;
        let ctx = usher_server::app::context::RequestContext::system("test");
        let mut change = usher_server::app::Change::new(state, &ctx);
        usher_server::app::sms::queue(&mut change, msg);
        change.commit("sms.create", None).await.unwrap();
    };
    queue(text("+447700900301")).await;
    let sent = app
        .get("/v1/sms_messages?phone_number=%2B447700900301")
        .await;
    let first = sent.ok()["data"][0].clone();
    assert_eq!(first["message"], "Acme code: 135790");
    assert_eq!(first["delivered_by_clerk"], true, "the provider sends it");

    app.post(
        &format!("{sms}/toggle_delivery"),
        json!({"delivered_by_clerk": false}),
    )
    .await
    .ok();
    queue(text("+447700900302")).await;
    let listed = app
        .get("/v1/sms_messages?phone_number=%2B447700900302")
        .await;
    let second = listed.ok()["data"][0].clone();
    assert_eq!(
        second["delivered_by_clerk"], false,
        "only the webhook carries it"
    );
    let events = app.events().await;
    let created = events
        .iter()
        .find(|e| e.event_type == "sms.created" && e.data["id"] == second["id"])
        .expect("sms.created still fires");
    assert_eq!(created.data["delivered_by_clerk"], false);
    assert_eq!(created.data["message"], "Acme code: 135790");
}
