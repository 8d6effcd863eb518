use anyhow::Context;
use usher_core::instance::Environment;
use usher_server::config::{FrontendConfig, SameSite, ServerConfig, normalize_origin};
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
        frontend_url: args.frontend_url,
        secret_key: args.secret_key,
        environment: args.environment.map(|e| match e {
            EnvironmentArg::Development => Environment::Development,
            EnvironmentArg::Production => Environment::Production,
        }),
        hasher_workers: args.hasher_workers,
        key_refresh_secs: args.key_refresh_secs,
        lifecycle_interval_secs: args.lifecycle_interval_secs,
        redis_url: args.redis_url,
        bapi_rate_limit: args.bapi_rate_limit,
        webhooks: args.webhooks.config()?,
        mail: args.mail.config(),
        sms: args.sms.config()?,
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
            spike: usher_core::security::SpikePolicy::failures(args.sign_in_spike_failures),
        },
        policy: args.policy.overrides(),
        degraded: usher_server::degraded::DegradedConfig {
            cache_sessions: args.degraded_cache_sessions.max(1),
            ..Default::default()
        },
    };
    let next_steps = NextSteps {
        cli_flags: operator_flags(&cfg),
        smtp: cfg.mail.smtp_url.is_some(),
    };
    let data_dir = cfg.data_dir.display().to_string();
    let database = redact_url(&cfg.database_url());
    let frontend_host = cfg.frontend_host.clone();
    let secret_key_seeded = cfg.secret_key.is_some();
    rt.block_on(async move {
        let running = usher_server::start(cfg).await?;
        // Logged once the instance is loaded: its environment is the one it was created with.
        tracing::info!(
            data_dir = %data_dir,
            database = %database,
            api_addr = %running.api_addr,
            frontend_addr = %running.frontend_addr,
            frontend_host = frontend_host.as_deref().unwrap_or("(from frontend address)"),
            environment = running.boot.environment.as_str(),
            secret_key_seeded,
            "effective settings (flags override USHER_* variables, which override defaults)"
        );
        print_banner(&running.boot, &running, &next_steps);
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

/// What the first run's next steps need to know about how the server was started.
struct NextSteps {
    /// `--data-dir …` / `--database-url …` as other commands need them (empty by default).
    cli_flags: String,
    smtp: bool,
}

/// The flags an operator command needs to find this server's database.
fn operator_flags(cfg: &ServerConfig) -> String {
    let mut flags = String::new();
    if let Some(url) = &cfg.database_url {
        flags.push_str(&format!(" --database-url '{}'", redact_url(url)));
    } else if cfg.data_dir != std::path::Path::new("./usher-data") {
        flags.push_str(&format!(" --data-dir '{}'", cfg.data_dir.display()));
    }
    flags
}

fn print_banner(boot: &BootReport, running: &Running, next: &NextSteps) {
    print!(
        "{}",
        banner(boot, running.api_addr, running.frontend_addr, next)
    );
}

fn banner(
    boot: &BootReport,
    api_addr: std::net::SocketAddr,
    frontend_addr: std::net::SocketAddr,
    next: &NextSteps,
) -> String {
    let mut out = String::new();
    if boot.created {
        out.push_str("Created a new Usher instance. Keep the secret key safe: it is shown in full only here and by `usher keys`.\n\n");
    }
    if let Some(asked) = boot.environment_ignored {
        out.push_str(&format!(
            "Warning: --environment {} ignored: this instance is {} (an instance keeps the environment it was created with).\n\n",
            asked.as_str(),
            boot.environment.as_str()
        ));
    }
    out.push_str(&format!(
        "  Environment:      {}\n",
        boot.environment.as_str()
    ));
    out.push_str(&format!(
        "  Backend API:      {}   (CLERK_API_URL)\n",
        boot.api_url
    ));
    out.push_str(&format!("  Frontend API:     {}\n", boot.frontend_api_url));
    out.push_str(&format!("  Publishable key:  {}\n", boot.publishable_key));
    match (&boot.secret_key, boot.created) {
        (Some(sk), true) => out.push_str(&format!("  Secret key:       {sk}\n")),
        _ => out.push_str(&format!(
            "  Secret key:       run `usher keys{}` to print it\n",
            next.cli_flags
        )),
    }
    out.push_str(&format!(
        "  Hosted pages:     {0}/sign-in  {0}/sign-up  {0}/user\n",
        boot.frontend_api_url
    ));
    if boot.created {
        out.push_str(&format!(
            "\n  JWT public key (CLERK_JWT_KEY):\n{}",
            boot.public_pem
        ));
        out.push_str(&first_run_steps(boot, next));
    }
    out.push_str(&format!(
        "\nListening: api={api_addr} frontend={frontend_addr}\n"
    ));
    out
}

/// What to do next, on the run that created the instance: lines to paste into the app's `.env`,
/// where to sign up, and where the verification codes are.
fn first_run_steps(boot: &BootReport, next: &NextSteps) -> String {
    let mut out = String::from("\nNext steps:\n\n  1. Paste into your app's .env:\n\n");
    if let Some(sk) = &boot.secret_key {
        out.push_str(&format!("CLERK_SECRET_KEY={sk}\n"));
    }
    out.push_str(&format!("CLERK_PUBLISHABLE_KEY={}\n", boot.publishable_key));
    out.push_str(&format!("CLERK_API_URL={}\n", boot.api_url));
    // One line: .env readers turn \n inside double quotes into newlines, and Clerk's SDKs
    // accept the PEM either way.
    out.push_str(&format!(
        "CLERK_JWT_KEY=\"{}\"\n",
        boot.public_pem.trim_end().replace('\n', "\\n")
    ));
    out.push_str(
        "\n     (Next.js reads the publishable key as NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY.)\n",
    );
    out.push_str(&format!(
        "\n  2. Create a first account at {}/sign-up and sign in at {}/sign-in.\n",
        boot.frontend_api_url, boot.frontend_api_url
    ));
    if next.smtp {
        out.push_str(&format!(
            "\n  3. Verification codes are emailed; `usher emails{}` shows what was sent.\n",
            next.cli_flags
        ));
    } else {
        out.push_str(&format!(
            "\n  3. No SMTP server is set (--smtp-url), so emails are not sent: read the\n     verification codes with `usher emails{}`.\n",
            next.cli_flags
        ));
    }
    out.push_str(&format!(
        "\n  4. Name the application your users see: `usher instance branding{} --name \"My App\"`.\n",
        next.cli_flags
    ));
    out
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
