//! Usher's export format: JSON Lines. The first line is a header, then the instance (with its
//! secret-key hashes and signing keys), then every user (with password digests) and session.
//! Lines that carry secrets say `"sensitive": true`; the file as a whole must be kept like a
//! database backup.

use std::io::{BufRead, Write};
use usher_core::ids::{InstanceId, SecretKeyId};

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use usher_core::instance::{Instance, SecretKeyRecord};
use usher_core::sessions::Client;
use usher_core::sessions::Session;
use usher_core::sessions::query::{SessionFilter, SessionQuery};
use usher_core::signing_keys::SigningKeyRecord;
use usher_core::store::{Changeset, StoreError, Write as StoreWrite};
use usher_core::users::User;
use usher_core::users::query::{Page, UserFilter, UserOrder, UserOrderField};
use usher_core::webhooks::WebhookEndpoint;

use super::{BATCH, ImportReport, SharedStore, import_audit};

pub const FORMAT_VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct SecretKeyLine {
    id: SecretKeyId,
    /// Exports before named secret keys have none: the first key's name then.
    #[serde(default = "first_secret_key_name")]
    name: String,
    sha256_hex: String,
    hint: String,
    created_at: i64,
    #[serde(default)]
    expires_at: Option<i64>,
}

fn first_secret_key_name() -> String {
    usher_core::instance::FIRST_SECRET_KEY_NAME.to_owned()
}

#[derive(Serialize, Deserialize)]
struct SigningKeyLine {
    kid: String,
    active: bool,
    created_at: i64,
    private_pkcs8_base64: String,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Line {
    UsherExport {
        version: u32,
        exported_at: i64,
    },
    Instance {
        instance: Instance,
        secret_keys: Vec<SecretKeyLine>,
        signing_keys: Vec<SigningKeyLine>,
        sensitive: bool,
    },
    WebhookEndpoint {
        endpoint: Box<WebhookEndpoint>,
        sensitive: bool,
    },
    User {
        user: Box<User>,
        sensitive: bool,
    },
    Session {
        session: Session,
    },
}

fn write_line(out: &mut dyn Write, line: &Line) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, line)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Writes the whole instance to `out`. Returns how many users and sessions were written.
pub async fn export(
    store: &SharedStore,
    out: &mut dyn Write,
    now: i64,
) -> anyhow::Result<(usize, usize)> {
    let instance = store
        .load_instance()
        .await?
        .context("the database has no instance to export")?;
    let ins = instance.id.clone();
    let secret_keys = store
        .secret_keys(&ins)
        .await?
        .into_iter()
        .map(|k| SecretKeyLine {
            id: k.id,
            name: k.name,
            sha256_hex: hex::encode(&k.hash),
            hint: k.hint,
            created_at: k.created_at,
            expires_at: k.expires_at,
        })
        .collect();
    let signing_keys = store
        .signing_keys(&ins)
        .await?
        .into_iter()
        .map(|k| SigningKeyLine {
            kid: k.kid,
            active: k.active,
            created_at: k.created_at,
            private_pkcs8_base64: STANDARD.encode(&k.private_pkcs8_der),
        })
        .collect();
    write_line(
        out,
        &Line::UsherExport {
            version: FORMAT_VERSION,
            exported_at: now,
        },
    )?;
    write_line(
        out,
        &Line::Instance {
            instance,
            secret_keys,
            signing_keys,
            sensitive: true,
        },
    )?;
    // Pending deliveries stay behind: drain the queue before exporting, or resync afterwards.
    let endpoints = store.webhook_endpoints(&ins).await?;
    for endpoint in endpoints {
        write_line(
            out,
            &Line::WebhookEndpoint {
                endpoint: Box::new(endpoint),
                sensitive: true,
            },
        )?;
    }

    let oldest_first = UserOrder {
        field: UserOrderField::CreatedAt,
        descending: false,
    };
    let mut users = 0;
    loop {
        let page = Page {
            limit: 500,
            offset: users as i64,
        };
        let batch = store
            .list_users(&ins, &UserFilter::default(), oldest_first, &page)
            .await?;
        for user in &batch {
            let sensitive = user.password.is_some();
            write_line(
                out,
                &Line::User {
                    user: Box::new(user.clone()),
                    sensitive,
                },
            )?;
        }
        users += batch.len();
        if batch.len() < 500 {
            break;
        }
    }
    let mut sessions = 0;
    loop {
        let query = SessionQuery {
            filter: SessionFilter::default(),
            page: Page {
                limit: 500,
                offset: sessions as i64,
            },
            now,
        };
        let (batch, _) = store.list_sessions(&ins, &query).await?;
        for session in batch.iter().cloned() {
            write_line(out, &Line::Session { session })?;
        }
        sessions += batch.len();
        if batch.len() < 500 {
            break;
        }
    }
    out.flush()?;
    Ok((users, sessions))
}

/// Reads an export into `store`. An empty database gets the exported instance (same id, keys and
/// secret-key hashes, so apps keep working unchanged); otherwise the instance must be the same
/// one. Users and sessions already present are skipped, so an interrupted import can be re-run.
pub async fn import(
    store: &SharedStore,
    input: &mut dyn BufRead,
    actor: &str,
    now: i64,
) -> anyhow::Result<ImportReport> {
    let mut report = ImportReport::default();
    let mut lines = input.lines();
    let mut lineno = 0usize;
    let mut next = || -> anyhow::Result<Option<Line>> {
        for raw in lines.by_ref() {
            lineno += 1;
            let raw = raw?;
            if raw.trim().is_empty() {
                continue;
            }
            return serde_json::from_str(&raw)
                .map(Some)
                .with_context(|| format!("line {lineno} is not an Usher export line"));
        }
        Ok(None)
    };
    match next()? {
        Some(Line::UsherExport { version, .. }) if version <= FORMAT_VERSION => {}
        Some(Line::UsherExport { version, .. }) => bail!(
            "this export has format version {version}; this Usher reads up to {FORMAT_VERSION}"
        ),
        _ => bail!("not an Usher export: the first line must be the usher_export header"),
    }
    let Some(Line::Instance {
        instance,
        secret_keys,
        signing_keys,
        ..
    }) = next()?
    else {
        bail!("the second line of an Usher export must describe the instance");
    };
    let ins = instance.id.clone();
    match store.load_instance().await? {
        Some(existing) if existing.id != ins => {
            bail!(
                "this database holds instance {}, but the export is of {}; import into an empty database",
                existing.id,
                ins
            )
        }
        Some(_) => {}
        None => {
            recreate_instance(store, &instance, secret_keys, signing_keys).await?;
            report.instance_created = true;
        }
    }

    let mut users: Vec<User> = Vec::new();
    let mut sessions: Vec<Session> = Vec::new();
    while let Some(line) = next()? {
        match line {
            Line::User { user, .. } => {
                users.push(*user);
                if users.len() >= BATCH {
                    import_users(
                        store,
                        &ins,
                        std::mem::take(&mut users),
                        &mut report,
                        actor,
                        now,
                    )
                    .await?;
                }
            }
            Line::Session { session } => sessions.push(session),
            Line::WebhookEndpoint { endpoint, .. } => {
                if store.webhook_endpoint(&ins, &endpoint.id).await?.is_some() {
                    report.endpoints_skipped += 1;
                } else {
                    let mut changes = Changeset::default();
                    changes.push(StoreWrite::InsertWebhookEndpoint(*endpoint));
                    store.commit(&ins, changes).await?;
                    report.endpoints_imported += 1;
                }
            }
            Line::UsherExport { .. } | Line::Instance { .. } => {
                bail!("line {lineno}: a header or instance line in the middle of an export")
            }
        }
    }
    import_users(store, &ins, users, &mut report, actor, now).await?;
    import_sessions(store, &ins, sessions, &mut report).await?;
    Ok(report)
}

async fn recreate_instance(
    store: &SharedStore,
    instance: &Instance,
    secret_keys: Vec<SecretKeyLine>,
    mut signing_keys: Vec<SigningKeyLine>,
) -> anyhow::Result<()> {
    let secrets = secret_keys
        .into_iter()
        .map(|k| {
            Ok(SecretKeyRecord {
                id: k.id,
                instance_id: instance.id.clone(),
                name: k.name,
                hash: hex::decode(&k.sha256_hex).context("bad secret-key hash")?,
                hint: k.hint,
                created_at: k.created_at,
                expires_at: k.expires_at,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (first_secret, other_secrets) = secrets
        .split_first()
        .context("the export has no secret key")?;
    // Recreate keys oldest first with the active key last, so that each rotation leaves exactly
    // the exported active key signing and the others published.
    signing_keys.sort_by_key(|k| (k.active, k.created_at));
    let records = signing_keys
        .into_iter()
        .map(|k| {
            Ok(SigningKeyRecord {
                kid: k.kid,
                instance_id: instance.id.clone(),
                private_pkcs8_der: STANDARD
                    .decode(k.private_pkcs8_base64)
                    .context("bad signing key")?,
                active: true,
                created_at: k.created_at,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let (first_key, rest) = records
        .split_first()
        .context("the export has no signing key")?;
    usher_core::signing_keys::SigningKey::from_record(first_key)?;
    store
        .create_instance(instance, first_secret, first_key)
        .await?;
    for key in rest {
        usher_core::signing_keys::SigningKey::from_record(key)?;
        store.rotate_signing_key(&instance.id, key).await?;
    }
    if !other_secrets.is_empty() {
        let mut cs = usher_core::store::Changeset::default();
        for k in other_secrets {
            cs.push(usher_core::store::Write::InsertSecretKey(k.clone()));
        }
        store.commit(&instance.id, cs).await?;
    }
    Ok(())
}

async fn import_users(
    store: &SharedStore,
    ins: &InstanceId,
    users: Vec<User>,
    report: &mut ImportReport,
    actor: &str,
    now: i64,
) -> anyhow::Result<()> {
    let mut changes = Changeset::default();
    let mut count = 0;
    for mut user in users {
        if store.get_user(ins, &user.id).await?.is_some() {
            report.users_skipped += 1;
            continue;
        }
        user.version = 0;
        changes.push(StoreWrite::InsertUser(user));
        count += 1;
    }
    if count == 0 {
        return Ok(());
    }
    changes.push(import_audit(ins, actor, now));
    match store.commit(ins, changes).await {
        Ok(()) => {}
        Err(StoreError::IdentifierTaken(kind)) => {
            bail!(
                "an imported user's {} belongs to another user already in this database",
                kind.as_str()
            )
        }
        Err(e) => return Err(e.into()),
    }
    report.users_imported += count;
    Ok(())
}

async fn import_sessions(
    store: &SharedStore,
    ins: &InstanceId,
    sessions: Vec<Session>,
    report: &mut ImportReport,
) -> anyhow::Result<()> {
    let mut clients = std::collections::HashSet::new();
    for chunk in sessions.chunks(BATCH) {
        let mut changes = Changeset::default();
        for s in chunk {
            if store.get_session(ins, &s.id).await?.is_some() {
                report.sessions_skipped += 1;
                continue;
            }
            if clients.insert(s.client_id.clone()) {
                changes.push(StoreWrite::InsertClient(Client {
                    id: s.client_id.clone(),
                    updated_at: s.updated_at,
                    ..Client::new(None, s.created_at)
                }));
            }
            let mut s = s.clone();
            s.version = 0;
            changes.push(StoreWrite::InsertSession(s));
            report.sessions_imported += 1;
        }
        if !changes.writes.is_empty() {
            store.commit(ins, changes).await?;
        }
    }
    Ok(())
}
