//! `usher import --from-clerk`: a live import through a Clerk Backend API, phase by phase
//! (the organization settings, custom roles, users, organizations, memberships, pending invitations, then the password
//! digests of Clerk's CSV export). Each page read is written in one transaction, then recorded
//! in the state file; a record already present with the same id is updated where the source
//! differs and left alone otherwise, so a rerun continues an interrupted import and a second
//! full run changes nothing. The run ends with a reconciliation of the source's counts against
//! this database's.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, bail};
use usher_core::audit::AuditEntry;
use usher_core::clock::Clock;
use usher_core::ids::{AuditId, InstanceId, UserId};
use usher_core::organizations::invitations::{
    InvitationQuery, InvitationStatus, OrganizationInvitation,
};
use usher_core::organizations::query::{MembershipQuery, OrganizationQuery};
use usher_core::organizations::{Organization, OrganizationMembership};
use usher_core::roles::system::is_system_role;
use usher_core::store::{Changeset, StoreError, Write};
use usher_core::users::User;
use usher_core::users::model::PasswordDigest;
use usher_core::users::query::{Page, UserFilter};

use super::SharedStore;
use super::clerk_api::{self as map};
use super::clerk_source::ClerkSource;
use super::clerk_state::{ImportState, KindCounts, Phase, RunCounts};

/// What the import reports while it runs.
#[derive(Debug, Clone)]
pub struct Progress {
    pub phase: Phase,
    pub done: i64,
    /// The source's total for the phase, when it says.
    pub total: Option<i64>,
    pub counts: KindCounts,
}

pub struct Options {
    pub state_path: PathBuf,
    /// Records asked for per page (and written per transaction), 1 to 500.
    pub batch: i64,
    /// Clerk's CSV user export, for the password digests the API does not give.
    pub passwords: Option<PathBuf>,
    /// Set (by Ctrl-C) to stop after the page being written.
    pub stop: Arc<AtomicBool>,
    pub actor: String,
}

/// One kind's count at the source and here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub kind: &'static str,
    pub source: i64,
    pub usher: i64,
}

pub enum Outcome {
    Finished {
        counts: RunCounts,
        tallies: Vec<Tally>,
        resumed: bool,
    },
    /// Stopped on request after a committed page; the state file says where to go on.
    Stopped { phase: Phase, offset: i64 },
}

pub async fn run(
    store: &SharedStore,
    source: &ClerkSource,
    options: &Options,
    clock: &dyn Clock,
    progress: &mut dyn FnMut(&Progress),
) -> anyhow::Result<Outcome> {
    if !(1..=500).contains(&options.batch) {
        bail!("--batch must be between 1 and 500");
    }
    let instance = store
        .load_instance()
        .await?
        .context("the database has no instance yet: run `usher serve` once first")?;
    let ins = instance.id;
    let passwords = match &options.passwords {
        Some(path) => super::clerk_passwords::read(path)?,
        None => Vec::new(),
    };
    let (mut state, resumed) =
        ImportState::load_or_fresh(&options.state_path, source.base_url(), clock.now_ms())?;
    let mut run = Run {
        store,
        source,
        ins: &ins,
        options,
        clock,
    };
    while state.phase != Phase::Done {
        let phase = state.phase;
        let total = run.total(phase, passwords.len()).await?;
        loop {
            if options.stop.load(Ordering::SeqCst) {
                state.save(&options.state_path)?;
                return Ok(Outcome::Stopped {
                    phase,
                    offset: state.offset,
                });
            }
            let read = run
                .page(phase, state.offset, &passwords, &mut state.counts)
                .await
                .with_context(|| {
                    format!("importing {} from offset {}", phase.as_str(), state.offset)
                })?;
            state.offset += read;
            state.updated_at = clock.now_ms();
            state.save(&options.state_path)?;
            progress(&Progress {
                phase,
                done: state.offset,
                total,
                counts: state.counts.get(phase),
            });
            if read < options.batch || phase == Phase::Settings {
                break;
            }
        }
        state.phase = phase.next();
        state.offset = 0;
        state.save(&options.state_path)?;
    }
    let tallies = run.reconcile().await?;
    Ok(Outcome::Finished {
        counts: state.counts,
        tallies,
        resumed,
    })
}

struct Run<'a> {
    store: &'a SharedStore,
    source: &'a ClerkSource,
    ins: &'a InstanceId,
    options: &'a Options,
    clock: &'a dyn Clock,
}

impl Run<'_> {
    /// How many records the phase has at the source.
    async fn total(&self, phase: Phase, passwords: usize) -> anyhow::Result<Option<i64>> {
        Ok(match phase {
            Phase::Settings => Some(1),
            Phase::Roles => Some(self.source_total("/v1/organization_roles", &[]).await?),
            Phase::Users => Some(self.source.user_count().await?),
            Phase::Organizations => Some(self.source_total("/v1/organizations", &[]).await?),
            Phase::Memberships => Some(
                self.source_total("/v1/organization_memberships", &[])
                    .await?,
            ),
            Phase::Invitations => Some(
                self.source_total("/v1/organization_invitations", &[("status", "pending")])
                    .await?,
            ),
            Phase::Passwords => Some(i64::try_from(passwords).unwrap_or(i64::MAX)),
            Phase::Done => None,
        })
    }

    async fn source_total(&self, path: &str, extra: &[(&str, &str)]) -> anyhow::Result<i64> {
        Ok(self.source.list(path, extra, 0, 1).await?.total_count)
    }

    /// Reads and writes one page of `phase` from `offset`; how many records it read.
    async fn page(
        &mut self,
        phase: Phase,
        offset: i64,
        passwords: &[(UserId, PasswordDigest)],
        counts: &mut RunCounts,
    ) -> anyhow::Result<i64> {
        let batch = self.options.batch;
        let asc = [("order_by", "+created_at")];
        let mut changes = Changeset::default();
        let mut tally = KindCounts::default();
        let read = match phase {
            Phase::Settings => {
                self.settings(&mut changes, &mut tally).await?;
                1
            }
            Phase::Roles => {
                let page = self
                    .source
                    .list("/v1/organization_roles", &[], offset, batch)
                    .await?;
                self.roles(&page.data, &mut changes, &mut tally).await?;
                page.data.len()
            }
            Phase::Users => {
                let page = self.source.users(offset, batch).await?;
                let dropped = self.users(&page, &mut changes, &mut tally).await?;
                counts.second_factors_dropped += dropped;
                page.len()
            }
            Phase::Organizations => {
                let page = self
                    .source
                    .list("/v1/organizations", &asc, offset, batch)
                    .await?;
                self.organizations(&page.data, &mut changes, &mut tally)
                    .await?;
                page.data.len()
            }
            Phase::Memberships => {
                let path = "/v1/organization_memberships";
                let page = self.source.list(path, &asc, offset, batch).await?;
                self.memberships(&page.data, &mut changes, &mut tally)
                    .await?;
                page.data.len()
            }
            Phase::Invitations => {
                let pending = [("status", "pending")];
                let path = "/v1/organization_invitations";
                let page = self.source.list(path, &pending, offset, batch).await?;
                self.invitations(&page.data, &mut changes, &mut tally)
                    .await?;
                page.data.len()
            }
            Phase::Passwords => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX);
                let size = usize::try_from(batch).unwrap_or(1);
                let rows = passwords.get(start..).unwrap_or(&[]);
                let rows = &rows[..rows.len().min(size)];
                let missing = self.passwords(rows, &mut changes, &mut tally).await?;
                counts.passwords_without_user += missing;
                rows.len()
            }
            Phase::Done => 0,
        };
        if !changes.writes.is_empty() {
            changes.push(audit(
                self.ins,
                &self.options.actor,
                phase,
                self.clock.now_ms(),
            ));
            self.store
                .commit(self.ins, changes)
                .await
                .map_err(|e| refusal(phase, e))?;
        }
        if let Some(c) = counts.of(phase) {
            c.created += tally.created;
            c.updated += tally.updated;
            c.unchanged += tally.unchanged;
        }
        Ok(i64::try_from(read).unwrap_or(i64::MAX))
    }

    /// Clerk's organization settings (`GET /v1/instance/organization_settings`) as Usher's
    /// stored instance settings of the same meaning.
    async fn settings(
        &self,
        changes: &mut Changeset,
        tally: &mut KindCounts,
    ) -> anyhow::Result<()> {
        let source = self
            .source
            .get_object("/v1/instance/organization_settings")
            .await?;
        let patch = map::settings_patch(&source);
        let mut stored = self.store.instance_settings(self.ins).await?;
        let changed =
            usher_core::instance_settings::apply(&mut stored, &patch, self.clock.now_ms())
                .map_err(|e| anyhow::anyhow!("the source's organization settings: {e}"))?;
        if changed {
            changes.push(Write::PutInstanceSettings(stored));
            tally.updated += 1;
        } else {
            tally.unchanged += 1;
        }
        Ok(())
    }

    async fn roles(
        &self,
        page: &[serde_json::Value],
        changes: &mut Changeset,
        tally: &mut KindCounts,
    ) -> anyhow::Result<()> {
        let roles = self.store.organization_roles(self.ins).await?;
        let permissions = self.store.organization_permissions(self.ins).await?;
        let mut known_permissions: Vec<String> = permissions.into_iter().map(|p| p.key).collect();
        for v in page {
            let source = map::role_from_clerk(v)?;
            if is_system_role(&source.role.key) {
                continue;
            }
            for p in source.permissions {
                if !known_permissions.contains(&p.key) {
                    known_permissions.push(p.key.clone());
                    changes.push(Write::PutOrganizationPermission(p));
                }
            }
            let mut wanted = source.role;
            match roles.iter().find(|r| r.key == wanted.key) {
                None => {
                    changes.push(Write::PutOrganizationRole(wanted));
                    tally.created += 1;
                }
                Some(existing) => {
                    wanted.id = existing.id.clone();
                    if wanted == *existing {
                        tally.unchanged += 1;
                    } else {
                        changes.push(Write::PutOrganizationRole(wanted));
                        tally.updated += 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// Returns how many of the users had a second factor that could not come over.
    async fn users(
        &self,
        page: &[serde_json::Value],
        changes: &mut Changeset,
        tally: &mut KindCounts,
    ) -> anyhow::Result<i64> {
        let now = self.clock.now_ms();
        let incoming = page
            .iter()
            .map(|v| map::user_from_clerk(v, now))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let ids: Vec<UserId> = incoming.iter().map(|s| s.user.id.clone()).collect();
        let stored: HashMap<UserId, _> = self
            .store
            .users_by_ids(self.ins, &ids)
            .await?
            .into_iter()
            .map(|u| (u.id.clone(), u))
            .collect();
        let mut dropped = 0;
        for s in incoming {
            dropped += i64::from(s.second_factor_dropped);
            let existing = stored.get(&s.user.id);
            USERS.record(s.user, existing, changes, tally);
        }
        Ok(dropped)
    }

    async fn organizations(
        &self,
        page: &[serde_json::Value],
        changes: &mut Changeset,
        tally: &mut KindCounts,
    ) -> anyhow::Result<()> {
        let incoming = page
            .iter()
            .map(map::organization_from_clerk)
            .collect::<anyhow::Result<Vec<_>>>()?;
        let ids: Vec<_> = incoming.iter().map(|o| o.id.clone()).collect();
        let stored = self.store.organizations_by_ids(self.ins, &ids).await?;
        for org in incoming {
            let existing = stored.iter().find(|s| s.id == org.id);
            ORGANIZATIONS.record(org, existing, changes, tally);
        }
        Ok(())
    }

    async fn memberships(
        &self,
        page: &[serde_json::Value],
        changes: &mut Changeset,
        tally: &mut KindCounts,
    ) -> anyhow::Result<()> {
        for v in page {
            let m = map::membership_from_clerk(v)?;
            let existing = self
                .store
                .get_membership(self.ins, &m.organization_id, &m.user_id)
                .await?;
            MEMBERSHIPS.record(m, existing.as_ref(), changes, tally);
        }
        Ok(())
    }

    async fn invitations(
        &self,
        page: &[serde_json::Value],
        changes: &mut Changeset,
        tally: &mut KindCounts,
    ) -> anyhow::Result<()> {
        for v in page {
            let inv = map::invitation_from_clerk(v)?;
            let existing = self
                .store
                .get_organization_invitation(self.ins, &inv.id)
                .await?;
            INVITATIONS.record(inv, existing.as_ref(), changes, tally);
        }
        Ok(())
    }

    /// Sets the digests on the users present; returns how many rows named no user here.
    async fn passwords(
        &self,
        rows: &[(UserId, PasswordDigest)],
        changes: &mut Changeset,
        tally: &mut KindCounts,
    ) -> anyhow::Result<i64> {
        let ids: Vec<UserId> = rows.iter().map(|(id, _)| id.clone()).collect();
        let stored = self.store.users_by_ids(self.ins, &ids).await?;
        let now = self.clock.now_ms();
        let mut missing = 0;
        for (id, digest) in rows {
            let Some(user) = stored.iter().find(|u| &u.id == id) else {
                missing += 1;
                continue;
            };
            if user.password.as_ref() == Some(digest) {
                tally.unchanged += 1;
                continue;
            }
            let mut user = user.clone();
            user.set_password(digest.clone(), now);
            changes.push(Write::UpdateUser(user));
            tally.updated += 1;
        }
        Ok(missing)
    }

    /// The source's counts against this database's, per kind.
    async fn reconcile(&self) -> anyhow::Result<Vec<Tally>> {
        let now = self.clock.now_ms();
        let one = Page {
            limit: 1,
            offset: 0,
        };
        let mut tallies = Vec::new();

        // Custom roles: the source's keys found here.
        let mut source_keys = Vec::new();
        let mut offset = 0;
        loop {
            let page = self
                .source
                .list("/v1/organization_roles", &[], offset, 100)
                .await?;
            for v in &page.data {
                let role = map::role_from_clerk(v)?.role;
                if !is_system_role(&role.key) {
                    source_keys.push(role.key);
                }
            }
            offset += i64::try_from(page.data.len()).unwrap_or(i64::MAX);
            if page.data.len() < 100 {
                break;
            }
        }
        let here = self.store.organization_roles(self.ins).await?;
        tallies.push(Tally {
            kind: "custom roles",
            source: i64::try_from(source_keys.len()).unwrap_or(i64::MAX),
            usher: i64::try_from(
                source_keys
                    .iter()
                    .filter(|k| here.iter().any(|r| &&r.key == k))
                    .count(),
            )
            .unwrap_or(i64::MAX),
        });

        tallies.push(Tally {
            kind: "users",
            source: self.source.user_count().await?,
            usher: self
                .store
                .count_users(self.ins, &UserFilter::default())
                .await?,
        });
        let orgs = OrganizationQuery {
            page: one.clone(),
            ..Default::default()
        };
        tallies.push(Tally {
            kind: "organizations",
            source: self.source_total("/v1/organizations", &[]).await?,
            usher: self.store.list_organizations(self.ins, &orgs).await?.1,
        });
        let members = MembershipQuery {
            page: one.clone(),
            ..Default::default()
        };
        tallies.push(Tally {
            kind: "memberships",
            source: self
                .source_total("/v1/organization_memberships", &[])
                .await?,
            usher: self.store.list_memberships(self.ins, &members).await?.1,
        });
        let pending = InvitationQuery {
            statuses: vec![InvitationStatus::Pending],
            now,
            page: one,
            ..Default::default()
        };
        tallies.push(Tally {
            kind: "pending invitations",
            source: self
                .source_total("/v1/organization_invitations", &[("status", "pending")])
                .await?,
            usher: self
                .store
                .list_organization_invitations(self.ins, &pending)
                .await?
                .1,
        });
        Ok(tallies)
    }
}

fn audit(ins: &InstanceId, actor: &str, phase: Phase, now: i64) -> Write {
    let action = match phase {
        Phase::Settings => "instance.settings.import",
        Phase::Roles => "organization_role.import",
        Phase::Users | Phase::Passwords => "user.import",
        Phase::Organizations => "organization.import",
        Phase::Memberships => "organization_membership.import",
        Phase::Invitations | Phase::Done => "organization_invitation.import",
    };
    Write::Audit(AuditEntry {
        id: AuditId::new(),
        instance_id: ins.clone(),
        actor: actor.to_owned(),
        action: action.into(),
        target_id: None,
        trace_id: None,
        client_ip: None,
        at: now,
        seq: 0,
    })
}

/// A page the database refused, in the operator's words.
fn refusal(phase: Phase, e: StoreError) -> anyhow::Error {
    let what = phase.as_str();
    match e {
        StoreError::IdentifierTaken(kind) => anyhow::anyhow!(
            "an imported user's {} belongs to another user already in this database",
            kind.as_str()
        ),
        StoreError::SlugTaken => anyhow::anyhow!(
            "an imported organization's slug belongs to another organization already in this database"
        ),
        StoreError::InvitationPending => anyhow::anyhow!(
            "an imported invitation's address has another pending invitation to the same organization here"
        ),
        StoreError::KeyTaken { what: key } => {
            anyhow::anyhow!("an imported {key}'s key is taken by another one here")
        }
        StoreError::Stale => anyhow::anyhow!(
            "the {what} being imported changed here while the import ran (or names something missing); run the import again"
        ),
        other => anyhow::Error::from(other).context(format!("writing {what}")),
    }
}

/// How the records of one kind meet their stored copies: `merge` tells whether the source
/// changed a stored one; `insert` and `update` are the writes.
struct Reconcile<T> {
    merge: fn(&T, &T) -> Option<T>,
    insert: fn(T) -> Write,
    update: fn(T) -> Write,
}

impl<T> Reconcile<T> {
    /// One record read from the source against the one stored under its id: written when new,
    /// rewritten when `merge` finds the source changed it, counted as unchanged otherwise.
    fn record(
        &self,
        incoming: T,
        stored: Option<&T>,
        changes: &mut Changeset,
        tally: &mut KindCounts,
    ) {
        match stored {
            None => {
                changes.push((self.insert)(incoming));
                tally.created += 1;
            }
            Some(existing) => match (self.merge)(existing, &incoming) {
                Some(merged) => {
                    changes.push((self.update)(merged));
                    tally.updated += 1;
                }
                None => tally.unchanged += 1,
            },
        }
    }
}

const USERS: Reconcile<User> = Reconcile {
    merge: map::merge_user,
    insert: Write::InsertUser,
    update: Write::UpdateUser,
};
const ORGANIZATIONS: Reconcile<Organization> = Reconcile {
    merge: map::merge_organization,
    insert: Write::InsertOrganization,
    update: Write::UpdateOrganization,
};
const MEMBERSHIPS: Reconcile<OrganizationMembership> = Reconcile {
    merge: map::merge_membership,
    insert: Write::InsertMembership,
    update: Write::UpdateMembership,
};
const INVITATIONS: Reconcile<OrganizationInvitation> = Reconcile {
    merge: map::merge_invitation,
    insert: Write::InsertOrganizationInvitation,
    update: Write::UpdateOrganizationInvitation,
};
