//! Text delivery through a Twilio-compatible Messages API: `POST
//! {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic auth with the account SID
//! and auth token, an `application/x-www-form-urlencoded` body of `To`, `From` (or
//! `MessagingServiceSid`) and `Body`; a 201 with the message's `sid` is success. A 5xx, a 429 or
//! no answer may pass (retried); any other 4xx is permanent.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use usher_core::events::DomainEvent;
use usher_core::sms::SmsMessage;
use usher_core::sms_sender::SmsSender;

use crate::config::SmsConfig;

/// Twilio's API host.
pub const TWILIO_BASE: &str = "https://api.twilio.com";

/// Where and as whom texts are sent.
#[derive(Clone, PartialEq, Eq)]
pub struct TwilioConfig {
    /// The API's base URL, without the `/2010-04-01/…` path.
    pub base_url: String,
    pub account_sid: String,
    pub auth_token: String,
    /// The sender number (`From`), unless a messaging service sends.
    pub from: Option<String>,
    /// A Twilio messaging service (`MessagingServiceSid`), which picks the sender.
    pub messaging_service_sid: Option<String>,
}

impl fmt::Debug for TwilioConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwilioConfig")
            .field("base_url", &self.base_url)
            .field("account_sid", &self.account_sid)
            .field("auth_token", &"<redacted>")
            .field("from", &self.from)
            .field("messaging_service_sid", &self.messaging_service_sid)
            .finish()
    }
}

impl TwilioConfig {
    /// Reads the provider from its URL and the separate settings. The URL may carry the
    /// credentials and sender itself: `https://AC…:TOKEN@api.twilio.com?From=%2B14155550100`
    /// (or `?MessagingServiceSid=MG…`); a separate setting given wins over the URL's.
    pub fn from_parts(
        url: &str,
        account_sid: Option<String>,
        auth_token: Option<String>,
        from: Option<String>,
    ) -> Result<Self, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("the SMS URL is not a URL: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err("the SMS URL must be http:// or https://".into());
        }
        let host = parsed
            .host_str()
            .ok_or("the SMS URL names no host")?
            .to_owned();
        let decode = |s: &str| {
            percent_decode(s).ok_or_else(|| "the SMS URL's credentials are not valid".to_owned())
        };
        let url_sid = (!parsed.username().is_empty())
            .then(|| decode(parsed.username()))
            .transpose()?;
        let url_token = parsed.password().map(decode).transpose()?;
        let mut url_from = None;
        let mut service = None;
        for (k, v) in parsed.query_pairs() {
            match k.as_ref() {
                "From" | "from" => url_from = Some(v.into_owned()),
                "MessagingServiceSid" | "messaging_service_sid" => service = Some(v.into_owned()),
                other => return Err(format!("the SMS URL has an unknown parameter {other:?}")),
            }
        }
        let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
        let path = parsed.path().trim_end_matches('/');
        let base_url = format!("{}://{host}{port}{path}", parsed.scheme());
        let account_sid = account_sid
            .or(url_sid)
            .filter(|s| !s.is_empty())
            .ok_or("the SMS provider needs an account SID (--sms-account-sid)")?;
        let auth_token = auth_token
            .or(url_token)
            .filter(|s| !s.is_empty())
            .ok_or("the SMS provider needs an auth token (--sms-auth-token)")?;
        if !account_sid.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err("the SMS account SID must be letters and digits".into());
        }
        let from = from.or(url_from).filter(|s| !s.is_empty());
        if from.is_none() && service.is_none() {
            return Err(
                "the SMS provider needs a sender: --sms-from (or MessagingServiceSid in the URL)"
                    .into(),
            );
        }
        Ok(Self {
            base_url,
            account_sid,
            auth_token,
            from,
            messaging_service_sid: service,
        })
    }

    /// The Messages resource of the account.
    pub fn messages_url(&self) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.base_url, self.account_sid
        )
    }

    /// The form body for one text.
    pub fn form(&self, to: &str, body: &str) -> String {
        let mut f = form_urlencoded::Serializer::new(String::new());
        f.append_pair("To", to);
        match (&self.messaging_service_sid, &self.from) {
            (Some(service), _) => f.append_pair("MessagingServiceSid", service),
            (None, Some(from)) => f.append_pair("From", from),
            (None, None) => &mut f,
        };
        f.append_pair("Body", body);
        f.finish()
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Delivery by the provider: the text is queued for the SMS worker, and `sms.created` still
/// announces it, with `delivered_by_clerk: true` (as Clerk marks the texts it sends itself), so
/// an application's webhook receiver knows not to send it again.
#[derive(Debug, Default, Clone, Copy)]
pub struct ProviderSms;

impl SmsSender for ProviderSms {
    fn dispatch(&self, msg: &mut SmsMessage) -> Vec<DomainEvent> {
        msg.delivered_by_clerk = true;
        msg.status = "queued".into();
        msg.from_phone_number = String::new();
        vec![DomainEvent::SmsCreated(msg.clone())]
    }
}

/// The sender for `cfg`: the provider when one is set, else the `sms.created` webhook.
pub fn sender(cfg: &SmsConfig) -> Arc<dyn SmsSender> {
    match cfg.provider {
        Some(_) => Arc::new(ProviderSms),
        None => Arc::new(usher_core::sms_sender::WebhookSms),
    }
}

/// What came of one request to the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// 201 with the message's `sid`.
    Sent { sid: String },
    /// Worth another try later (5xx, 429, no answer).
    Retry(String),
    /// Refused for good (4xx).
    Permanent(String),
}

/// The SMS worker's settings, provider and HTTP client, and its doorbell.
#[derive(Clone)]
pub struct SmsRuntime(pub Arc<SmsRuntimeInner>);

pub struct SmsRuntimeInner {
    pub cfg: SmsConfig,
    pub http: reqwest::Client,
    pub wake: tokio::sync::Notify,
}

impl SmsRuntime {
    pub fn new(cfg: SmsConfig) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
            .build()?;
        Ok(Self(Arc::new(SmsRuntimeInner {
            cfg,
            http,
            wake: tokio::sync::Notify::new(),
        })))
    }

    /// A commit queued a text for the provider: send now rather than at the next poll.
    pub fn wake(&self) {
        self.0.wake.notify_one();
    }

    /// The waits before each retry, in milliseconds.
    pub fn retry_delays_ms(&self) -> Vec<i64> {
        self.0
            .cfg
            .retry_delays
            .iter()
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .collect()
    }

    /// How long a claimed text stays with one worker.
    pub fn lease_ms(&self) -> i64 {
        i64::try_from(self.0.cfg.timeout.as_millis()).unwrap_or(i64::MAX / 4) * 2 + 5_000
    }

    /// One POST of `msg` to the provider.
    pub async fn send(&self, provider: &TwilioConfig, msg: &SmsMessage) -> Attempt {
        let res = self
            .0
            .http
            .post(provider.messages_url())
            .basic_auth(&provider.account_sid, Some(&provider.auth_token))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(reqwest::header::ACCEPT, "application/json")
            .body(provider.form(&msg.to_phone_number, &msg.message))
            .send()
            .await;
        let res = match res {
            Ok(r) => r,
            Err(e) => return Attempt::Retry(format!("no answer: {e}")),
        };
        let status = res.status();
        let body: serde_json::Value = res.json().await.unwrap_or_default();
        let detail = || {
            let message = body["message"].as_str().unwrap_or("");
            let code = body["code"]
                .as_i64()
                .map(|c| format!(" (code {c})"))
                .unwrap_or_default();
            format!("HTTP {}{code}: {message}", status.as_u16())
        };
        if status.is_success() {
            match body["sid"].as_str() {
                Some(sid) if !sid.is_empty() => Attempt::Sent {
                    sid: sid.to_owned(),
                },
                _ => Attempt::Permanent(format!(
                    "HTTP {}: the answer carries no message sid",
                    status.as_u16()
                )),
            }
        } else if status.is_server_error() || status.as_u16() == 429 {
            Attempt::Retry(detail())
        } else {
            Attempt::Permanent(detail())
        }
    }
}
