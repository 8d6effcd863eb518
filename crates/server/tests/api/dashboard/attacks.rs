//! Attacks on the dashboard itself: a forged POST to every write route its router declares
//! (read from the router's source, so a new route can't be left out) refused without the
//! session's token, with a wrong one, with another operator's, and from another site, changing
//! nothing; a session cookie planted before sign-in is not the one after; and one client address
//! spraying wrong codes over several operators is throttled whatever address it tries next.

use std::collections::BTreeSet;

use serde_json::json;
use usher_core::mfa::totp;
use usher_core::operators::{LOCKOUT_WINDOW_MS, MAX_ADDRESS_FAILURES, MAX_FAILURES, Role};

use super::{OPERATOR_PASSWORD, assert_secure_headers, post_password, spawn};
use crate::common::Browser;

const ROUTER: &str = include_str!("../../../src/dashboard/mod.rs");

/// A write route as the router declares it, the path to post to, and the form's fields.
type Write<'a> = (&'a str, String, Vec<(&'a str, &'a str)>);
const COOKIE: &str = "__usher_dashboard";

/// The paths of the router's routes that accept POST.
fn post_routes() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for chunk in ROUTER.split(".route(").skip(1) {
        let Some(start) = chunk.find('"') else {
            continue;
        };
        let rest = &chunk[start + 1..];
        let Some(end) = rest.find('"') else { continue };
        let path = &rest[..end];
        // The route's handlers run up to the next route (or the router's end).
        let handlers = chunk.split(".layer(").next().unwrap_or(chunk);
        if handlers.contains("post(") {
            out.insert(path.to_owned());
        }
    }
    out
}

#[tokio::test]
async fn every_write_route_refuses_a_forged_post_and_changes_nothing() {
    let d = spawn().await;
    let secret = d.operator("ada@example.com", Role::Admin).await;
    let eve_secret = d.operator("eve@example.com", Role::Admin).await;
    let u = d
        .user(json!({"email_address": ["target@example.com"], "skip_password_requirement": true}))
        .await;
    let uid = u["id"].as_str().unwrap().to_owned();
    let ep = d
        .app
        .post(
            "/v1/webhooks/endpoints",
            json!({"url": "https://hooks.example.com/in", "events": ["user.deleted"]}),
        )
        .await;
    let ep = ep.ok()["id"].as_str().unwrap().to_owned();
    let t = d
        .app
        .post("/v1/jwt_templates", json!({"name": "crm", "claims": {}}))
        .await;
    let tid = t.ok()["id"].as_str().unwrap().to_owned();

    // Each write route with the fields of a real, damaging write.
    let user_act = format!("/dashboard/users/{uid}/act");
    let metadata = format!("/dashboard/users/{uid}/metadata");
    let hook_act = format!("/dashboard/webhooks/{ep}/act");
    let template = format!("/dashboard/jwt-templates/{tid}");
    let writes: Vec<Write> = vec![
        (
            "/dashboard/users/new",
            "/dashboard/users/new".into(),
            vec![("email_address", "planted@example.com")],
        ),
        (
            "/dashboard/users/{user_id}/metadata",
            metadata.clone(),
            vec![
                ("public_metadata", "{\"role\":\"owner\"}"),
                ("private_metadata", "{}"),
                ("unsafe_metadata", "{}"),
            ],
        ),
        (
            "/dashboard/users/{user_id}/act",
            user_act.clone(),
            vec![("action", "ban")],
        ),
        (
            "/dashboard/webhooks/{endpoint_id}/act",
            hook_act.clone(),
            vec![("action", "url"), ("url", "https://evil.example/steal")],
        ),
        (
            "/dashboard/keys/act",
            "/dashboard/keys/act".into(),
            vec![("action", "rotate-signing")],
        ),
        (
            "/dashboard/jwt-templates/session",
            "/dashboard/jwt-templates/session".into(),
            vec![("claims", "{\"evil\":true}")],
        ),
        (
            "/dashboard/jwt-templates/{template_id}",
            template.clone(),
            vec![
                ("name", "crm"),
                ("claims", "{\"evil\":true}"),
                ("lifetime", "60"),
                ("allowed_clock_skew", "5"),
            ],
        ),
        (
            "/dashboard/settings",
            "/dashboard/settings".into(),
            vec![("key", "application_name"), ("value", "Owned")],
        ),
        (
            "/dashboard/sessions/sign-out",
            "/dashboard/sessions/sign-out".into(),
            vec![("session_id", "sess_whatever")],
        ),
        (
            "/dashboard/templates/{template_type}/{slug}",
            "/dashboard/templates/email/verification_code".into(),
            vec![("action", "toggle")],
        ),
        (
            "/dashboard/domains",
            "/dashboard/domains".into(),
            vec![("action", "add"), ("name", "evil.example")],
        ),
        (
            "/dashboard/sign-out",
            "/dashboard/sign-out".into(),
            Vec::new(),
        ),
    ];
    // The sign-in steps run before there is a session (and a token): they take only
    // same-origin posts, checked below.
    let pre_session = ["/dashboard/sign-in", "/dashboard/sign-in/code"];
    let covered: BTreeSet<String> = writes
        .iter()
        .map(|(r, _, _)| (*r).to_owned())
        .chain(pre_session.iter().map(|r| (*r).to_owned()))
        .collect();
    assert_eq!(
        covered,
        post_routes(),
        "every POST route of the dashboard's router is attacked here"
    );

    let mut b = d.sign_in("ada@example.com", &secret).await;
    let mut eve = d.sign_in("eve@example.com", &eve_secret).await;
    eve.open("/dashboard/users").await.expect(200);
    let eves_token = eve.csrf.clone().unwrap();
    b.open("/dashboard/users").await.expect(200);
    let mine = b.csrf.clone().unwrap();
    let ins = d.app.running.state.instance.id.clone();
    let audited = || async {
        d.app
            .running
            .state
            .store
            .audit_log(&ins, 500)
            .await
            .unwrap()
            .len()
    };
    let before = audited().await;
    let app_name = d.app.environment().await["display_config"]["application_name"].clone();

    for (route, path, fields) in &writes {
        let bad_tokens = [None, Some(""), Some("AAAA"), Some(eves_token.as_str())];
        for token in bad_tokens {
            let mut all = fields.clone();
            if let Some(t) = token {
                all.push(("csrf_token", t));
            }
            let page = b.post_form(path, &all).await;
            assert_eq!(page.status, 403, "{route} with token {token:?}");
            assert_secure_headers(&page);
        }
        // The right token, from another site.
        let mut cross = b.tab();
        cross.origin = Some("https://evil.example".into());
        let mut all = fields.clone();
        all.push(("csrf_token", mine.as_str()));
        let page = cross.post_form(path, &all).await;
        assert_eq!(page.status, 403, "{route} from another site");
    }
    for path in pre_session {
        let mut cross = d.browser();
        cross.origin = Some("https://evil.example".into());
        let page = cross
            .post_form(
                path,
                &[
                    ("email", "ada@example.com"),
                    ("password", OPERATOR_PASSWORD),
                    ("code", "123456"),
                ],
            )
            .await;
        assert_eq!(page.status, 403, "{path} from another site");
        assert_eq!(cross.cookie(COOKIE), None, "{path}: no session started");
    }

    // Nothing changed: no audit entry, the user, endpoint, template and settings as they were,
    // and the operator still signed in.
    assert_eq!(audited().await, before, "no write went through");
    let user = d.app.get(&format!("/v1/users/{uid}")).await;
    assert_eq!(user.ok()["banned"], false);
    assert_eq!(user.ok()["public_metadata"], json!({}));
    let hook = d.app.get(&format!("/v1/webhooks/endpoints/{ep}")).await;
    assert_eq!(hook.ok()["url"], "https://hooks.example.com/in");
    let t = d.app.get(&format!("/v1/jwt_templates/{tid}")).await;
    assert_eq!(t.ok()["claims"], json!({}));
    assert_eq!(
        d.app.environment().await["display_config"]["application_name"],
        app_name
    );
    let email = d.app.get("/v1/templates/email/verification_code").await;
    assert_eq!(email.ok()["delivered_by_clerk"], true);
    let domains = d.app.get("/v1/domains").await;
    assert_eq!(domains.ok()["total_count"], 1, "the primary domain only");
    let listed = d
        .app
        .get("/v1/users?email_address=planted@example.com")
        .await;
    assert_eq!(listed.ok().as_array().map(Vec::len), Some(0));
    b.open("/dashboard/users").await.expect(200);

    // The same forms with the session's own token, from this origin, go through.
    b.submit(&user_act, &[("action", "ban")])
        .await
        .redirects_to(&format!("/dashboard/users/{uid}?done=ban"));
    assert!(audited().await > before);
    b.open("/dashboard/users").await.expect(200);
    b.submit("/dashboard/sign-out", &[])
        .await
        .redirects_to("/dashboard/sign-in?notice=signed_out");
}

#[tokio::test]
async fn a_session_cookie_planted_before_sign_in_is_not_the_one_after() {
    let d = spawn().await;
    let secret = d.operator("ada@example.com", Role::Admin).await;
    let planted = "attacker-chosen-token-0123456789abcdef";
    let mut b = d.browser();
    b.jar.insert(COOKIE.into(), planted.into());
    b.open("/dashboard/users")
        .await
        .redirects_to("/dashboard/sign-in");
    b.jar.insert(COOKIE.into(), planted.into());
    d.clock.advance(totp::STEP_SECS * 1000);
    post_password(&mut b, "ada@example.com", OPERATOR_PASSWORD)
        .await
        .redirects_to("/dashboard/sign-in/code");
    let pending = b.cookie(COOKIE).unwrap().to_owned();
    assert_ne!(
        pending, planted,
        "the password step sets a token of its own"
    );
    b.post_form("/dashboard/sign-in/code", &[("code", &d.code(&secret))])
        .await
        .redirects_to("/dashboard/users");
    let signed_in = b.cookie(COOKIE).unwrap().to_owned();
    assert_ne!(signed_in, planted);
    assert_ne!(signed_in, pending, "the code step issues a new token");
    b.open("/dashboard/users").await.expect(200);

    // Neither the planted value nor the token seen before the code opens anything.
    for token in [planted, pending.as_str()] {
        let mut other = d.browser();
        other.jar.insert(COOKIE.into(), token.into());
        other
            .open("/dashboard/users")
            .await
            .redirects_to("/dashboard/sign-in");
        other
            .open("/dashboard/sign-in/code")
            .await
            .redirects_to("/dashboard/sign-in");
    }
}

#[tokio::test]
async fn one_address_spraying_guesses_over_operators_is_throttled() {
    let d = spawn().await;
    // Wrong codes after a right password: a failure each without an Argon2 hash each.
    let per_operator = MAX_FAILURES;
    let operators = MAX_ADDRESS_FAILURES.div_ceil(per_operator);
    let mut secrets = Vec::new();
    for i in 0..=operators {
        let email = format!("op{i}@example.com");
        let secret = d.operator(&email, Role::Support).await;
        secrets.push((email, secret));
    }
    let (last_email, last_secret) = secrets.pop().unwrap();
    for (email, secret) in &secrets {
        let mut b = d.browser();
        post_password(&mut b, email, OPERATOR_PASSWORD)
            .await
            .redirects_to("/dashboard/sign-in/code");
        let right = d.code(secret);
        let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
        for _ in 0..per_operator {
            b.post_form("/dashboard/sign-in/code", &[("code", &wrong)])
                .await
                .expect(401);
        }
    }
    // Another operator, never guessed at, with the right password: refused from this address.
    let mut b = d.browser();
    let page = post_password(&mut b, &last_email, OPERATOR_PASSWORD).await;
    page.expect(429);
    assert!(
        page.body.contains("Too many failed attempts"),
        "{}",
        page.body
    );
    assert_eq!(b.cookie(COOKIE), None);

    // The throttle lapses with its window.
    d.clock.advance(LOCKOUT_WINDOW_MS + 60_000);
    let mut b: Browser = d.sign_in(&last_email, &last_secret).await;
    b.open("/dashboard/users").await.expect(200);
}
