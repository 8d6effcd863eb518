//! `usher orgs …`: organizations and their members as an operator manages them, through the same
//! use cases as the Backend API (with their events and audit entries), read and written in the
//! database directly so it works whatever state the server is in. An organization is named by id
//! or slug, a user by id, email address, phone number or username.

use anyhow::bail;
use serde::Serialize;
use serde_json::json;
use usher_core::organizations::Organization;
use usher_core::organizations::memberships::NewMembership;
use usher_core::organizations::model::MembershipDetails;
use usher_core::organizations::query::{MembershipQuery, OrganizationQuery};
use usher_core::organizations::rules::NewOrganization;
use usher_core::users::query::{MAX_LIMIT, Page};
use usher_server::app::context::RequestContext;
use usher_server::app::{organizations as app, users};
use usher_server::state::AppState;
use usher_server::wire::organizations::{MembershipJson, OrganizationJson};

use crate::CommonArgs;
use crate::output::{outln, time};

#[derive(clap::Subcommand, Clone)]
pub enum OrgsAction {
    /// List organizations, newest first.
    List {
        /// Only organizations whose id is this, or whose name or slug contains it.
        #[arg(long)]
        query: Option<String>,
        /// At most this many organizations (1 to 500).
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Show an organization and its members.
    Show {
        /// The organization: an id (org_…) or a slug.
        org: String,
    },
    /// Create an organization.
    Create {
        /// Its name.
        #[arg(long)]
        name: String,
        /// Its slug (default: made from the name).
        #[arg(long)]
        slug: Option<String>,
        /// A user who becomes its first admin: an id, email address, phone number or username.
        #[arg(long)]
        created_by: Option<String>,
        /// The most members it may have (0: no limit).
        #[arg(long)]
        max_members: Option<i64>,
    },
    /// Delete an organization with all its memberships.
    Delete {
        /// The organization: an id (org_…) or a slug.
        org: String,
        /// Confirm the deletion (it cannot be undone).
        #[arg(long)]
        yes: bool,
    },
    /// Add, remove or change the role of an organization's members.
    #[command(subcommand)]
    Members(MembersAction),
}

#[derive(clap::Subcommand, Clone)]
pub enum MembersAction {
    /// Make a user a member of an organization.
    Add {
        /// The organization: an id (org_…) or a slug.
        org: String,
        /// The user: an id, email address, phone number or username.
        user: String,
        /// The member's role.
        #[arg(long, default_value = "org:member")]
        role: String,
    },
    /// Remove a member (an organization's last admin cannot be removed).
    Remove {
        /// The organization: an id (org_…) or a slug.
        org: String,
        /// The user: an id, email address, phone number or username.
        user: String,
    },
    /// Change a member's role.
    Role {
        /// The organization: an id (org_…) or a slug.
        org: String,
        /// The user: an id, email address, phone number or username.
        user: String,
        /// The new role, e.g. org:admin or org:member.
        role: String,
    },
}

pub fn run(common: CommonArgs, as_json: bool, action: OrgsAction) -> anyhow::Result<()> {
    crate::offline::with_existing_instance(common, |state| async move {
        act(&state, as_json, action).await
    })
}

async fn act(state: &AppState, as_json: bool, action: OrgsAction) -> anyhow::Result<()> {
    let ctx = RequestContext::system("cli");
    match action {
        OrgsAction::List { query, limit } => {
            if !(1..=MAX_LIMIT).contains(&limit) {
                bail!("--limit must be between 1 and {MAX_LIMIT}");
            }
            let (orgs, total) = app::list(
                state,
                &OrganizationQuery {
                    query,
                    page: Page { limit, offset: 0 },
                    ..Default::default()
                },
            )
            .await?;
            if as_json {
                let data: Vec<_> = orgs
                    .iter()
                    .map(|o| OrganizationJson::new(o, true))
                    .collect();
                return print_json(&json!({"data": data, "total_count": total}));
            }
            for o in &orgs {
                outln!("{}", org_line(o))?;
            }
            Ok(())
        }
        OrgsAction::Show { org } => {
            let org = app::get(state, &org).await?;
            show(state, &org, as_json).await
        }
        OrgsAction::Create {
            name,
            slug,
            created_by,
            max_members,
        } => {
            let created_by = match created_by {
                Some(u) => Some(users::find(state, &u).await?.id),
                None => None,
            };
            let org = app::create(
                state,
                &ctx,
                NewOrganization {
                    name: Some(name),
                    slug,
                    created_by: created_by.map(String::from),
                    max_allowed_memberships: max_members,
                    ..Default::default()
                },
            )
            .await?;
            show(state, &org, as_json).await
        }
        OrgsAction::Delete { org, yes } => {
            let org = app::get(state, &org).await?;
            if !yes {
                bail!(
                    "deleting {} ({}) removes it with its {} membership{}: add --yes to confirm",
                    org.id,
                    org.slug,
                    org.members_count,
                    if org.members_count == 1 { "" } else { "s" }
                );
            }
            let org = app::delete(state, &ctx, &org.id).await?;
            if as_json {
                return print_json(&json!({
                    "object": "organization", "id": org.id, "slug": org.slug, "deleted": true
                }));
            }
            outln!("deleted {} ({})", org.id, org.slug)?;
            Ok(())
        }
        OrgsAction::Members(action) => members(state, &ctx, as_json, action).await,
    }
}

async fn members(
    state: &AppState,
    ctx: &RequestContext,
    as_json: bool,
    action: MembersAction,
) -> anyhow::Result<()> {
    let (org, user) = match &action {
        MembersAction::Add { org, user, .. }
        | MembersAction::Remove { org, user }
        | MembersAction::Role { org, user, .. } => (org, user),
    };
    let org = app::get(state, org).await?;
    let user = users::find(state, user).await?;
    let (verb, d) = match action {
        MembersAction::Add { role, .. } => (
            "added",
            app::create_membership(
                state,
                ctx,
                &org.id,
                NewMembership {
                    user_id: Some(user.id.to_string()),
                    role: Some(role),
                    ..Default::default()
                },
            )
            .await?,
        ),
        MembersAction::Remove { .. } => (
            "removed",
            app::delete_membership(state, ctx, &org.id, &user.id).await?,
        ),
        MembersAction::Role { role, .. } => (
            "changed",
            app::update_membership_role(state, ctx, &org.id, &user.id, &role).await?,
        ),
    };
    let j = MembershipJson::new(&d);
    if as_json {
        return print_json(&j);
    }
    outln!("{verb}: {}", member_line(&j))?;
    Ok(())
}

async fn show(state: &AppState, org: &Organization, as_json: bool) -> anyhow::Result<()> {
    let mut all: Vec<MembershipDetails> = Vec::new();
    loop {
        let (page, total) = app::list_memberships(
            state,
            &org.id,
            MembershipQuery {
                page: Page {
                    limit: MAX_LIMIT,
                    offset: all.len() as i64,
                },
                ..Default::default()
            },
        )
        .await?;
        let done = page.is_empty() || all.len() as i64 + page.len() as i64 >= total;
        all.extend(page);
        if done {
            break;
        }
    }
    let members: Vec<MembershipJson> = all.iter().map(MembershipJson::new).collect();
    if as_json {
        let mut j = serde_json::to_value(OrganizationJson::new(org, true))?;
        j["members"] = json!({"data": members, "total_count": members.len()});
        return print_json(&j);
    }
    outln!("{}", org_line(org))?;
    outln!(
        "    created_by={}  max_allowed_memberships={}  updated_at={}",
        org.created_by.as_deref().unwrap_or("-"),
        org.max_allowed_memberships,
        time(Some(org.updated_at)),
    )?;
    for m in &members {
        outln!("    {}", member_line(m))?;
    }
    Ok(())
}

fn org_line(o: &Organization) -> String {
    format!(
        "{}  {}  {}  members={}  created_at={}",
        o.id,
        o.slug,
        o.name,
        o.members_count,
        time(Some(o.created_at)),
    )
}

fn member_line(m: &MembershipJson) -> String {
    format!(
        "{}  {}  {}  {}",
        m.public_user_data.user_id,
        m.public_user_data.identifier.as_deref().unwrap_or("-"),
        m.role,
        m.organization.slug,
    )
}

fn print_json(v: &impl Serialize) -> anyhow::Result<()> {
    outln!("{}", serde_json::to_string_pretty(v)?)?;
    Ok(())
}
