//! `usher audit`: the 20-item hardening checklist. The instance-side items are judged from the
//! database (the stored settings, secret keys, webhook endpoints, JWT templates and session
//! token template) and, with `--api-url`, from a running server's effective settings and flags
//! (`GET /v1/instance/settings`); the app-side items from a source tree (`--app DIR`),
//! heuristically. Any failure exits non-zero (`--strict`: any unknown too), for CI.

mod app;
mod instance;
mod items;
mod report;
mod walk;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use usher_core::clock::{Clock, SystemClock};
use usher_core::instance::{Environment, InstanceSettings};
use usher_core::instance_settings::{ALLOWED_ORIGINS, resolve};
use usher_core::jwt_templates::lint::{Finding, claim_findings, findings};
use usher_core::users::query::{MAX_LIMIT, Page};
use usher_core::webhooks::endpoint::EndpointStatus;
use usher_server::app::instance_config::{self as config_app, ConfigDocument};
use usher_server::app::jwt_templates as templates_app;
use usher_server::app::{secret_keys, session_claims, webhooks};
use usher_server::state::AppState;

pub use items::Profile;

use crate::CommonArgs;
use crate::output::outln;
use instance::{Baseline, Endpoint, NodeFlags, SecretKey, Snapshot, Template};

#[derive(clap::Args, Clone)]
pub struct AuditArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Print `{profile, items: [{id, title, status, reason, fix, evidence}], summary, findings}`.
    #[arg(long)]
    pub json: bool,
    /// Also exit with an error when an item is unknown.
    #[arg(long)]
    pub strict: bool,
    /// How sensitive the application is: the limits of items 4, 5 and 17 (banking: 15 min
    /// inactivity, 12 h sessions; saas: 30 min, 7 d; consumer: 7 d, 90 d).
    #[arg(long, value_enum, default_value = "saas")]
    pub profile: Profile,
    /// An application's source tree, for the app-side items (heuristics, with file:line).
    #[arg(long)]
    pub app: Option<PathBuf>,
    /// A running server's Backend API, whose flags (cookie SameSite, …) and effective
    /// settings are checked.
    #[arg(long, env = "USHER_API_URL")]
    pub api_url: Option<String>,
    /// The secret key for `--api-url`.
    #[arg(long, env = "USHER_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// A last-known-good `usher config export` file: the live configuration is compared with
    /// it, and its age with a quarter (item 20).
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// The oldest a secret key may be (30d, 12h, …), instead of the profile's limit.
    #[arg(long)]
    pub key_max_age: Option<String>,
    /// Only these items (comma-separated numbers).
    #[arg(long = "item", value_delimiter = ',')]
    pub only: Vec<u8>,
}

pub fn run(args: AuditArgs) -> anyhow::Result<()> {
    if let Some(bad) = args.only.iter().find(|i| !(1..=20).contains(*i)) {
        bail!("--item {bad}: the items are numbered 1 to 20");
    }
    let mut limits = args.profile.limits();
    if let Some(age) = &args.key_max_age {
        limits.secret_key_age_ms = crate::when::parse_duration(age)?;
    }
    let files = match &args.app {
        Some(dir) => Some(walk::read_tree(dir)?),
        None => None,
    };
    let cfg = crate::offline::existing_instance(args.common.clone())?;
    let rt = crate::offline::runtime()?;
    let (snapshot, template_rows) = rt.block_on(async {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let state = usher_server::offline::open(&cfg, clock).await?;
        gather(&state, &args).await
    })?;
    let profile = args.profile.as_str();
    let mut checks = instance::check(&snapshot, &limits, profile);
    if let Some(files) = &files {
        checks.extend(app::check(files));
    }
    let shown: Vec<items::Check> = (1..=20u8)
        .filter(|id| args.only.is_empty() || args.only.contains(id))
        .map(|id| items::combine(id, &checks))
        .collect();
    if args.json {
        let body = report::to_json(profile, &shown, template_rows);
        outln!("{}", serde_json::to_string_pretty(&body)?)?;
    } else {
        report::print_table(profile, &shown)?;
    }
    let s = report::summary(&shown);
    let failed: Vec<String> = shown
        .iter()
        .filter(|c| c.status == items::Status::Fail)
        .map(|c| c.id.to_string())
        .collect();
    if s.fail > 0 {
        bail!("{} item(s) failed: {}", s.fail, failed.join(", "));
    }
    if args.strict && s.unknown > 0 {
        bail!("{} item(s) unknown (--strict)", s.unknown);
    }
    Ok(())
}

/// The instance's side of the checklist, and the template lint's findings as rows.
async fn gather(state: &AppState, args: &AuditArgs) -> anyhow::Result<(Snapshot, Vec<Value>)> {
    let now = state.now();
    let stored = state.store.instance_settings(&state.instance.id).await?;
    let resolved = resolve(&stored, &Default::default());
    let origins_source = resolved
        .get(ALLOWED_ORIGINS)
        .map_or("default", |(_, s)| s.as_str())
        .to_owned();
    let mut snap = Snapshot {
        now,
        production: state.instance.environment == Environment::Production,
        settings: resolved.settings,
        origins_source,
        ..Default::default()
    };
    if let Some(url) = &args.api_url {
        let Some(key) = &args.secret_key else {
            bail!("--api-url needs --secret-key (or USHER_SECRET_KEY)");
        };
        let (settings, origins_source, node, production) = from_server(url, key).await?;
        snap.settings = settings;
        snap.origins_source = origins_source;
        snap.node = Some(node);
        snap.production = production;
    }
    snap.secret_keys = secret_keys::list(state)
        .await?
        .into_iter()
        .map(|k| SecretKey {
            name: k.name,
            created_at: k.created_at,
            expires_at: k.expires_at,
        })
        .collect();
    snap.webhooks = webhooks::list(state)
        .await?
        .into_iter()
        .map(|e| Endpoint {
            id: e.id.as_str().to_owned(),
            active: e.status == EndpointStatus::Active,
            events: e.events,
        })
        .collect();
    let mut rows = Vec::new();
    for t in all_templates(state).await? {
        let found = findings(&t);
        for f in &found {
            rows.push(json!({
                "template_id": t.id, "template_name": t.name,
                "code": f.code(), "message": f.message(),
            }));
        }
        snap.templates.push(Template {
            name: t.name.clone(),
            lifetime: t.lifetime,
            has_aud: t.claims.contains_key("aud"),
            pii: pii_messages(&found),
        });
    }
    let session = session_claims::get(state).await?;
    let found = claim_findings(&session.claims);
    for f in &found {
        rows.push(json!({
            "template_id": null, "template_name": "session_token",
            "code": f.code(), "message": f.message(),
        }));
    }
    snap.session_claim_pii = pii_messages(&found);
    if let Some(path) = &args.baseline {
        snap.baseline = Some(baseline(state, path).await);
    }
    Ok((snap, rows))
}

fn pii_messages(found: &[Finding]) -> Vec<String> {
    found
        .iter()
        .filter(|f| matches!(f, Finding::Pii { .. }))
        .map(Finding::message)
        .collect()
}

async fn all_templates(
    state: &AppState,
) -> anyhow::Result<Vec<usher_core::jwt_templates::JwtTemplate>> {
    let mut templates = Vec::new();
    let mut offset = 0;
    loop {
        let page = Page {
            limit: MAX_LIMIT,
            offset,
        };
        let (batch, total) = templates_app::list(state, &page).await?;
        offset += batch.len() as i64;
        let done = batch.is_empty() || offset >= total;
        templates.extend(batch);
        if done {
            return Ok(templates);
        }
    }
}

async fn baseline(state: &AppState, path: &Path) -> Baseline {
    let shown = path.display().to_string();
    let unusable = |error: String| Baseline::Unusable {
        path: shown.clone(),
        error,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return unusable(e.to_string()),
    };
    let wanted = match ConfigDocument::parse(&text) {
        Ok(d) => d,
        Err(e) => return unusable(e.to_string()),
    };
    let live = match config_app::export(state).await {
        Ok(d) => d,
        Err(e) => return unusable(e.to_string()),
    };
    let age_ms = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Baseline::Compared {
        path: shown,
        age_ms,
        differences: config_app::differences(&wanted, &live)
            .into_iter()
            .map(|d| d.path)
            .collect(),
    }
}

/// A running server's effective settings (with its flags), the allowed origins' source, its
/// cookie flags and whether it serves a production instance.
async fn from_server(
    url: &str,
    key: &str,
) -> anyhow::Result<(InstanceSettings, String, NodeFlags, bool)> {
    let base = url.trim_end_matches('/');
    let res = reqwest::Client::new()
        .get(format!("{base}/v1/instance/settings"))
        .bearer_auth(key)
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await
        .with_context(|| format!("reaching {base}"))?;
    let status = res.status();
    let body: Value = res
        .json()
        .await
        .with_context(|| format!("reading {base}/v1/instance/settings"))?;
    if !status.is_success() {
        bail!("{base}/v1/instance/settings answered {status}: {body}");
    }
    let mut values = serde_json::Map::new();
    for (k, v) in body["settings"].as_object().into_iter().flatten() {
        values.insert(k.clone(), v["value"].clone());
    }
    let settings: InstanceSettings = serde_json::from_value(Value::Object(values))
        .context("the server's settings are not Usher's")?;
    let source = body["settings"][ALLOWED_ORIGINS]["source"]
        .as_str()
        .unwrap_or("default")
        .to_owned();
    let node = &body["node"];
    let Some(same_site) = node["cookie_same_site"].as_str() else {
        bail!("{base} does not report its flags (an older Usher?)");
    };
    let flags = NodeFlags {
        url: base.to_owned(),
        cookie_same_site: same_site.to_owned(),
        cookie_secure: node["cookie_secure"].as_bool().unwrap_or(false),
    };
    let production = node["environment_type"] == "production";
    Ok((settings, source, flags, production))
}
