//! The state file of a live import from Clerk: the source, the phase and how far into it the
//! import has written, and what it did so far. It is rewritten (write, then rename) after each
//! page is committed, so a rerun after an interruption continues after the last committed page;
//! a page committed but not yet recorded is read again, which changes nothing.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

/// The phases in the order they run: the organization settings first, roles before the
/// memberships that hold them, users and organizations before memberships and invitations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The instance's organization settings: one document, read and written once.
    Settings,
    Roles,
    Users,
    Organizations,
    Memberships,
    Invitations,
    Passwords,
    Done,
}

impl Phase {
    pub const ALL: [Phase; 7] = [
        Phase::Settings,
        Phase::Roles,
        Phase::Users,
        Phase::Organizations,
        Phase::Memberships,
        Phase::Invitations,
        Phase::Passwords,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Settings => "settings",
            Phase::Roles => "roles",
            Phase::Users => "users",
            Phase::Organizations => "organizations",
            Phase::Memberships => "memberships",
            Phase::Invitations => "invitations",
            Phase::Passwords => "passwords",
            Phase::Done => "done",
        }
    }

    pub fn next(self) -> Phase {
        match self {
            Phase::Settings => Phase::Roles,
            Phase::Roles => Phase::Users,
            Phase::Users => Phase::Organizations,
            Phase::Organizations => Phase::Memberships,
            Phase::Memberships => Phase::Invitations,
            Phase::Invitations => Phase::Passwords,
            Phase::Passwords | Phase::Done => Phase::Done,
        }
    }
}

/// What happened to the records of one kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCounts {
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
}

impl std::fmt::Display for KindCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} created, {} updated, {} unchanged",
            self.created, self.updated, self.unchanged
        )
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunCounts {
    pub settings: KindCounts,
    pub roles: KindCounts,
    pub users: KindCounts,
    pub organizations: KindCounts,
    pub memberships: KindCounts,
    pub invitations: KindCounts,
    pub passwords: KindCounts,
    /// Users with a TOTP app or backup codes at the source: those cannot be read, and the users
    /// enrol again.
    pub second_factors_dropped: i64,
    /// Rows of the password CSV whose user the source did not list.
    pub passwords_without_user: i64,
}

impl RunCounts {
    pub fn of(&mut self, phase: Phase) -> Option<&mut KindCounts> {
        match phase {
            Phase::Settings => Some(&mut self.settings),
            Phase::Roles => Some(&mut self.roles),
            Phase::Users => Some(&mut self.users),
            Phase::Organizations => Some(&mut self.organizations),
            Phase::Memberships => Some(&mut self.memberships),
            Phase::Invitations => Some(&mut self.invitations),
            Phase::Passwords => Some(&mut self.passwords),
            Phase::Done => None,
        }
    }

    pub fn get(&self, phase: Phase) -> KindCounts {
        let mut copy = self.clone();
        copy.of(phase).copied().unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportState {
    /// The source's API root: a state file continues only an import from the same source.
    pub source: String,
    pub phase: Phase,
    /// Records of the phase already written (the next page starts here).
    pub offset: i64,
    pub started_at: i64,
    pub updated_at: i64,
    #[serde(default)]
    pub counts: RunCounts,
}

impl ImportState {
    pub fn fresh(source: &str, now: i64) -> Self {
        Self {
            source: source.to_owned(),
            phase: Phase::Settings,
            offset: 0,
            started_at: now,
            updated_at: now,
            counts: RunCounts::default(),
        }
    }

    /// The state to run from: the file's when it records an unfinished import from `source`, a
    /// fresh one when there is none or the last one finished (a new full pass: idempotent).
    pub fn load_or_fresh(path: &Path, source: &str, now: i64) -> anyhow::Result<(Self, bool)> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Self::fresh(source, now), false));
            }
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let state: ImportState = serde_json::from_str(&text)
            .with_context(|| format!("{} is not an import state file", path.display()))?;
        if state.phase == Phase::Done {
            return Ok((Self::fresh(source, now), false));
        }
        if state.source != source {
            bail!(
                "{} records an unfinished import from {}; finish it, or remove the file to import from {source}",
                path.display(),
                state.source
            );
        }
        Ok((state, true))
    }

    /// Writes the state next to `path` and renames it over, so a crash leaves the old or the
    /// new state, never half of one.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let tmp = tmp_path(path);
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}
