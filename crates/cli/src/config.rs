//! `usher config`: the instance's settings. `list` and `get` show each setting's value and
//! source (`default`, `database`, or `flag`: the `serve` flags and `USHER_*` variables given to
//! this command, which a server started with them would apply on top of the database). `set`
//! goes through the same use case as `PATCH /v1/instance/settings` (validated, audited, raised as
//! `usher.security.instance_settings.updated`). `export`, `diff` and `apply` work on one JSON
//! document of every stored setting, the branding and the session token's custom claims, for
//! drift review: `diff` exits 1 when the live configuration differs from the file (2 when it
//! cannot compare).

use std::path::{Path, PathBuf};

use usher_core::instance_settings::{self, Resolved, SettingsPatch};
use usher_server::app::context::RequestContext;
use usher_server::app::instance_config::{self as config_app, ConfigDocument, Difference};
use usher_server::app::instance_settings as settings_app;
use usher_server::error::ApiError;
use usher_server::state::AppState;

use crate::CommonArgs;
use crate::output::outln;
use crate::policy::PolicyArgs;

#[derive(clap::Subcommand, Clone)]
pub enum ConfigAction {
    /// Every setting: its key, value and source (default, database or flag).
    List {
        /// The `serve` flags (or their `USHER_*` variables) whose overrides show as `flag`.
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// One setting's value and source.
    Get {
        /// The setting's key, as `list` shows it.
        key: String,
        #[command(flatten)]
        policy: PolicyArgs,
    },
    /// Stores a setting (true/false, a whole number, or for allowed_origins exact origins
    /// separated by commas; `default` follows the default again).
    Set {
        /// The setting's key, as `list` shows it.
        key: String,
        /// The new value, or `default`.
        value: String,
    },
    /// Writes the settings, branding and session token claims as one JSON document to FILE
    /// (standard output without it). No secret is part of it.
    Export {
        /// Where to write the document.
        file: Option<PathBuf>,
    },
    /// Compares the live configuration with an export: prints each difference and exits 1 when
    /// there is any, 0 when they are equal.
    Diff {
        /// A document `usher config export` wrote.
        file: PathBuf,
    },
    /// Makes the live configuration what an export says, in one audited change (each
    /// difference printed first).
    Apply {
        /// A document `usher config export` wrote.
        file: PathBuf,
        /// Print the changes without writing anything.
        #[arg(long)]
        dry_run: bool,
    },
}

/// `usher config diff` found differences: exit 1 with nothing more said.
#[derive(Debug)]
pub struct Drift;

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the live configuration differs from the file")
    }
}

impl std::error::Error for Drift {}

/// `usher config diff` could not compare (an unreadable file, the database): exit 2, so that
/// CI tells it from drift.
#[derive(Debug)]
pub struct Unusable(anyhow::Error);

impl From<anyhow::Error> for Unusable {
    fn from(e: anyhow::Error) -> Self {
        Self(e)
    }
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for Unusable {}

/// A use case's error as the Backend API would report it.
fn api_error(e: usher_core::CoreError) -> anyhow::Error {
    let err = ApiError::from(e);
    anyhow::anyhow!("{}: {}", err.code, err.detail.long_message)
}

pub fn run(common: CommonArgs, as_json: bool, action: ConfigAction) -> anyhow::Result<()> {
    crate::offline::with_existing_instance(common, |state| async move {
        match action {
            ConfigAction::List { policy } => {
                let r = with_flags(&state, &policy.overrides().to_values()).await?;
                list(&r, as_json)
            }
            ConfigAction::Get { key, policy } => {
                let r = with_flags(&state, &policy.overrides().to_values()).await?;
                let Some((value, source)) = r.get(&key) else {
                    anyhow::bail!(
                        "{key} is not an instance setting (`usher config list` names them)"
                    );
                };
                if as_json {
                    let body =
                        serde_json::json!({"key": key, "value": value, "source": source.as_str()});
                    outln!("{}", serde_json::to_string_pretty(&body)?)?;
                } else {
                    outln!("{value}\t{}", source.as_str())?;
                }
                Ok(())
            }
            ConfigAction::Set { key, value } => {
                let parsed = if value == "default" {
                    None
                } else {
                    Some(instance_settings::parse_value(&key, &value).map_err(api_error)?)
                };
                let patch = SettingsPatch::from([(key.clone(), parsed)]);
                let ctx = RequestContext::system("cli");
                let r = settings_app::update(&state, &ctx, &patch)
                    .await
                    .map_err(api_error)?;
                let Some((value, source)) = r.get(&key) else {
                    anyhow::bail!("{key} is not an instance setting");
                };
                outln!("{key} = {value} ({})", source.as_str())?;
                outln!("A server started with a flag for it keeps the flag's value there.")?;
                outln!(
                    "A running server applies the change within its --key-refresh-secs (5 s by default)."
                )?;
                Ok(())
            }
            ConfigAction::Export { file } => {
                let doc = config_app::export(&state).await.map_err(api_error)?;
                let text = serde_json::to_string_pretty(&doc)? + "\n";
                match file {
                    Some(path) => std::fs::write(&path, text)
                        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display())),
                    None => Ok(outln!("{}", text.trim_end())?),
                }
            }
            ConfigAction::Diff { file } => {
                let wanted = read_document(&file).map_err(Unusable::from)?;
                let live = config_app::export(&state)
                    .await
                    .map_err(|e| Unusable::from(api_error(e)))?;
                let diffs = config_app::differences(&wanted, &live);
                print_differences(&diffs, as_json)?;
                if diffs.is_empty() {
                    Ok(())
                } else {
                    Err(Drift.into())
                }
            }
            ConfigAction::Apply { file, dry_run } => {
                let wanted = read_document(&file)?;
                let ctx = RequestContext::system("cli");
                let diffs = config_app::apply(&state, &ctx, &wanted, dry_run)
                    .await
                    .map_err(api_error)?;
                print_differences(&diffs, as_json)?;
                if !as_json {
                    if diffs.is_empty() {
                        outln!("Nothing to change.")?;
                    } else if dry_run {
                        outln!("Dry run: nothing was written.")?;
                    } else {
                        outln!(
                            "Applied {} change(s); a running server picks them up within its --key-refresh-secs.",
                            diffs.len()
                        )?;
                    }
                }
                Ok(())
            }
        }
    })
}

async fn stored_of(
    state: &AppState,
) -> anyhow::Result<usher_core::instance_settings::StoredSettings> {
    Ok(state.store.instance_settings(&state.instance.id).await?)
}

async fn with_flags(
    state: &AppState,
    flags: &std::collections::BTreeMap<String, serde_json::Value>,
) -> anyhow::Result<Resolved> {
    Ok(instance_settings::resolve(&stored_of(state).await?, flags))
}

fn list(r: &Resolved, as_json: bool) -> anyhow::Result<()> {
    let entries = r.entries();
    if as_json {
        let body: Vec<serde_json::Value> = entries
            .iter()
            .map(|(k, v, s)| serde_json::json!({"key": k, "value": v, "source": s.as_str()}))
            .collect();
        outln!("{}", serde_json::to_string_pretty(&body)?)?;
        return Ok(());
    }
    let width = entries.iter().map(|(k, ..)| k.len()).max().unwrap_or(0);
    outln!("{:width$}  {:>14}  SOURCE", "KEY", "VALUE")?;
    for (k, v, s) in entries {
        outln!("{k:width$}  {:>14}  {}", v.to_string(), s.as_str())?;
    }
    Ok(())
}

fn read_document(file: &Path) -> anyhow::Result<ConfigDocument> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    ConfigDocument::parse(&text)
        .map_err(|e| anyhow::anyhow!("{}: {}", file.display(), api_error(e)))
}

fn print_differences(diffs: &[Difference], as_json: bool) -> anyhow::Result<()> {
    if as_json {
        outln!("{}", serde_json::to_string_pretty(diffs)?)?;
        return Ok(());
    }
    for d in diffs {
        outln!("{}: {} (live) -> {} (file)", d.path, d.live, d.wanted)?;
    }
    Ok(())
}
