//! The mail worker.
//!
//! An email is queued in the transaction of the change that caused it (with its
//! `email.created` event), so nothing committed is lost. The worker reads the queue oldest
//! first, claims each due message (a conditional UPDATE with an expiring lease: workers on
//! several nodes never send one twice, and a crashed worker's message is sent again), sends it
//! with no transaction open, and records the outcome in its own short write.
//!
//! With SMTP configured a message ends `sent`, or `failed` after a permanent refusal (5xx, a
//! malformed address) or once its retries are spent; a failure that may pass (refused
//! connection, timeout, 4xx) is retried after `MailConfig::retry_delays`. Without SMTP every
//! message is written to the log instead and ends `logged`: in development with its subject
//! and body, so the code is in the `usher serve` output; in production without them, since
//! logs are no place for codes.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use usher_core::instance::Environment;
use usher_core::mail::{self, EmailMessage, EmailStatus};

use crate::config::MailConfig;
use crate::state::AppState;

/// Queued messages read at a time.
const BATCH: i64 = 64;
/// Messages sent at once.
const CONCURRENCY: usize = 4;

/// How to reach the SMTP server, from `MailConfig::smtp_url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpTarget {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub credentials: Option<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtp://`: the server must offer STARTTLS, or nothing is sent.
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Tls,
    /// `smtp://…?tls=none`: plain text, for a local sink.
    None,
}

impl SmtpTarget {
    /// Parses `smtp://[user:pass@]host[:port][?tls=none]` or `smtps://[user:pass@]host[:port]`.
    /// Credentials over plain text are refused unless the host is this machine.
    pub fn parse(raw: &str) -> anyhow::Result<Self> {
        let url = url::Url::parse(raw.trim()).context("not a URL")?;
        let mut tls_param = None;
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "tls" => tls_param = Some(v.into_owned()),
                other => bail!("unknown parameter {other:?} (only tls=none is understood)"),
            }
        }
        let security = match (url.scheme(), tls_param.as_deref()) {
            ("smtp", None | Some("required")) => SmtpSecurity::StartTls,
            ("smtp", Some("none")) => SmtpSecurity::None,
            ("smtps", None) => SmtpSecurity::Tls,
            ("smtp" | "smtps", Some(other)) => {
                bail!("tls={other} is not understood (smtp://…?tls=none sends in plain text)")
            }
            (scheme, _) => bail!("the scheme must be smtp or smtps, not {scheme:?}"),
        };
        let host = match url.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(h) => h.to_string(),
            None => bail!("no host"),
        };
        let port = url.port().unwrap_or(match security {
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        });
        let decode = |s: &str| {
            percent_decode(s).context("the user name and password must be percent-encoded UTF-8")
        };
        let credentials = match (url.username(), url.password()) {
            ("", None) => None,
            (user, Some(pass)) => Some((decode(user)?, decode(pass)?)),
            (_, None) => bail!("a user name needs a password (smtp://user:pass@host)"),
        };
        if credentials.is_some() && security == SmtpSecurity::None && !is_loopback(&host) {
            bail!(
                "refusing to send SMTP credentials in plain text to {host}: use smtp:// (STARTTLS) or smtps://"
            );
        }
        Ok(Self {
            host,
            port,
            security,
            credentials,
        })
    }

    /// For logs: never the password.
    pub fn describe(&self) -> String {
        let scheme = match self.security {
            SmtpSecurity::StartTls => "smtp (STARTTLS)",
            SmtpSecurity::Tls => "smtps",
            SmtpSecurity::None => "smtp (plain text)",
        };
        let user = self
            .credentials
            .as_ref()
            .map(|(u, _)| format!("{u}@"))
            .unwrap_or_default();
        format!("{scheme} {user}{}:{}", self.host, self.port)
    }
}

fn percent_decode(s: &str) -> anyhow::Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).context("a truncated escape")?;
            let hex = std::str::from_utf8(hex)?;
            out.push(u8::from_str_radix(hex, 16)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8(out)?)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    target: SmtpTarget,
}

struct Inner {
    cfg: MailConfig,
    smtp: Option<Smtp>,
    from: Mailbox,
    from_email_name: String,
    /// Where Message-IDs live: the sender's domain.
    from_domain: String,
    retry_delays_ms: Vec<i64>,
    wake: Notify,
}

/// The worker's shared parts: its settings, the SMTP transport, and the doorbell that commits
/// ring so that a code goes out at once.
#[derive(Clone)]
pub struct MailRuntime(Arc<Inner>);

impl MailRuntime {
    pub fn new(cfg: MailConfig) -> anyhow::Result<Self> {
        let from: Mailbox =
            cfg.from.trim().parse().with_context(|| {
                format!("USHER_MAIL_FROM: {:?} is not an email sender", cfg.from)
            })?;
        let smtp = match cfg.smtp_url.as_deref().filter(|u| !u.trim().is_empty()) {
            None => None,
            Some(raw) => {
                let target = SmtpTarget::parse(raw).context("USHER_SMTP_URL")?;
                Some(Smtp {
                    transport: transport(&target, cfg.timeout).context("USHER_SMTP_URL")?,
                    target,
                })
            }
        };
        let retry_delays_ms = cfg
            .retry_delays
            .iter()
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .collect();
        Ok(Self(Arc::new(Inner {
            from_email_name: from.email.user().to_owned(),
            from_domain: from.email.domain().to_owned(),
            from,
            smtp,
            retry_delays_ms,
            cfg,
            wake: Notify::new(),
        })))
    }

    /// A commit queued email: send now rather than at the next poll.
    pub fn wake(&self) {
        self.0.wake.notify_one();
    }

    pub fn config(&self) -> &MailConfig {
        &self.0.cfg
    }

    /// Whether email goes out over SMTP (else it is only logged).
    pub fn smtp_configured(&self) -> bool {
        self.0.smtp.is_some()
    }

    /// The local part of the sender (Clerk's `from_email_name`).
    pub fn from_email_name(&self) -> &str {
        &self.0.from_email_name
    }

    fn lease_ms(&self) -> i64 {
        let t = i64::try_from(self.0.cfg.timeout.as_millis()).unwrap_or(30_000);
        (t * 4).max(60_000)
    }
}

fn transport(
    target: &SmtpTarget,
    timeout: Duration,
) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(target.host.clone())
        .port(target.port)
        .timeout(Some(timeout));
    b = match target.security {
        SmtpSecurity::StartTls => b.tls(Tls::Required(TlsParameters::new(target.host.clone())?)),
        SmtpSecurity::Tls => b.tls(Tls::Wrapper(TlsParameters::new(target.host.clone())?)),
        SmtpSecurity::None => b.tls(Tls::None),
    };
    if let Some((user, pass)) = &target.credentials {
        b = b.credentials(Credentials::new(user.clone(), pass.clone()));
    }
    Ok(b.build())
}

/// Runs until `stop`: sends what is due whenever a commit rings or the poll interval passes.
pub async fn run(state: AppState, mut stop: watch::Receiver<bool>) {
    let rt = state.mail.clone();
    match &rt.0.smtp {
        Some(smtp) => tracing::info!(
            smtp = %smtp.target.describe(),
            from = %rt.0.from,
            "email is sent over SMTP"
        ),
        None if state.instance.environment == Environment::Production => tracing::warn!(
            "no SMTP server is configured (USHER_SMTP_URL): emails such as verification codes \
             are not sent, only recorded (GET /v1/emails) and announced by the email.created \
             webhook, whose receiver may deliver them"
        ),
        None => tracing::info!(
            "no SMTP server is configured (USHER_SMTP_URL): emails are written to this log \
             instead of being sent"
        ),
    }
    loop {
        if let Err(e) = drain(&state).await {
            tracing::warn!(error = %format!("{e:#}"), "could not process the email queue");
        }
        tokio::select! {
            _ = stop.wait_for(|s| *s) => break,
            _ = rt.0.wake.notified() => {}
            _ = tokio::time::sleep(rt.0.cfg.poll_interval) => {}
        }
    }
}

/// The test hook (and one pass of the worker): attempts every queued email that is due now and
/// returns how many attempts were made. Retries are not due until the clock reaches them.
pub async fn drain(state: &AppState) -> anyhow::Result<usize> {
    let mut attempts = 0;
    // Each pass attempts what is due in the oldest batch; a message that failed is not due
    // again until its retry delay has passed, so passes end once nothing due is left.
    loop {
        let batch = state.store.queued_emails(&state.instance.id, BATCH).await?;
        let mut running: JoinSet<anyhow::Result<bool>> = JoinSet::new();
        let mut made = 0;
        for msg in batch {
            if !mail::due(&msg, &state.mail.0.retry_delays_ms, state.now()) {
                continue;
            }
            if running.len() >= CONCURRENCY
                && let Some(done) = running.join_next().await
            {
                made += usize::from(done??);
            }
            let state = state.clone();
            running.spawn(async move { attempt(&state, msg).await });
        }
        while let Some(done) = running.join_next().await {
            made += usize::from(done??);
        }
        if made == 0 {
            return Ok(attempts);
        }
        attempts += made;
    }
}

/// Claims `msg`, sends (or logs) it, and records the outcome. False: another worker has it.
async fn attempt(state: &AppState, msg: EmailMessage) -> anyhow::Result<bool> {
    let rt = &state.mail;
    let ins = &state.instance.id;
    let now = state.now();
    if !state
        .store
        .claim_email(ins, &msg.id, now, now + rt.lease_ms())
        .await?
    {
        return Ok(false);
    }
    let Some(smtp) = &rt.0.smtp else {
        log_instead(state, &msg);
        state
            .store
            .record_email_outcome(ins, &msg.id, EmailStatus::Logged, None, state.now())
            .await?;
        return Ok(true);
    };
    // No transaction is open from here until the outcome is recorded.
    let (ok, permanent, error) = match build(rt, &msg) {
        Err(e) => (false, true, Some(e)),
        Ok(message) => match smtp.transport.send(message).await {
            Ok(_) => (true, false, None),
            Err(e) => (false, e.is_permanent(), Some(e.to_string())),
        },
    };
    let status = mail::after_attempt(msg.attempts, ok, permanent, &rt.0.retry_delays_ms);
    match (&error, status) {
        (None, _) => {
            tracing::info!(email = %msg.id, to = %msg.to_email_address, slug = %msg.slug, "email sent")
        }
        (Some(e), EmailStatus::Queued) => tracing::warn!(
            email = %msg.id,
            to = %msg.to_email_address,
            attempt = msg.attempts + 1,
            error = %e,
            "email not sent; it will be retried"
        ),
        (Some(e), _) => tracing::warn!(
            email = %msg.id,
            to = %msg.to_email_address,
            attempts = msg.attempts + 1,
            error = %e,
            "email failed"
        ),
    }
    state
        .store
        .record_email_outcome(ins, &msg.id, status, error.as_deref(), state.now())
        .await?;
    Ok(true)
}

fn log_instead(state: &AppState, msg: &EmailMessage) {
    if state.instance.environment == Environment::Production {
        tracing::info!(
            email = %msg.id,
            to = %msg.to_email_address,
            slug = %msg.slug,
            "email not sent (no SMTP server is configured)"
        );
    } else {
        tracing::info!(
            email = %msg.id,
            to = %msg.to_email_address,
            subject = %msg.subject,
            body = %msg.body_plain.trim_end(),
            "email not sent (no SMTP server is configured); logged instead"
        );
    }
}

/// The MIME message: plain text and HTML alternatives. An error here is permanent.
fn build(rt: &MailRuntime, msg: &EmailMessage) -> Result<Message, String> {
    let to: Mailbox = msg
        .to_email_address
        .parse()
        .map_err(|e| format!("invalid recipient {:?}: {e}", msg.to_email_address))?;
    Message::builder()
        .from(rt.0.from.clone())
        .to(to)
        .subject(msg.subject.clone())
        .message_id(Some(format!("<{}@{}>", msg.id, rt.0.from_domain)))
        .multipart(MultiPart::alternative_plain_html(
            msg.body_plain.clone(),
            msg.body_html.clone(),
        ))
        .map_err(|e| format!("cannot build the message: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls() {
        let t = SmtpTarget::parse("smtp://user:p%40ss@mail.example.com").unwrap();
        assert_eq!(
            t,
            SmtpTarget {
                host: "mail.example.com".into(),
                port: 587,
                security: SmtpSecurity::StartTls,
                credentials: Some(("user".into(), "p@ss".into())),
            }
        );
        assert!(!t.describe().contains("p@ss"));
        let t = SmtpTarget::parse("smtps://mail.example.com").unwrap();
        assert_eq!((t.port, t.security), (465, SmtpSecurity::Tls));
        let t = SmtpTarget::parse("smtps://mail.example.com:2465").unwrap();
        assert_eq!(t.port, 2465);
        let t = SmtpTarget::parse("smtp://127.0.0.1:1025?tls=none").unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.security, t.credentials),
            ("127.0.0.1", 1025, SmtpSecurity::None, None)
        );
        let t = SmtpTarget::parse("smtp://mailpit?tls=none").unwrap();
        assert_eq!((t.port, t.security), (25, SmtpSecurity::None));
        let t = SmtpTarget::parse("smtp://[::1]:2525?tls=none").unwrap();
        assert_eq!(t.host, "::1");
        // Credentials in plain text only to this machine.
        assert!(SmtpTarget::parse("smtp://u:p@localhost:1025?tls=none").is_ok());
        let e = SmtpTarget::parse("smtp://u:p@mail.example.com?tls=none").unwrap_err();
        assert!(e.to_string().contains("plain text"), "{e}");
        for bad in [
            "http://mail.example.com",
            "smtp://mail.example.com?tls=opportunistic",
            "smtps://mail.example.com?tls=none",
            "smtp://mail.example.com?port=25",
            "smtp://user@mail.example.com",
            "smtp://",
            "mail.example.com",
        ] {
            assert!(SmtpTarget::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_runtime_knows_its_sender() {
        let rt = MailRuntime::new(MailConfig::default()).unwrap();
        assert!(!rt.smtp_configured());
        assert_eq!(rt.from_email_name(), "no-reply");
        let rt = MailRuntime::new(MailConfig {
            smtp_url: Some("smtp://127.0.0.1:2525?tls=none".into()),
            from: "Acme <hello@acme.test>".into(),
            ..MailConfig::default()
        })
        .unwrap();
        assert!(rt.smtp_configured());
        assert_eq!(rt.from_email_name(), "hello");
        assert!(
            MailRuntime::new(MailConfig {
                from: "not a sender".into(),
                ..MailConfig::default()
            })
            .is_err()
        );
    }
}
