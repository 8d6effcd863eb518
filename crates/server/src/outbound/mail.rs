//! What the mail worker shares with the rest of the server: its settings, the SMTP transport
//! (from `MailConfig::smtp_url`), the sender, and the doorbell that commits ring.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use tokio::sync::Notify;

use crate::config::MailConfig;

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

pub(crate) struct Smtp {
    pub(crate) transport: AsyncSmtpTransport<Tokio1Executor>,
    pub(crate) target: SmtpTarget,
}

pub(crate) struct Inner {
    pub(crate) cfg: MailConfig,
    pub(crate) smtp: Option<Smtp>,
    pub(crate) from: Mailbox,
    pub(crate) from_email_name: String,
    /// Where Message-IDs live: the sender's domain.
    pub(crate) from_domain: String,
    pub(crate) retry_delays_ms: Vec<i64>,
    pub(crate) wake: Notify,
}

/// The worker's shared parts: its settings, the SMTP transport, and the doorbell that commits
/// ring so that a code goes out at once.
#[derive(Clone)]
pub struct MailRuntime(pub(crate) Arc<Inner>);

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

    /// The SMTP server, when email goes out over SMTP.
    pub fn smtp_target(&self) -> Option<&SmtpTarget> {
        self.0.smtp.as_ref().map(|s| &s.target)
    }

    /// Whether email goes out over SMTP (else it is only logged).
    pub fn smtp_configured(&self) -> bool {
        self.0.smtp.is_some()
    }

    /// The local part of the sender (Clerk's `from_email_name`).
    pub fn from_email_name(&self) -> &str {
        &self.0.from_email_name
    }

    pub(crate) fn lease_ms(&self) -> i64 {
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
