//! Clerk's user export (the dashboard's CSV): `id, first_name, last_name, username,
//! primary_email_address, primary_phone_number, verified_email_addresses,
//! unverified_email_addresses, verified_phone_numbers, unverified_phone_numbers, totp_secret,
//! password_digest, password_hasher`. Multi-valued cells are separated by `|` or `,`. Users keep
//! their Clerk ids, so ids your app stored keep matching.

use std::collections::HashMap;
use std::io::Read;

use anyhow::{Context, bail};
use usher_core::ids::{InstanceId, UserId};
use usher_core::instance::InstanceSettings;
use usher_core::passwords::PasswordInput;
use usher_core::users::User;
use usher_core::users::create::{NewUser, validate};
use usher_core::users::model::Verification;

use super::{ImportReport, SharedStore, import_audit};

/// What a Clerk CSV import could not carry over, for the operator to see.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ClerkImportNotes {
    /// Users whose TOTP secret was dropped: Usher cannot import TOTP yet, so they re-enrol.
    pub totp_dropped: usize,
}

fn split_multi(cell: &str) -> Vec<String> {
    cell.split(['|', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Builds a user from one CSV row (a map of column to cell).
pub fn user_from_row(
    row: &HashMap<String, String>,
    settings: &InstanceSettings,
    now: i64,
) -> anyhow::Result<(User, bool)> {
    let cell = |name: &str| row.get(name).map(|s| s.trim()).filter(|s| !s.is_empty());
    let mut emails: Vec<String> = cell("primary_email_address")
        .map(str::to_owned)
        .into_iter()
        .collect();
    let mut unverified_emails = Vec::new();
    for e in split_multi(cell("verified_email_addresses").unwrap_or("")) {
        if !emails.iter().any(|x| x.eq_ignore_ascii_case(&e)) {
            emails.push(e);
        }
    }
    for e in split_multi(cell("unverified_email_addresses").unwrap_or("")) {
        if !emails.iter().any(|x| x.eq_ignore_ascii_case(&e)) {
            unverified_emails.push(e.clone());
            emails.push(e);
        }
    }
    let mut phones: Vec<String> = cell("primary_phone_number")
        .map(str::to_owned)
        .into_iter()
        .collect();
    let mut unverified_phones = Vec::new();
    for p in split_multi(cell("verified_phone_numbers").unwrap_or("")) {
        if !phones.contains(&p) {
            phones.push(p);
        }
    }
    for p in split_multi(cell("unverified_phone_numbers").unwrap_or("")) {
        if !phones.contains(&p) {
            unverified_phones.push(p.clone());
            phones.push(p);
        }
    }
    let input = NewUser {
        email_addresses: emails,
        phone_numbers: phones,
        username: cell("username").map(str::to_owned),
        first_name: cell("first_name").map(str::to_owned),
        last_name: cell("last_name").map(str::to_owned),
        password_digest: cell("password_digest").map(str::to_owned),
        password_hasher: cell("password_digest")
            .and(cell("password_hasher"))
            .map(str::to_owned),
        skip_password_requirement: true,
        ..Default::default()
    };
    let mut validated = validate(input, settings)?;
    let digest = match std::mem::replace(&mut validated.password, PasswordInput::None) {
        PasswordInput::Imported(d) => Some(d),
        _ => None,
    };
    let mut user = validated.into_user(digest, settings, now);
    if let Some(id) = cell("id") {
        let Ok(id) = UserId::parse(id) else {
            bail!("'{id}' is not a Clerk user id");
        };
        user.id = id;
    }
    for e in &mut user.email_addresses {
        if unverified_emails
            .iter()
            .any(|u| u.eq_ignore_ascii_case(&e.email_address))
        {
            e.verification = Verification::Unverified;
        }
    }
    for p in &mut user.phone_numbers {
        if unverified_phones.iter().any(|u| u == &p.phone_number) {
            p.verification = Verification::Unverified;
        }
    }
    Ok((user, cell("totp_secret").is_some()))
}

/// A reader of Clerk's CSV user export, read as Clerk writes it (cells trimmed, rows of
/// varying length), and the export's column names in lower case.
pub(super) fn export_reader<R: Read>(input: R) -> anyhow::Result<(csv::Reader<R>, Vec<String>)> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(input);
    let headers = reader
        .headers()
        .context("reading the CSV header")?
        .iter()
        .map(str::to_lowercase)
        .collect();
    Ok((reader, headers))
}

pub async fn import(
    store: &SharedStore,
    input: &mut dyn Read,
    actor: &str,
    now: i64,
) -> anyhow::Result<(ImportReport, ClerkImportNotes)> {
    let instance = store
        .load_instance()
        .await?
        .context("the database has no instance yet: run `usher serve` once first")?;
    // The stored settings (the password rules users are imported under), not the record's.
    let stored = store.instance_settings(&instance.id).await?;
    let settings = usher_core::instance_settings::resolve(&stored, &Default::default()).settings;
    let (mut reader, headers) = export_reader(input)?;
    if !headers
        .iter()
        .any(|h| h == "primary_email_address" || h == "username" || h == "primary_phone_number")
    {
        bail!(
            "not a Clerk user export: no primary_email_address, primary_phone_number or username column"
        );
    }
    let mut notes = ClerkImportNotes::default();
    let mut users = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("CSV row {}", i + 2))?;
        let row: HashMap<String, String> = headers
            .iter()
            .cloned()
            .zip(record.iter().map(str::to_owned))
            .collect();
        let (user, had_totp) =
            user_from_row(&row, &settings, now).with_context(|| format!("CSV row {}", i + 2))?;
        notes.totp_dropped += usize::from(had_totp);
        users.push(user);
    }
    let mut report = ImportReport::default();
    for chunk in users.chunks(super::BATCH) {
        import_chunk(store, &instance.id, chunk, &mut report, actor, now).await?;
    }
    Ok((report, notes))
}

async fn import_chunk(
    store: &SharedStore,
    ins: &InstanceId,
    users: &[User],
    report: &mut ImportReport,
    actor: &str,
    now: i64,
) -> anyhow::Result<()> {
    let mut changes = usher_core::store::Changeset::default();
    let mut n = 0;
    for u in users {
        if store.get_user(ins, &u.id).await?.is_some() {
            report.users_skipped += 1;
            continue;
        }
        changes.push(usher_core::store::Write::InsertUser(u.clone()));
        n += 1;
    }
    if n == 0 {
        return Ok(());
    }
    changes.push(import_audit(ins, actor, now));
    store.commit(ins, changes).await.map_err(|e| match e {
        usher_core::store::StoreError::IdentifierTaken(kind) => {
            anyhow::anyhow!(
                "an imported user's {} belongs to another user already in this database",
                kind.as_str()
            )
        }
        other => other.into(),
    })?;
    report.users_imported += n;
    Ok(())
}
