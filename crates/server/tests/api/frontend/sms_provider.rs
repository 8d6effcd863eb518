//! Texts delivered through a Twilio-compatible provider. The provider here is a real HTTP
//! server on loopback that checks what Twilio's Messages API checks (the path with the account
//! SID, HTTP Basic auth, a form body of `To`, `From` and `Body`) and answers as Twilio does: 201
//! with the message's `sid`, a 500 that a retry gets past, a 400 that fails the text for good.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use axum::extract::State as AxumState;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use base64::Engine as _;
use usher_server::outbound::sms::TwilioConfig;

use super::*;

const SID: &str = "ACtest0123456789";
const TOKEN: &str = "twilio-auth-token";
const FROM: &str = "+14155550100";

/// What the provider received, and the answers it gives each number in turn (201 once the
/// script runs out).
#[derive(Default)]
struct Provider {
    received: Mutex<Vec<HashMap<String, String>>>,
    script: Mutex<HashMap<String, VecDeque<u16>>>,
}

async fn messages(
    AxumState(p): AxumState<Arc<Provider>>,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> impl IntoResponse {
    let expected_auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"))
    );
    let twilio_error = |status: u16, code: i64, message: &str| {
        (
            StatusCode::from_u16(status).unwrap(),
            axum::Json(json!({"code": code, "message": message, "status": status})),
        )
    };
    if uri.path() != format!("/2010-04-01/Accounts/{SID}/Messages.json") {
        return twilio_error(404, 20404, "The requested resource was not found");
    }
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&expected_auth) {
        return twilio_error(401, 20003, "Authenticate");
    }
    if headers.get("content-type").and_then(|v| v.to_str().ok())
        != Some("application/x-www-form-urlencoded")
    {
        return twilio_error(415, 20415, "Unsupported media type");
    }
    let form: HashMap<String, String> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    for field in ["To", "From", "Body"] {
        if !form.contains_key(field) {
            return twilio_error(400, 21604, "A required parameter is missing");
        }
    }
    let to = form["To"].clone();
    p.received.lock().unwrap().push(form);
    let status = p
        .script
        .lock()
        .unwrap()
        .get_mut(&to)
        .and_then(|s| s.pop_front())
        .unwrap_or(201);
    match status {
        201 => {
            let n = p.received.lock().unwrap().len();
            (
                StatusCode::CREATED,
                axum::Json(json!({
                    "sid": format!("SM{n:032}"),
                    "status": "queued",
                    "to": to,
                    "from": FROM,
                })),
            )
        }
        400 => twilio_error(400, 21211, "The 'To' number is not a valid phone number."),
        other => twilio_error(other, 20500, "An internal server error has occurred"),
    }
}

async fn start_provider(p: Arc<Provider>) -> String {
    let app = axum::Router::new()
        .route("/{*rest}", axum::routing::post(messages))
        .with_state(p);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

async fn texts_to(env: &Env, number: &str) -> Value {
    env.bapi_get(&format!("/v1/sms_messages?phone_number={}", pct(number)))
        .await
        .ok()["data"][0]
        .clone()
}

#[tokio::test]
async fn codes_are_sent_through_the_provider_retried_and_failed_for_good() {
    let provider = Arc::new(Provider::default());
    let ok = "+447700900201";
    let flaky = "+447700900202";
    let refused = "+447700900203";
    provider.script.lock().unwrap().extend([
        (flaky.to_owned(), VecDeque::from([500])),
        (refused.to_owned(), VecDeque::from([400])),
    ]);
    let base = start_provider(provider.clone()).await;
    let env = spawn_tweaked(Kind::Production, |cfg| {
        cfg.sms.provider = Some(
            TwilioConfig::from_parts(
                &base,
                Some(SID.into()),
                Some(TOKEN.into()),
                Some(FROM.into()),
            )
            .unwrap(),
        );
        cfg.sms.run_worker = false;
        cfg.sms.retry_delays = vec![std::time::Duration::from_secs(5)];
    })
    .await;
    let user = env
        .bapi(
            reqwest::Method::POST,
            "/v1/users",
            Some(
                json!({"email_address": ["pat@example.com"], "phone_number": [ok, flaky, refused],
                "password": PASSWORD}),
            ),
        )
        .await
        .ok()
        .clone();
    let ids = each_str(&user["phone_numbers"], "id");
    let mut b = env.browser();
    let id = b.start_sign_in("pat@example.com").await;
    // The flaky number last: its code is the one the sign-in waits for.
    for pid in [&ids[0], &ids[2], &ids[1]] {
        b.post(
            &format!("/v1/client/sign_ins/{id}/prepare_first_factor"),
            &[("strategy", "phone_code"), ("phone_number_id", pid)],
        )
        .await
        .ok();
    }
    // Queued with the step; the provider is reached by the worker, not the request.
    assert!(provider.received.lock().unwrap().is_empty());
    let queued = texts_to(&env, ok).await;
    assert_eq!(queued["status"], "queued");
    assert_eq!(queued["delivered_by_clerk"], true);
    let created: Vec<_> = env
        .app
        .events()
        .await
        .into_iter()
        .filter(|e| e.event_type == "sms.created")
        .collect();
    assert_eq!(created.len(), 3, "the webhook still announces each text");
    assert_eq!(created[0].data["delivered_by_clerk"], true);

    assert_eq!(env.app.running.drain_sms().await.unwrap(), 3);
    let received = provider.received.lock().unwrap().clone();
    assert_eq!(received.len(), 3);
    let first = &received[0];
    assert_eq!(first["To"], ok);
    assert_eq!(first["From"], FROM);
    let code = texts_to(&env, ok).await["data"]["otp_code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(first["Body"].contains(&code), "{first:?}");
    let sent = texts_to(&env, ok).await;
    assert_eq!(sent["status"], "sent");
    assert_eq!(sent["provider_sid"], format!("SM{:032}", 1));
    let failed = texts_to(&env, refused).await;
    assert_eq!(failed["status"], "failed", "a 400 is permanent");
    assert!(
        failed["last_error"].as_str().unwrap().contains("21211"),
        "{failed}"
    );
    let waiting = texts_to(&env, flaky).await;
    assert_eq!(waiting["status"], "queued", "a 500 is retried: {waiting}");
    assert_eq!(waiting["attempts"], 1);

    // Not due before its delay; then the retry goes through.
    assert_eq!(env.app.running.drain_sms().await.unwrap(), 0);
    env.clock.advance(6_000);
    assert_eq!(env.app.running.drain_sms().await.unwrap(), 1);
    let retried = texts_to(&env, flaky).await;
    assert_eq!(retried["status"], "sent", "{retried}");
    assert_eq!(retried["attempts"], 2);
    assert_eq!(provider.received.lock().unwrap().len(), 4);
    assert_eq!(
        env.app.running.drain_sms().await.unwrap(),
        0,
        "nothing left"
    );

    // The code that went through the provider signs the user in.
    let code = texts_to(&env, flaky).await["data"]["otp_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = b.attempt_first_factor(&id, "phone_code", &code).await;
    assert_eq!(r.ok()["response"]["status"], "complete", "{}", r.raw);
}
