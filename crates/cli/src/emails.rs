//! `usher emails`: the emails the server queued, newest first, read from the database (like
//! `usher webhooks`), so it works while the server is down too. In development, with no SMTP
//! server configured, this is where the verification codes are.

use std::sync::Arc;

use usher_core::clock::{Clock, SystemClock};
use usher_core::users::query::Page;
use usher_server::app::mail as app;
use usher_server::config::MailConfig;
use usher_server::wire::emails::EmailDetailJson;

use crate::CommonArgs;
use crate::output::{outln, time};

/// Email settings of `usher serve`.
#[derive(clap::Args, Clone)]
pub struct ServeMailArgs {
    /// SMTP server for outgoing email: `smtp://[user:pass@]host[:port]` (STARTTLS required),
    /// `smtps://[user:pass@]host[:port]` (TLS), or `smtp://host:port?tls=none` (plain text, for
    /// a local sink). Without it, emails are written to the log instead of being sent.
    #[arg(long, env = "USHER_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of outgoing email.
    #[arg(
        long,
        env = "USHER_MAIL_FROM",
        default_value = "Usher <no-reply@localhost>"
    )]
    pub mail_from: String,
}

impl ServeMailArgs {
    pub fn config(&self) -> MailConfig {
        MailConfig {
            smtp_url: self.smtp_url.clone().filter(|u| !u.trim().is_empty()),
            from: self.mail_from.clone(),
            ..MailConfig::default()
        }
    }
}

pub fn run(
    common: CommonArgs,
    to: Option<String>,
    limit: i64,
    as_json: bool,
) -> anyhow::Result<()> {
    let cfg = crate::offline::existing_instance(common)?;
    let page = Page::new(Some(limit), None)?;
    let rt = crate::offline::runtime()?;
    rt.block_on(async move {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let state = usher_server::offline::open(&cfg, clock).await?;
        let (items, total) = app::list(&state, to.as_deref(), &page).await?;
        let data: Vec<EmailDetailJson> = items.iter().map(EmailDetailJson::from).collect();
        if as_json {
            outln!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({
                    "data": data,
                    "total_count": total,
                }))?
            )?;
            return Ok(());
        }
        let mut out = vec![format!(
            "{total} email{}{}",
            if total == 1 { "" } else { "s" },
            to.as_deref()
                .map(|t| format!(" to {t}"))
                .unwrap_or_default()
        )];
        for m in &items {
            out.push(format!(
                "{}  {}  {:7}  {}  {}{}",
                m.id,
                time(Some(m.created_at)),
                m.status.as_str(),
                m.to_email_address,
                m.subject,
                m.last_error
                    .as_deref()
                    .map(|e| format!("  (error: {e})"))
                    .unwrap_or_default()
            ));
        }
        outln!("{}", out.join("\n"))?;
        Ok(())
    })
}
