//! The password digests of Clerk's CSV user export (`id`, `password_digest`,
//! `password_hasher`), merged into a live import: Clerk's Backend API never gives them out.

use std::path::Path;

use anyhow::{Context, bail};
use usher_core::ids::UserId;
use usher_core::passwords::digests::parse_imported;
use usher_core::users::model::PasswordDigest;

/// Every row of the export with a digest: the user's id and the digest, checked as the CSV
/// import checks it (a hasher Usher verifies, a well-formed digest).
pub fn read(path: &Path) -> anyhow::Result<Vec<(UserId, PasswordDigest)>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    parse(file).with_context(|| format!("reading {}", path.display()))
}

pub fn parse(input: impl std::io::Read) -> anyhow::Result<Vec<(UserId, PasswordDigest)>> {
    let (mut reader, headers) = super::clerk_csv::export_reader(input)?;
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(id_at), Some(digest_at)) = (column("id"), column("password_digest")) else {
        bail!("not a Clerk user export: it needs the id and password_digest columns");
    };
    let hasher_at = column("password_hasher");
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        let record = record.with_context(|| format!("CSV row {row}"))?;
        let digest = record.get(digest_at).unwrap_or("").trim();
        if digest.is_empty() {
            continue;
        }
        let id = record.get(id_at).unwrap_or("").trim();
        let Ok(id) = UserId::parse(id) else {
            bail!("CSV row {row}: '{id}' is not a Clerk user id");
        };
        let hasher = hasher_at
            .and_then(|at| record.get(at))
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .unwrap_or("bcrypt");
        let digest =
            parse_imported(hasher, digest).map_err(|e| anyhow::anyhow!("CSV row {row}: {e}"))?;
        out.push((id, digest));
    }
    Ok(out)
}
