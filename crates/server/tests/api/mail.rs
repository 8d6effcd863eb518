//! Email: queued with a change, sent over SMTP (to a minimal SMTP sink written here) or logged
//! without SMTP, retried while the server is unreachable, read back through `GET /v1/emails`.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use usher_core::clock::{ManualClock, SystemClock};
use usher_core::mail::{EmailMessage, MailTemplate, compose};
use usher_server::app::context::RequestContext;
use usher_server::app::{Change, mail};
use usher_server::config::ServerConfig;

use crate::common::{App, spawn_with};

const T0: i64 = 1_800_000_000_000;

async fn reply(w: &mut tokio::net::tcp::OwnedWriteHalf, s: &str) {
    let _ = w.write_all(s.as_bytes()).await;
}

/// What the sink received in one SMTP transaction.
#[derive(Debug)]
pub(crate) struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub data: String,
}

/// A minimal SMTP server on loopback: 220, 250 to EHLO/HELO/MAIL/RCPT (or 550 to RCPT when
/// `reject_rcpt`), 354 then 250 for DATA, 221 to QUIT. Each message goes to the channel.
pub(crate) async fn smtp_sink(reject_rcpt: bool) -> (u16, mpsc::UnboundedReceiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read);
                reply(&mut write, "220 sink ESMTP ready\r\n").await;
                let (mut from, mut to) = (String::new(), Vec::new());
                loop {
                    let mut line = String::new();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let upper = line.to_ascii_uppercase();
                    let arg = |prefix: &str| {
                        line[prefix.len()..]
                            .trim()
                            .trim_start_matches('<')
                            .split('>')
                            .next()
                            .unwrap_or("")
                            .to_owned()
                    };
                    if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        reply(&mut write, "250 sink\r\n").await;
                    } else if upper.starts_with("MAIL FROM:") {
                        from = arg("MAIL FROM:");
                        reply(&mut write, "250 ok\r\n").await;
                    } else if upper.starts_with("RCPT TO:") {
                        if reject_rcpt {
                            reply(&mut write, "550 no such user here\r\n").await;
                        } else {
                            to.push(arg("RCPT TO:"));
                            reply(&mut write, "250 ok\r\n").await;
                        }
                    } else if upper.starts_with("DATA") {
                        reply(&mut write, "354 end with <CRLF>.<CRLF>\r\n").await;
                        let mut data = String::new();
                        loop {
                            let mut l = String::new();
                            if lines.read_line(&mut l).await.unwrap_or(0) == 0 {
                                return;
                            }
                            if l == ".\r\n" {
                                break;
                            }
                            data.push_str(l.strip_prefix('.').unwrap_or(&l));
                        }
                        let _ = tx.send(Received {
                            mail_from: std::mem::take(&mut from),
                            rcpt_to: std::mem::take(&mut to),
                            data,
                        });
                        reply(&mut write, "250 ok: queued\r\n").await;
                    } else if upper.starts_with("QUIT") {
                        reply(&mut write, "221 bye\r\n").await;
                        return;
                    } else {
                        reply(&mut write, "250 ok\r\n").await;
                    }
                }
            });
        }
    });
    (port, rx)
}

async fn spawn_mail(
    clock: Arc<dyn usher_core::clock::Clock>,
    tweak: impl FnOnce(&mut ServerConfig),
) -> App {
    spawn_with(clock, |cfg| {
        cfg.webhooks.run_worker = false;
        cfg.mail.run_worker = false;
        tweak(cfg);
    })
    .await
}

impl App {
    /// Queues a verification code for `to` the way a use case does, through a `Change`.
    async fn queue_code(&self, to: &str, code: &str) -> EmailMessage {
        let state = &self.running.state;
        let msg = compose(
            &MailTemplate::VerificationCode { code: code.into() },
            None,
            "Acme",
            to,
            Some(&usher_core::ids::IdentificationId::from_stored("idn_test")),
            Some(&usher_core::ids::UserId::from_stored("user_test")),
            state.now(),
        );
        let ctx = RequestContext::system("test");
        let mut change = Change::new(state, &ctx);
        mail::queue(&mut change, msg.clone());
        change.commit("email.create", Some(&msg.id)).await.unwrap();
        msg
    }

    async fn email(&self, id: &str) -> Value {
        self.get(&format!("/v1/emails/{id}")).await.ok().clone()
    }

    async fn drain_mail(&self) -> usize {
        self.running.drain_mail().await.unwrap()
    }
}

#[tokio::test]
async fn without_smtp_emails_are_logged_listed_and_announced() {
    let app = spawn_mail(Arc::new(SystemClock), |_| {}).await;
    let first = app.queue_code("Jane@Example.com", "111111").await;
    let second = app.queue_code("bob@example.com", "222222").await;

    // Queued until the worker runs.
    assert_eq!(app.email(&first.id).await["status"], "queued");
    assert_eq!(app.drain_mail().await, 2);
    assert_eq!(app.drain_mail().await, 0);

    let listed = app.get("/v1/emails").await.ok().clone();
    assert_eq!(listed["total_count"], 2);
    let data = listed["data"].as_array().unwrap();
    assert_eq!(data[0]["id"], second.id.as_str(), "newest first");
    assert_eq!(data[1]["id"], first.id.as_str());
    let e = &data[1];
    assert_eq!(e["object"], "email");
    assert_eq!(e["status"], "logged");
    assert_eq!(e["attempts"], 1);
    assert_eq!(e["last_error"], Value::Null);
    assert_eq!(e["slug"], "verification_code");
    assert_eq!(e["to_email_address"], "Jane@Example.com");
    assert_eq!(e["email_address_id"], "idn_test");
    assert_eq!(e["user_id"], "user_test");
    assert_eq!(e["subject"], "111111 is your verification code");
    assert!(e["body_plain"].as_str().unwrap().contains("111111"));
    assert!(e["body"].as_str().unwrap().starts_with("<!DOCTYPE html>"));
    assert_eq!(e["data"]["otp_code"], "111111");
    assert_eq!(e["data"]["app"]["name"], "Acme");
    assert_eq!(e["from_email_name"], "no-reply");
    assert_eq!(e["reply_to_email_name"], Value::Null);
    assert_eq!(e["delivered_by_clerk"], false, "nobody sends it: no SMTP");
    assert!(e["created_at"].is_i64() && e["updated_at"].is_i64());

    // By recipient, case-insensitively; paged; one by id.
    let jane = app.get("/v1/emails?email_address=jane%40EXAMPLE.com").await;
    assert_eq!(jane.ok()["total_count"], 1);
    assert_eq!(jane.body["data"][0]["id"], first.id.as_str());
    let page = app.get("/v1/emails?limit=1&offset=1").await;
    assert_eq!(page.ok()["total_count"], 2);
    assert_eq!(page.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(page.body["data"][0]["id"], first.id.as_str());
    assert_eq!(app.email(&second.id).await["status"], "logged");

    // Clerk-shaped errors.
    app.get("/v1/emails/ema_2abcdefghijklmnopqrstuvwxyz")
        .await
        .err(404, "resource_not_found");
    app.get("/v1/emails/not-an-id")
        .await
        .err(404, "resource_not_found");
    app.get("/v1/emails?limit=0")
        .await
        .err(400, "form_param_value_invalid");
    let r = app
        .send_raw(reqwest::Method::GET, "/v1/emails", None, None)
        .await;
    assert_eq!(r.status, 401);

    // email.created, Clerk's Email object as it was when queued, committed with the email.
    let events = app.events().await;
    let created: Vec<_> = events
        .iter()
        .filter(|e| e.event_type == "email.created")
        .collect();
    assert_eq!(created.len(), 2);
    let d = &created[0].data;
    assert_eq!(d["object"], "email");
    assert_eq!(d["id"], first.id.as_str());
    assert_eq!(d["status"], "queued");
    assert_eq!(d["slug"], "verification_code");
    assert_eq!(d["to_email_address"], "Jane@Example.com");
    assert_eq!(d["subject"], "111111 is your verification code");
    assert_eq!(d["data"]["otp_code"], "111111");
    assert_eq!(d["from_email_name"], "no-reply");
    assert_eq!(d["delivered_by_clerk"], false);
    for field in [
        "email_address_id",
        "user_id",
        "body",
        "body_plain",
        "reply_to_email_name",
    ] {
        assert!(d.get(field).is_some(), "{field}");
    }
    assert!(
        d.get("attempts").is_none(),
        "the webhook payload is Clerk's shape"
    );
}

#[tokio::test]
async fn a_commit_wakes_the_mail_worker() {
    // The worker would not look again for a minute: only the commit's doorbell brings it.
    let app = spawn_with(Arc::new(SystemClock), |cfg| {
        cfg.webhooks.run_worker = false;
        cfg.mail.poll_interval = Duration::from_secs(60);
    })
    .await;
    // Let the worker finish its first pass and go to sleep.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let msg = app.queue_code("wake@example.com", "333333").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if app.email(&msg.id).await["status"] == "logged" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "not woken");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn with_smtp_emails_are_sent() {
    let (port, mut inbox) = smtp_sink(false).await;
    let app = spawn_mail(Arc::new(SystemClock), |cfg| {
        cfg.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}?tls=none"));
        cfg.mail.from = "Acme <hello@acme.test>".into();
    })
    .await;
    let msg = app.queue_code("jane@example.com", "424242").await;
    assert_eq!(app.drain_mail().await, 1);

    let got = tokio::time::timeout(Duration::from_secs(30), inbox.recv())
        .await
        .expect("the sink received the message")
        .unwrap();
    assert_eq!(got.mail_from, "hello@acme.test");
    assert_eq!(got.rcpt_to, ["jane@example.com"]);
    let data = &got.data;
    assert!(
        data.contains("Subject: 424242 is your verification code\r\n"),
        "{data}"
    );
    assert!(data.contains("From: Acme <hello@acme.test>\r\n"), "{data}");
    assert!(data.contains("To: jane@example.com\r\n"), "{data}");
    assert!(
        data.contains(&format!("Message-ID: <{}@acme.test>", msg.id)),
        "{data}"
    );
    assert!(data.contains("multipart/alternative"), "{data}");
    assert!(
        data.contains("424242 is your verification code for Acme."),
        "the code is in the body: {data}"
    );
    assert!(data.contains("text/html"), "{data}");

    let e = app.email(&msg.id).await;
    assert_eq!(e["status"], "sent");
    assert_eq!(e["attempts"], 1);
    assert_eq!(e["from_email_name"], "hello");
    assert_eq!(e["delivered_by_clerk"], true, "the server sends it itself");
    assert_eq!(app.drain_mail().await, 0, "sent once");
}

#[tokio::test]
async fn a_refused_recipient_fails_at_once() {
    let (port, _inbox) = smtp_sink(true).await;
    let app = spawn_mail(Arc::new(SystemClock), |cfg| {
        cfg.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}?tls=none"));
    })
    .await;
    let msg = app.queue_code("nobody@example.com", "555555").await;
    assert_eq!(app.drain_mail().await, 1);
    let e = app.email(&msg.id).await;
    assert_eq!(e["status"], "failed", "{e}");
    assert_eq!(e["attempts"], 1);
    assert!(
        e["last_error"].as_str().unwrap().contains("550"),
        "{}",
        e["last_error"]
    );
}

#[tokio::test]
async fn an_unreachable_smtp_server_is_retried_then_the_email_fails_intact() {
    // A port nothing listens on.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().port()
    };
    let clock = Arc::new(ManualClock::new(T0));
    let app = spawn_mail(clock.clone(), |cfg| {
        cfg.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}?tls=none"));
        cfg.mail.retry_delays = vec![Duration::from_secs(5), Duration::from_secs(30)];
        cfg.mail.timeout = Duration::from_secs(5);
    })
    .await;
    let msg = app.queue_code("jane@example.com", "777777").await;

    assert_eq!(app.drain_mail().await, 1);
    let e = app.email(&msg.id).await;
    assert_eq!(e["status"], "queued", "kept for a retry: {e}");
    assert_eq!(e["attempts"], 1);
    assert!(e["last_error"].is_string());
    assert_eq!(app.drain_mail().await, 0, "not before its retry delay");

    clock.advance(4_999);
    assert_eq!(app.drain_mail().await, 0);
    clock.advance(1);
    assert_eq!(app.drain_mail().await, 1);
    assert_eq!(app.email(&msg.id).await["attempts"], 2);
    clock.advance(30_000);
    assert_eq!(app.drain_mail().await, 1);
    clock.advance(3_600_000);
    assert_eq!(app.drain_mail().await, 0, "no retries left");

    // Failed, with everything it was: nothing is lost.
    let e = app.email(&msg.id).await;
    assert_eq!(e["status"], "failed");
    assert_eq!(e["attempts"], 3);
    assert!(e["last_error"].is_string());
    assert_eq!(e["subject"], "777777 is your verification code");
    assert!(e["body_plain"].as_str().unwrap().contains("777777"));
    assert_eq!(e["created_at"], T0);
    assert_eq!(e["updated_at"], T0 + 35_000);
    let listed = app
        .get("/v1/emails?email_address=jane@example.com")
        .await
        .ok()
        .clone();
    assert_eq!(listed["total_count"], 1);
    assert!(
        app.events()
            .await
            .iter()
            .any(|ev| ev.event_type == "email.created" && ev.data["id"] == msg.id.as_str())
    );
}
