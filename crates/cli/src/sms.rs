//! The SMS settings of `usher serve`: the Twilio-compatible provider that delivers texts, and
//! the caps against SMS pumping.

use usher_core::sms_caps::SmsCaps;
use usher_server::config::SmsConfig;
use usher_server::outbound::sms::TwilioConfig;

#[derive(clap::Args, Clone)]
pub struct ServeSmsArgs {
    /// A Twilio-compatible Messages API to send texts through: `https://api.twilio.com`, or one
    /// URL with everything, `https://AC…:TOKEN@api.twilio.com?From=%2B14155550100` (or
    /// `?MessagingServiceSid=MG…`). Without it, texts go out only as `sms.created` webhooks
    /// for the application to send.
    #[arg(long, env = "USHER_SMS_URL", hide_env_values = true)]
    pub sms_url: Option<String>,
    /// The provider account's SID (`AC…`): the Basic auth user and part of the path.
    #[arg(long, env = "USHER_SMS_ACCOUNT_SID")]
    pub sms_account_sid: Option<String>,
    /// The provider account's auth token.
    #[arg(long, env = "USHER_SMS_AUTH_TOKEN", hide_env_values = true)]
    pub sms_auth_token: Option<String>,
    /// The number texts are sent from (`From`), in E.164.
    #[arg(long, env = "USHER_SMS_FROM")]
    pub sms_from: Option<String>,
    /// A country calling code's hourly cap on texted codes, over the default table:
    /// `+44=200`; repeat, or comma-separate in the variable.
    #[arg(long, env = "USHER_SMS_COUNTRY_CAPS", value_delimiter = ',')]
    pub sms_country_cap: Vec<String>,
    /// Texted codes one client address may ask for an hour.
    #[arg(long, env = "USHER_SMS_ADDRESS_CAP", default_value_t = usher_core::sms_caps::DEFAULT_PER_ADDRESS)]
    pub sms_address_cap: u64,
}

impl ServeSmsArgs {
    pub fn config(&self) -> anyhow::Result<SmsConfig> {
        let mut caps = SmsCaps {
            per_address: self.sms_address_cap,
            ..SmsCaps::default()
        };
        for text in self.sms_country_cap.iter().filter(|t| !t.trim().is_empty()) {
            let (code, n) = SmsCaps::parse_override(text)
                .map_err(|e| anyhow::anyhow!("--sms-country-cap: {e}"))?;
            caps.country_overrides.insert(code, n);
        }
        let provider = match self
            .sms_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            None => None,
            Some(url) => Some(
                TwilioConfig::from_parts(
                    url,
                    self.sms_account_sid.clone(),
                    self.sms_auth_token.clone(),
                    self.sms_from.clone(),
                )
                .map_err(|e| anyhow::anyhow!("--sms-url: {e}"))?,
            ),
        };
        Ok(SmsConfig {
            caps,
            provider,
            ..SmsConfig::default()
        })
    }
}
