//! `usher backup FILE` and `usher restore FILE` (SQLite). A backup is a consistent copy taken
//! while the server runs (`VACUUM INTO`); a restore checks the copy (an intact Usher database,
//! no migration newer than this build), refuses while the database is in use unless `--force`,
//! and replaces the database file in one rename. PostgreSQL has its own tools: pg_dump, or
//! continuous archiving (PITR).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use usher_store::sqlite::backup as store;

use crate::CommonArgs;
use crate::output::outln;

const POSTGRES: &str = "this database is PostgreSQL: back it up with PostgreSQL's own tools \
(`pg_dump --format=custom` and `pg_restore`, or continuous archiving for point-in-time recovery); \
`usher backup` and `usher restore` copy SQLite databases";

/// The SQLite file the flags name, or the PostgreSQL refusal.
fn sqlite_path(common: CommonArgs) -> anyhow::Result<PathBuf> {
    let cfg = crate::offline::config(common);
    let url = cfg.database_url();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        bail!("{POSTGRES}");
    }
    Ok(PathBuf::from(url.strip_prefix("sqlite://").unwrap_or(&url)))
}

pub fn backup(common: CommonArgs, file: PathBuf) -> anyhow::Result<()> {
    let db = sqlite_path(common)?;
    if !db.exists() {
        bail!("no Usher database at {}: nothing to back up", db.display());
    }
    if file.exists() {
        bail!("{} exists already: name a new file", file.display());
    }
    crate::offline::runtime()?.block_on(async {
        store::backup(&db, &file)
            .await
            .with_context(|| format!("copying {} to {}", db.display(), file.display()))?;
        restrict(&file)?;
        let info = store::inspect(&file)
            .await
            .map_err(|e| anyhow::anyhow!("the copy at {} fails its check: {e}", file.display()))?;
        outln!(
            "Backed up {} to {} (schema {}). It is as sensitive as the database: password digests, signing keys.",
            db.display(),
            file.display(),
            info.schema_version
        )?;
        Ok(())
    })
}

/// A copy holds signing keys and password digests: readable by its owner only.
fn restrict(file: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

pub fn restore(common: CommonArgs, file: PathBuf, force: bool) -> anyhow::Result<()> {
    let db = sqlite_path(common)?;
    crate::offline::runtime()?.block_on(async {
        let info = store::inspect(&file)
            .await
            .map_err(|e| anyhow::anyhow!("refusing to restore {}: {e}", file.display()))?;
        if !info.has_instance {
            bail!(
                "refusing to restore {}: it holds no instance",
                file.display()
            );
        }
        if db.exists() && !force && store::in_use(&db).await? {
            bail!(
                "{} is in use (is `usher serve` running on it?): stop the server first, or pass --force",
                db.display()
            );
        }
        let dir = db
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        // Copied beside the database, then renamed over it: a failure midway leaves it whole.
        let staged = dir.join(".usher-restore.sqlite");
        std::fs::copy(&file, &staged)
            .with_context(|| format!("copying {} to {}", file.display(), staged.display()))?;
        std::fs::File::open(&staged)?.sync_all()?;
        restrict(&staged)?;
        for suffix in ["-wal", "-shm"] {
            let mut side = db.clone().into_os_string();
            side.push(suffix);
            match std::fs::remove_file(&side) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("removing {side:?}")),
            }
        }
        std::fs::rename(&staged, &db)
            .with_context(|| format!("replacing {}", db.display()))?;
        outln!(
            "Restored {} from {} (schema {}; this build knows {}: `usher serve` applies the rest).",
            db.display(),
            file.display(),
            info.schema_version,
            info.known_version
        )?;
        outln!(
            "The secret key itself is not in the database: keep using yours, or `usher keys rotate-secret`."
        )?;
        Ok(())
    })
}
