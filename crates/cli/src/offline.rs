//! What every command that works on the database with the server stopped needs: the
//! configuration its flags name, a check that an instance exists there, and a runtime.

use anyhow::bail;
use usher_server::config::ServerConfig;

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

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
