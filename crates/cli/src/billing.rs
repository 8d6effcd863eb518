//! `usher billing …`: plans and who holds them, as an operator manages them (an app's own
//! billing system calls the Backend API instead), through the Backend API's use cases, with their
//! audit entries and `subscriptionItem.*` events. A user is named by id, email address, phone
//! number or username; an organization by id or slug; a plan by id or slug.

use anyhow::{Context, bail};
use serde_json::json;
use usher_core::billing::rules::{NewFeature, NewPlan};
use usher_core::billing::{PayerType, Plan, PlanQuery};
use usher_core::users::query::{MAX_LIMIT, Page};
use usher_server::app::context::RequestContext;
use usher_server::app::{billing as app, organizations, users};
use usher_server::state::AppState;
use usher_server::wire::billing::{PlanJson, SubscriptionItemJson, SubscriptionJson};

use crate::CommonArgs;
use crate::output::{outln, time};

#[derive(clap::Subcommand, Clone)]
pub enum BillingAction {
    /// List the instance's plans, newest first.
    Plans,
    /// Create a plan with its features.
    CreatePlan {
        /// Its name.
        #[arg(long)]
        name: String,
        /// Its slug: what `has({ plan })` and the token's `pla` name (a-z, 0-9, _ and -).
        #[arg(long)]
        slug: String,
        /// Who may hold it: user or org.
        #[arg(long = "for", value_parser = ["user", "org"])]
        for_payer: String,
        /// The plan every user (or organization) holds when none is assigned.
        #[arg(long)]
        default: bool,
        /// Leave it out of the Frontend API's plan list (`<PricingTable/>`).
        #[arg(long)]
        hidden: bool,
        /// A description shown with it.
        #[arg(long)]
        description: Option<String>,
        /// A feature it includes, as SLUG or SLUG:NAME (repeat for each).
        #[arg(long = "feature")]
        features: Vec<String>,
    },
    /// Assign a plan to a user or an organization, ending the plan it held.
    Assign {
        /// The plan: an id (cplan_…) or a slug.
        plan: String,
        /// The user: an id, email address, phone number or username.
        #[arg(long, conflicts_with = "org", required_unless_present = "org")]
        user: Option<String>,
        /// The organization: an id (org_…) or a slug.
        #[arg(long)]
        org: Option<String>,
    },
    /// Show what a user or an organization holds, and what it held before.
    Show {
        /// The user: an id, email address, phone number or username.
        #[arg(long, conflicts_with = "org", required_unless_present = "org")]
        user: Option<String>,
        /// The organization: an id (org_…) or a slug.
        #[arg(long)]
        org: Option<String>,
    },
}

pub fn run(common: CommonArgs, as_json: bool, action: BillingAction) -> anyhow::Result<()> {
    crate::offline::with_existing_instance(common, |state| async move {
        act(&state, as_json, action).await
    })
}

/// A feature given as `SLUG` or `SLUG:NAME` (the name defaults to the slug).
fn feature(arg: &str) -> NewFeature {
    let (slug, name) = arg.split_once(':').unwrap_or((arg, arg));
    NewFeature {
        name: name.to_owned(),
        slug: slug.to_owned(),
        description: None,
    }
}

fn plan_line(p: &Plan) -> String {
    let features: Vec<&str> = p.features.iter().map(|f| f.slug.as_str()).collect();
    format!(
        "{}  {}  for={}{}  features=[{}]  created_at={}",
        p.id,
        p.slug,
        p.for_payer_type.as_str(),
        if p.is_default { "  default" } else { "" },
        features.join(","),
        time(Some(p.created_at))
    )
}

/// The payer named by `--user` or `--org`: its type and id.
async fn payer(
    state: &AppState,
    user: Option<String>,
    org: Option<String>,
) -> anyhow::Result<(PayerType, String)> {
    match (user, org) {
        (Some(u), None) => Ok((
            PayerType::User,
            users::find(state, &u).await?.id.to_string(),
        )),
        (None, Some(o)) => Ok((
            PayerType::Org,
            organizations::get(state, &o).await?.id.to_string(),
        )),
        _ => bail!("name the payer with --user or --org"),
    }
}

async fn act(state: &AppState, as_json: bool, action: BillingAction) -> anyhow::Result<()> {
    let ctx = RequestContext::system("cli");
    let ins = &state.instance.id;
    match action {
        BillingAction::Plans => {
            let q = PlanQuery {
                payer_type: None,
                page: Page {
                    limit: MAX_LIMIT,
                    offset: 0,
                },
            };
            let (plans, total) = app::list_plans(state, &q).await?;
            if as_json {
                let data: Vec<_> = plans.iter().map(|p| PlanJson::new(p, ins)).collect();
                return print_json(&json!({"data": data, "total_count": total}));
            }
            for p in &plans {
                outln!("{}", plan_line(p))?;
            }
            Ok(())
        }
        BillingAction::CreatePlan {
            name,
            slug,
            for_payer,
            default,
            hidden,
            description,
            features,
        } => {
            let for_payer_type =
                PayerType::parse(&for_payer).context("--for must be user or org")?;
            let plan = app::create_plan(
                state,
                &ctx,
                NewPlan {
                    name,
                    slug,
                    description,
                    for_payer_type,
                    is_default: default,
                    publicly_visible: !hidden,
                    features: features.iter().map(|f| feature(f)).collect(),
                },
            )
            .await?;
            if as_json {
                return print_json(&PlanJson::new(&plan, ins));
            }
            outln!("{}", plan_line(&plan))?;
            Ok(())
        }
        BillingAction::Assign { plan, user, org } => {
            let (payer_type, payer_id) = payer(state, user, org).await?;
            let (item, plan) = app::assign(state, &ctx, payer_type, &payer_id, &plan).await?;
            if as_json {
                return print_json(&SubscriptionItemJson::new(&item, Some(&plan), ins));
            }
            outln!(
                "{payer_id} holds {} ({}) as {}",
                plan.slug,
                plan.id,
                item.id
            )?;
            Ok(())
        }
        BillingAction::Show { user, org } => {
            let (payer_type, payer_id) = payer(state, user, org).await?;
            let sub = app::subscription(state, payer_type, &payer_id).await?;
            if as_json {
                return print_json(&SubscriptionJson::new(&sub, ins));
            }
            if let Some(p) = &sub.default_plan {
                outln!("{payer_id} holds the default plan {} ({})", p.slug, p.id)?;
            }
            for (item, plan) in &sub.items {
                outln!(
                    "{}  {}  {}  since={}",
                    item.id,
                    item.status.as_str(),
                    plan.as_ref().map_or("(plan deleted)", |p| p.slug.as_str()),
                    time(Some(item.period_start))
                )?;
            }
            if sub.default_plan.is_none() && sub.items.is_empty() {
                outln!("{payer_id} holds no plan (and there is no default plan)")?;
            }
            Ok(())
        }
    }
}

fn print_json(v: &impl serde::Serialize) -> anyhow::Result<()> {
    outln!("{}", serde_json::to_string_pretty(v)?)?;
    Ok(())
}
