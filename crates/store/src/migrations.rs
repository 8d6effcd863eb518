//! The schema's migrations, one file each under `migrations/<backend>/`, embedded by the build
//! script and applied by sqlx's migrator: each in its own transaction, recorded with its checksum
//! in `_sqlx_migrations`, so a migration edited after it was applied is refused rather than
//! silently skipped. `usher_schema` (the version table of the first releases) is kept in step, so
//! an older build still sees a schema newer than it knows and refuses it.

use std::borrow::Cow;

use sqlx::migrate::{MigrateError, Migration, MigrationType, Migrator};
use usher_core::store::{StoreError, StoreResult};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
}

pub(crate) use embedded::{POSTGRES, SQLITE};

/// The newest version a list knows.
pub(crate) fn known(list: &[(i64, &str, &str)]) -> i64 {
    list.last().map_or(0, |m| m.0)
}

pub(crate) fn migrator(list: &'static [(i64, &'static str, &'static str)]) -> Migrator {
    let migrations = list
        .iter()
        .map(|(version, description, sql)| {
            Migration::new(
                *version,
                Cow::Borrowed(*description),
                MigrationType::Simple,
                sqlx::SqlSafeStr::into_sql_str(*sql),
                false,
            )
        })
        .collect();
    let mut migrator = Migrator::with_migrations(migrations);
    // Usher takes its own lock around the whole run (PostgreSQL) or has one writer (SQLite).
    migrator.set_locking(false);
    migrator
}

/// Refuses a database that a newer build has migrated.
pub(crate) fn refuse_newer(found: i64, list: &[(i64, &str, &str)]) -> StoreResult<()> {
    let known = known(list);
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    Ok(())
}

pub(crate) fn migrate_err(e: MigrateError, list: &[(i64, &str, &str)]) -> StoreError {
    match e {
        MigrateError::VersionMismatch(version) => StoreError::MigrationChanged { version },
        MigrateError::VersionMissing(found) => StoreError::SchemaTooNew {
            found,
            known: known(list),
        },
        other => StoreError::backend("migrating the database", other),
    }
}
