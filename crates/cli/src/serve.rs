use anyhow::Context;
use usher_core::instance::Environment;
use usher_server::config::{
    FrontendConfig, PolicyOverrides, SameSite, ServerConfig, normalize_origin,
};

const DAY_MS: i64 = 24 * 3600 * 1000;
use usher_server::{BootReport, Running};

use crate::{CommonArgs, EnvironmentArg, ServeArgs};

pub fn run(common: CommonArgs, args: ServeArgs) -> anyhow::Result<()> {
    crate::logging::init(args.log_format);
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all().thread_name("usher-worker");
    if let Some(n) = args.worker_threads {
        rt.worker_threads(n.max(1));
    }
    let rt = rt.build().context("starting the async runtime")?;
    let cfg = ServerConfig {
        data_dir: common.data_dir,
        database_url: common.database_url,
        api_addr: args.api_addr,
        frontend_addr: args.frontend_addr,
        frontend_host: args.frontend_host,
        secret_key: args.secret_key,
        environment: match args.environment {
            EnvironmentArg::Development => Environment::Development,
            EnvironmentArg::Production => Environment::Production,
        },
        hasher_workers: args.hasher_workers,
        key_refresh_secs: args.key_refresh_secs,
        redis_url: args.redis_url,
        bapi_rate_limit: args.bapi_rate_limit,
        webhooks: args.webhooks.config()?,
        mail: args.mail.config(),
        frontend: FrontendConfig {
            allowed_origins: args
                .allowed_origins
                .iter()
                .filter(|o| !o.trim().is_empty())
                .map(|o| {
                    normalize_origin(o).ok_or_else(|| {
                        anyhow::anyhow!(
                            "--allowed-origins: '{o}' is not an origin (scheme://host[:port], no wildcards)"
                        )
                    })
                })
                .collect::<anyhow::Result<_>>()?,
            clerk_js_dir: args.clerk_js_dir,
            cookie_secure: !args.insecure_cookies,
            cookie_same_site: match args.cookie_same_site.to_ascii_lowercase().as_str() {
                "lax" => SameSite::Lax,
                "strict" => SameSite::Strict,
                "none" if args.cross_site_cookies && !args.insecure_cookies => SameSite::None,
                "none" => anyhow::bail!(
                    "--cookie-same-site none lets other sites send the session cookies; it needs --cross-site-cookies, and Secure cookies (not --insecure-cookies)"
                ),
                other => anyhow::bail!("--cookie-same-site: '{other}' is not lax, strict or none"),
            },
            trusted_proxies: args.trusted_proxies,
            limits: Default::default(),
        },
        policy: PolicyOverrides {
            client_trust: args.client_trust,
            session_inactivity_ms: args.session_inactivity_days.map(|d| i64::from(d) * DAY_MS),
            session_max_lifetime_ms: args
                .session_max_lifetime_days
                .map(|d| i64::from(d) * DAY_MS),
            sign_out_other_sessions_on_security_change: args.sign_out_on_security_change,
            lockout_attempts: args.lockout_attempts.map(i64::from),
            lockout_duration_secs: args.lockout_minutes.map(|m| i64::from(m) * 60),
            enumeration_protection: args.enumeration_protection,
        },
    };
    tracing::info!(
        data_dir = %cfg.data_dir.display(),
        database = %redact_url(&cfg.database_url()),
        api_addr = %cfg.api_addr,
        frontend_addr = %cfg.frontend_addr,
        frontend_host = cfg.frontend_host.as_deref().unwrap_or("(from frontend address)"),
        secret_key_seeded = cfg.secret_key.is_some(),
        "effective settings (flags override USHER_* variables, which override defaults)"
    );
    rt.block_on(async move {
        let running = usher_server::start(cfg).await?;
        print_banner(&running.boot, &running);
        let stop = running.shutdown_handle();
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("shutting down: finishing in-flight requests");
            let _ = stop.send(true);
        });
        running.wait().await?;
        tracing::info!("stopped");
        Ok(())
    })
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

fn print_banner(boot: &BootReport, running: &Running) {
    let mut out = String::new();
    if boot.created {
        out.push_str("Created a new Usher instance. Keep the secret key safe: it is shown in full only here and by `usher keys`.\n\n");
    }
    out.push_str(&format!(
        "  Backend API:      {}   (CLERK_API_URL)\n",
        boot.api_url
    ));
    out.push_str(&format!("  Frontend API:     {}\n", boot.frontend_api_url));
    out.push_str(&format!("  Publishable key:  {}\n", boot.publishable_key));
    match (&boot.secret_key, boot.created) {
        (Some(sk), true) => out.push_str(&format!("  Secret key:       {sk}\n")),
        _ => out.push_str("  Secret key:       run `usher keys` to print it\n"),
    }
    if boot.created {
        out.push_str(&format!(
            "\n  JWT public key (CLERK_JWT_KEY):\n{}",
            boot.public_pem
        ));
    }
    out.push_str(&format!(
        "\nListening: api={} frontend={}\n",
        running.api_addr, running.frontend_addr
    ));
    print!("{out}");
}

/// Database URLs may carry a password; logs never do.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}
