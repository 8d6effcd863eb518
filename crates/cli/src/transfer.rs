//! `usher export`, `usher import` and `usher migrate`.

use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use usher_core::clock::{Clock, SystemClock};
use usher_server::transfer::{clerk_csv, jsonl};

use crate::{CommonArgs, ImportFormat};

pub fn export(common: CommonArgs, output: Option<PathBuf>) -> anyhow::Result<()> {
    let cfg = crate::offline::config(common);
    crate::offline::runtime()?.block_on(async move {
        let store = usher_store::open(&cfg.database_url()).await.context("opening the database")?;
        let mut out: Box<dyn Write> = match &output {
            Some(path) => {
                let mut opts = std::fs::OpenOptions::new();
                opts.write(true).create(true).truncate(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    opts.mode(0o600); // the export holds password digests and signing keys
                }
                Box::new(BufWriter::new(opts.open(path).with_context(|| format!("creating {}", path.display()))?))
            }
            None => Box::new(BufWriter::new(std::io::stdout().lock())),
        };
        let (users, sessions) = jsonl::export(&store, &mut out, SystemClock.now_ms()).await?;
        out.flush()?;
        eprintln!("exported the instance, {users} users and {sessions} sessions (the file is sensitive: it holds password digests and signing keys)");
        Ok(())
    })
}

pub fn import(common: CommonArgs, file: PathBuf, format: ImportFormat) -> anyhow::Result<()> {
    let cfg = crate::offline::config(common);
    crate::offline::runtime()?.block_on(async move {
        std::fs::create_dir_all(&cfg.data_dir).ok();
        let store = usher_store::open(&cfg.database_url()).await.context("opening the database")?;
        let f = std::fs::File::open(&file).with_context(|| format!("opening {}", file.display()))?;
        let now = SystemClock.now_ms();
        match format {
            ImportFormat::Usher => {
                let report = jsonl::import(&store, &mut BufReader::new(f), "cli", now).await?;
                eprintln!("imported: {report}");
            }
            ImportFormat::ClerkCsv => {
                let (report, notes) = clerk_csv::import(&store, &mut BufReader::new(f), "cli", now).await?;
                eprintln!("imported: {report}");
                if notes.totp_dropped > 0 {
                    eprintln!(
                        "warning: {} users had TOTP secrets, which Usher cannot import yet; they will have to enrol again",
                        notes.totp_dropped
                    );
                }
            }
        }
        Ok(())
    })
}

/// Applies pending migrations and exits; `usher serve` also does this at start-up.
pub fn migrate(common: CommonArgs) -> anyhow::Result<()> {
    let cfg = crate::offline::config(common);
    crate::offline::runtime()?.block_on(async move {
        std::fs::create_dir_all(&cfg.data_dir).ok();
        usher_store::open(&cfg.database_url())
            .await
            .context("migrating the database")?;
        eprintln!("the database schema is up to date");
        Ok(())
    })
}
