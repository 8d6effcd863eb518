//! What every command that works on the database with the server stopped needs: the
//! configuration its flags name, a check that an instance exists there, a runtime, and the
//! instance's state opened in it.

use std::sync::Arc;

use anyhow::bail;
use usher_core::clock::SystemClock;
use usher_server::config::ServerConfig;
use usher_server::state::AppState;

use crate::CommonArgs;

/// The configuration `--data-dir` / `--database-url` name.
pub fn config(common: CommonArgs) -> ServerConfig {
    ServerConfig {
        database_url: common.database_url,
        ..ServerConfig::with_data_dir(common.data_dir)
    }
}

/// Refuses to create an empty database where the operator expected their instance.
pub fn ensure_instance(cfg: &ServerConfig) -> anyhow::Result<()> {
    if cfg.database_url.is_none() && !cfg.data_dir.join("usher.sqlite").exists() {
        bail!(
            "no Usher instance in {} yet: run `usher serve` first",
            cfg.data_dir.display()
        );
    }
    Ok(())
}

/// The configuration, once an instance is known to exist there.
pub fn existing_instance(common: CommonArgs) -> anyhow::Result<ServerConfig> {
    let cfg = config(common);
    ensure_instance(&cfg)?;
    Ok(cfg)
}

/// Runs `work` on the instance's state, opened with the system clock, in a fresh runtime.
pub fn with_state<T, F>(cfg: &ServerConfig, work: impl FnOnce(AppState) -> F) -> anyhow::Result<T>
where
    F: Future<Output = anyhow::Result<T>>,
{
    runtime()?.block_on(async move {
        let state = usher_server::offline::open(cfg, Arc::new(SystemClock)).await?;
        work(state).await
    })
}

/// Runs `work` on the state of the instance that must already exist (`existing_instance`).
pub fn with_existing_instance<T, F>(
    common: CommonArgs,
    work: impl FnOnce(AppState) -> F,
) -> anyhow::Result<T>
where
    F: Future<Output = anyhow::Result<T>>,
{
    with_state(&existing_instance(common)?, work)
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
