//! The front door's secrets and what it lets slip: a client secret planted in a browser is
//! worthless once its owner signs in, up or out (Frontend API and hosted pages, while a dev
//! browser keeps its token); with enumeration protection a real account and an unknown
//! identifier answer alike (shape, ids, sign-up); and every password sign-in upgrades an
//! imported bcrypt digest to Argon2id.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use usher_core::clock::SystemClock;

use crate::common::{App, Browser, PASSWORD, Res, spawn_with};

async fn spawn(protect: bool) -> App {
    spawn_with(Arc::new(SystemClock), |c| {
        c.mail.run_worker = false;
        if protect {
            c.policy.enumeration_protection = Some(true);
            // The timing rounds below are more writes than one address may make.
            c.frontend.limits.mutations_per_ip.limit = 10_000;
        }
    })
    .await
}

/// A user with a password who skips Client Trust, so a password completes the sign-in.
async fn user(app: &App, email: &str) -> String {
    app.create_user_from(
        json!({"email_address": [email], "password": PASSWORD, "bypass_client_trust": true}),
    )
    .await
}

/// A user imported with a bcrypt digest of `PASSWORD`.
async fn imported_user(app: &App, email: &str) -> String {
    let digest = bcrypt::hash(PASSWORD, 4).unwrap();
    app.create_user_from(
        json!({"email_address": [email], "password_digest": digest, "password_hasher": "bcrypt",
               "bypass_client_trust": true}),
    )
    .await
}

async fn stored_digest(app: &App, user_id: &str) -> String {
    let state = &app.running.state;
    let u = state
        .store
        .get_user(
            &state.instance.id,
            &usher_core::ids::UserId::parse(user_id).unwrap(),
        )
        .await;
    u.unwrap().unwrap().password.unwrap().0
}

/// A one-request password sign-in that completes; returns the answer.
async fn sign_in(tab: &mut Browser, email: &str) -> Res {
    let r = tab
        .post(
            "/v1/client/sign_ins",
            &[
                ("identifier", email),
                ("strategy", "password"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["response"]["status"], "complete", "{}", r.raw);
    r
}

/// The session a sign-in created.
fn created_session(r: &Res) -> String {
    r.body["response"]["created_session_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

// ---- session fixation -------------------------------------------------------------------------

#[tokio::test]
async fn a_planted_client_cookie_is_useless_once_the_victim_signs_in_out_or_up() {
    let app = spawn(false).await;
    user(&app, "victim@example.com").await;
    // The attacker's own client (any write makes one), planted in the victim's browser.
    let mut attacker = app.browser();
    let Res { status, .. } = attacker
        .post(
            "/v1/client/sign_ins",
            &[("identifier", "victim@example.com")],
        )
        .await;
    assert_eq!(status, 200);
    let planted = attacker.cookie("__client").map(str::to_owned).unwrap();
    let mut victim = app.browser();
    victim.jar.insert("__client".into(), planted.clone());

    let signed = sign_in(&mut victim, "victim@example.com").await;
    let sid = created_session(&signed);
    let rotated = victim.cookie("__client").map(str::to_owned).unwrap();
    assert_ne!(rotated, planted, "signing in hands out a new client secret");
    assert!(signed.set_cookies().iter().any(|c| c.contains("HttpOnly")));
    assert_eq!(victim.client().await["response"]["sessions"][0]["id"], sid);
    // The planted secret names no client any more: no session, no token.
    assert_eq!(attacker.client().await["response"], Value::Null);
    let Res { status, body, .. } = attacker.request_token(&sid).await;
    assert!(status >= 400 && body["jwt"].is_null(), "{status}: {body}");

    // Signing out rotates again: whoever read the secret while signed in holds nothing.
    let mut reader = app.browser();
    reader.jar.insert("__client".into(), rotated.clone());
    let Res { status, .. } = victim.delete("/v1/client/sessions").await;
    assert_eq!(status, 200);
    assert_ne!(
        victim.cookie("__client").map(str::to_owned).unwrap(),
        rotated
    );
    assert_eq!(reader.client().await["response"], Value::Null);
    assert!(
        victim.client().await["response"]["sessions"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Signing up: the new account's session is not on the planted client.
    let mut attacker = app.browser();
    attacker
        .post(
            "/v1/client/sign_ins",
            &[("identifier", "victim@example.com")],
        )
        .await;
    let planted = attacker.cookie("__client").map(str::to_owned).unwrap();
    let mut newcomer = app.browser();
    newcomer.jar.insert("__client".into(), planted.clone());
    // Every step answers 200 and the sign-up completes.
    newcomer.sign_up(&app, "new@example.com", None).await;
    assert_ne!(
        newcomer.cookie("__client").map(str::to_owned).unwrap(),
        planted
    );
    assert_eq!(attacker.client().await["response"], Value::Null);
}

#[tokio::test]
async fn a_planted_cookie_on_the_hosted_pages_loses_its_session_and_its_csrf_token() {
    let app = spawn(false).await;
    user(&app, "victim@example.com").await;
    // A wrong password leaves the attacker with a client and a form token bound to its secret.
    let mut attacker = app.web("attacker");
    attacker.open("/sign-in").await.expect(200);
    attacker
        .submit(
            "/sign-in",
            &[
                ("identifier", "victim@example.com"),
                ("password", "wrong-wrong-1"),
            ],
        )
        .await;
    let planted = attacker.cookie("__client").unwrap().to_owned();
    let state = &app.running.state;
    let client_of = |secret: String| async move {
        let t = usher_core::clients::ClientToken::parse(&secret).unwrap();
        state
            .store
            .client_by_token(&state.instance.id, &t.hash())
            .await
            .unwrap()
    };
    assert!(
        client_of(planted.clone()).await.is_some(),
        "the attacker holds a real client"
    );
    let mut victim = app.web("victim");
    victim.jar.insert("__client".into(), planted.clone());
    victim.open("/sign-in").await.expect(200);
    let known_token = victim.csrf.clone().unwrap();
    assert_eq!(
        Some(&known_token),
        attacker.csrf.as_ref(),
        "the attacker can forge forms"
    );

    victim
        .submit(
            "/sign-in",
            &[("identifier", "victim@example.com"), ("password", PASSWORD)],
        )
        .await
        .redirects_to("/user");
    let rotated = victim.cookie("__client").unwrap().to_owned();
    assert_ne!(rotated, planted);
    assert!(client_of(planted.clone()).await.is_none());
    assert!(client_of(rotated).await.is_some());
    victim.open("/user").await.expect(200);
    assert_ne!(
        victim.csrf.as_ref(),
        Some(&known_token),
        "the form token changed"
    );
    // The attacker is not signed in, and their token no longer works in the victim's browser.
    let page = attacker.open("/user").await;
    assert_eq!(page.status.as_u16(), 303);
    assert!(
        page.location().starts_with("/sign-in"),
        "{}",
        page.location()
    );
    victim
        .post_form("/sign-out", &[("csrf_token", &known_token)])
        .await
        .expect(403);
    victim.open("/user").await.expect(200);
}

#[tokio::test]
async fn a_dev_browser_keeps_its_token_through_sign_in_and_sign_out() {
    let app = spawn(false).await;
    user(&app, "dev@example.com").await;
    let mut tab = app.browser();
    let Res { status, body, .. } = tab.post("/v1/dev_browser", &[]).await;
    assert_eq!(status, 200);
    tab.dev_token = Some(body["id"].as_str().unwrap().to_owned());
    let signed = sign_in(&mut tab, "dev@example.com").await;
    let sid = created_session(&signed);
    assert!(
        tab.jar.is_empty(),
        "no cookies for a dev browser: {:?}",
        signed.set_cookies()
    );
    assert_eq!(tab.client().await["response"]["sessions"][0]["id"], sid);
    let Res { status, .. } = tab.delete("/v1/client/sessions").await;
    assert_eq!(status, 200);
    let client = tab.client().await["response"].clone();
    assert!(client["id"].is_string(), "the token still names the client");
    assert!(client["sessions"].as_array().unwrap().is_empty());
}

// ---- enumeration protection -------------------------------------------------------------------

/// A sign-in as an observer compares it: without its own id, timestamps and the identifier.
fn comparable(si: &Value, identifier: &str) -> Value {
    let mut si = si.clone();
    for k in ["id", "abandon_at", "identifier"] {
        si.as_object_mut().unwrap().remove(k);
    }
    if let Some(v) = si["first_factor_verification"].as_object_mut() {
        v.remove("expire_at");
    }
    let text = serde_json::to_string(&si)
        .unwrap()
        .replace(identifier, "<identifier>");
    let mut si: Value = serde_json::from_str(&text).unwrap();
    for f in si["supported_first_factors"].as_array_mut().unwrap() {
        if let Some(id) = f.get_mut("email_address_id") {
            *id = json!("<idn>");
        }
    }
    si
}

fn email_ids(si: &Value) -> Vec<String> {
    si["supported_first_factors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["email_address_id"].as_str().map(str::to_owned))
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::test]
async fn with_enumeration_protection_a_real_account_and_an_unknown_one_answer_alike() {
    let app = spawn(true).await;
    user(&app, "known@example.com").await;
    let mut seen = Vec::new();
    for who in ["known@example.com", "ghost@example.com"] {
        let mut ids = Vec::new();
        let mut shapes = Vec::new();
        for _ in 0..2 {
            let mut tab = app.browser();
            let Res { status, body, .. } = tab
                .post("/v1/client/sign_ins", &[("identifier", who)])
                .await;
            assert_eq!(status, 200, "{body}");
            let si = body["response"].clone();
            let found = email_ids(&si);
            assert_eq!(
                found.len(),
                2,
                "email_code and reset_password_email_code: {si}"
            );
            for id in &found {
                assert!(id.starts_with("idn_") && id.len() == 31, "{id}");
            }
            ids.push(found);
            let id = si["id"].as_str().unwrap().to_owned();
            let path = format!("/v1/client/sign_ins/{id}/prepare_first_factor");
            let wrong = tab
                .post(
                    &path,
                    &[
                        ("strategy", "email_code"),
                        ("email_address_id", "idn_nobody"),
                    ],
                )
                .await;
            let Res {
                status,
                body: prepared,
                ..
            } = tab.post(&path, &[("strategy", "email_code")]).await;
            assert_eq!(status, 200, "{prepared}");
            shapes.push((
                comparable(&si, who),
                comparable(&prepared["response"], who),
                wrong.status,
                wrong.body["errors"][0]["code"].clone(),
            ));
        }
        assert_eq!(
            ids[0], ids[1],
            "{who}'s email address id is the same every time"
        );
        assert_eq!(shapes[0], shapes[1]);
        seen.push(shapes.remove(0));
    }
    assert_eq!(
        seen[0], seen[1],
        "a real account and an unknown one look the same"
    );
    assert_eq!(seen[0].2, 422);
    // Only the real account got its codes (queued just after the answers).
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.emails_to("known@example.com").await.len() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.emails_to("known@example.com").await.len(), 2);
    assert!(app.emails_to("ghost@example.com").await.is_empty());

    // Preparing an emailed code: the medians, printed (timing bounds live in bench/).
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(), Vec::new()];
    for round in 0..50 {
        for (i, who) in ["known@example.com", "ghost@example.com"]
            .iter()
            .enumerate()
        {
            let mut tab = app.browser();
            let Res { body, .. } = tab
                .post("/v1/client/sign_ins", &[("identifier", who)])
                .await;
            let id = body["response"]["id"].as_str().unwrap().to_owned();
            let path = format!("/v1/client/sign_ins/{id}/prepare_first_factor");
            let start = Instant::now();
            let Res { status, .. } = tab.post(&path, &[("strategy", "email_code")]).await;
            times[i].push(start.elapsed());
            assert_eq!(status, 200, "round {round}");
        }
    }
    let (real, ghost) = (median(times[0].clone()), median(times[1].clone()));
    println!(
        "prepare_first_factor email_code median: real {real:?}, unknown {ghost:?}, ratio {:.2}",
        real.as_secs_f64() / ghost.as_secs_f64()
    );
}

/// A strategy Usher does not verify, whether Clerk has it or not, is refused before anything
/// else is looked at, so a real account and an unknown one answer it alike. (Before, a real
/// account answered 400 `client_state_invalid` and an unknown one `form_code_incorrect`.)
#[tokio::test]
async fn with_enumeration_protection_an_unsupported_strategy_is_refused_alike() {
    let app = spawn(true).await;
    user(&app, "known@example.com").await;
    let mut seen = Vec::new();
    for who in ["known@example.com", "ghost@example.com"] {
        let mut tab = app.browser();
        let Res { body, .. } = tab
            .post("/v1/client/sign_ins", &[("identifier", who)])
            .await;
        let id = body["response"]["id"].as_str().unwrap().to_owned();
        let prepare = format!("/v1/client/sign_ins/{id}/prepare_first_factor");
        let Res { status, .. } = tab.post(&prepare, &[("strategy", "email_code")]).await;
        assert_eq!(status, 200);
        let mut answers = Vec::new();
        for strategy in [
            "reset_password_phone_code",
            "oauth_google",
            "no_such_strategy",
        ] {
            for step in ["prepare_first_factor", "attempt_first_factor"] {
                let path = format!("/v1/client/sign_ins/{id}/{step}");
                let Res { status, body, .. } = tab
                    .post(&path, &[("strategy", strategy), ("code", "123456")])
                    .await;
                let e = &body["errors"][0];
                answers.push((status, e["code"].clone(), e["meta"]["param_name"].clone()));
            }
        }
        for a in &answers {
            assert_eq!(
                *a,
                (422, json!("strategy_for_user_invalid"), json!("strategy")),
                "{who}"
            );
        }
        // A supported strategy the account has no identifier for (`phone_code` without a
        // phone number) is answered alike too.
        for step in ["prepare_first_factor", "attempt_first_factor"] {
            let path = format!("/v1/client/sign_ins/{id}/{step}");
            let Res { status, body, .. } = tab
                .post(&path, &[("strategy", "phone_code"), ("code", "123456")])
                .await;
            let e = &body["errors"][0];
            answers.push((status, e["code"].clone(), e["meta"]["param_name"].clone()));
        }
        seen.push(answers);
    }
    assert_eq!(seen[0], seen[1]);
}

/// A sign-up as an observer compares it.
fn comparable_sign_up(su: &Value, email: &str) -> Value {
    let mut su = su.clone();
    let o = su.as_object_mut().unwrap();
    for k in ["id", "abandon_at", "created_at", "updated_at"] {
        o.remove(k);
    }
    if let Some(v) = su["verifications"]["email_address"].as_object_mut() {
        v.remove("expire_at");
    }
    let text = serde_json::to_string(&su)
        .unwrap()
        .replace(email, "<email>");
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn with_enumeration_protection_signing_up_with_a_taken_address_tells_its_owner() {
    let app = spawn(true).await;
    let owner = user(&app, "taken@example.com").await;
    app.patch(&format!("/v1/users/{owner}"), json!({"locale": "fr-FR"}))
        .await
        .ok();
    let mut seen = Vec::new();
    for email in ["taken@example.com", "free@example.com"] {
        let mut tab = app.browser();
        let Res {
            status,
            body: created,
            ..
        } = tab
            .post(
                "/v1/client/sign_ups",
                &[("email_address", email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(status, 200, "{created}");
        let id = created["response"]["id"].as_str().unwrap().to_owned();
        let Res {
            status,
            body: prepared,
            ..
        } = tab.prepare_sign_up(&id, "email_code").await;
        assert_eq!(status, 200, "{prepared}");
        seen.push((
            comparable_sign_up(&created["response"], email),
            comparable_sign_up(&prepared["response"], email),
        ));
        if email.starts_with("taken") {
            // No code was sent, so none is right.
            let Res { status, body, .. } = tab.attempt_sign_up(&id, "email_code", "424242").await;
            assert_eq!(status, 422);
            assert_eq!(body["errors"][0]["code"], "form_code_incorrect");
        }
    }
    assert_eq!(
        seen[0], seen[1],
        "a taken address and a free one answer alike"
    );
    let to_owner = app.emails_to("taken@example.com").await;
    assert_eq!(to_owner.len(), 1);
    assert_eq!(to_owner[0]["slug"], "sign_up_attempt");
    assert_eq!(to_owner[0]["user_id"], owner.as_str());
    assert!(to_owner[0]["data"]["otp_code"].is_null());
    assert!(
        to_owner[0]["subject"]
            .as_str()
            .unwrap()
            .starts_with("Quelqu'un"),
        "in the owner's language: {}",
        to_owner[0]["subject"]
    );
    let to_new = app.emails_to("free@example.com").await;
    assert_eq!(to_new[0]["slug"], "verification_code");
    let users = app.get("/v1/users?email_address=taken@example.com").await;
    assert_eq!(users.list_len(), 1);

    // Without protection the address is refused at once, as on Clerk.
    let plain = spawn(false).await;
    user(&plain, "taken@example.com").await;
    let Res { status, body, .. } = plain
        .browser()
        .post(
            "/v1/client/sign_ups",
            &[
                ("email_address", "taken@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["code"], "form_identifier_exists");
}

// ---- imported digests -------------------------------------------------------------------------

#[tokio::test]
async fn a_frontend_api_sign_in_upgrades_an_imported_bcrypt_digest() {
    let app = spawn(false).await;
    let id = imported_user(&app, "imported@example.com").await;
    assert!(stored_digest(&app, &id).await.starts_with("$2b$"));
    let mut tab = app.browser();
    let Res { status, .. } = tab
        .post(
            "/v1/client/sign_ins",
            &[
                ("identifier", "imported@example.com"),
                ("strategy", "password"),
                ("password", "not-the-password-1"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        stored_digest(&app, &id).await.starts_with("$2b$"),
        "a wrong password upgrades nothing"
    );
    sign_in(&mut tab, "imported@example.com").await;
    let digest = stored_digest(&app, &id).await;
    assert!(
        digest.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{digest}"
    );
    // The upgraded digest still takes the same password.
    let verified = app
        .post(
            &format!("/v1/users/{id}/verify_password"),
            json!({"password": PASSWORD}),
        )
        .await;
    assert_eq!(verified.ok()["verified"], true);
    assert_eq!(
        created_session(&sign_in(&mut app.browser(), "imported@example.com").await).len(),
        32
    );
}

#[tokio::test]
async fn a_hosted_page_sign_in_upgrades_an_imported_bcrypt_digest() {
    let app = spawn(false).await;
    let id = imported_user(&app, "portal@example.com").await;
    let mut web = app.web("pages");
    web.open("/sign-in").await.expect(200);
    web.submit(
        "/sign-in",
        &[("identifier", "portal@example.com"), ("password", PASSWORD)],
    )
    .await
    .redirects_to("/user");
    let digest = stored_digest(&app, &id).await;
    assert!(
        digest.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{digest}"
    );
}
