//! Plans and subscription items: plans created and listed, a plan assigned to a user or an
//! organization (ending the one it held), an item canceled, a payer's subscription read. Each
//! change commits with its audit entry and its `subscriptionItem.*` events in one transaction. No payments: a payer with no plan
//! assigned holds its payer type's default plan.

use usher_core::billing::rules::{self, NewPlan};
use usher_core::billing::{PayerType, Plan, PlanQuery, SubscriptionItem};
use usher_core::events::DomainEvent;
use usher_core::ids::{PlanId, SubscriptionItemId};
use usher_core::store::Write;
use usher_core::{CoreError, CoreResult};

use super::{Change, with_retry};
use crate::app::context::RequestContext;
use crate::app::found;
use crate::state::AppState;

pub const PLAN: &str = "plan";

/// Clerk's `subscriptionItem.*` event for the item as written.
fn item_event(item: &SubscriptionItem, plan: Option<&Plan>) -> DomainEvent {
    DomainEvent::SubscriptionItemChanged {
        item: Box::new(item.clone()),
        plan: plan.map(|p| Box::new(p.clone())),
    }
}
pub const SUBSCRIPTION_ITEM: &str = "subscription item";

pub async fn create_plan(
    state: &AppState,
    ctx: &RequestContext,
    input: NewPlan,
) -> CoreResult<Plan> {
    let plan = rules::create(input, state.now())?;
    let mut change = Change::new(state, ctx);
    change.write(Write::InsertBillingPlan(plan.clone()));
    change.commit("billing.plan.create", Some(&plan.id)).await?;
    let mut plan = plan;
    plan.version = 1;
    Ok(plan)
}

pub async fn list_plans(state: &AppState, q: &PlanQuery) -> CoreResult<(Vec<Plan>, i64)> {
    Ok(state
        .store
        .list_billing_plans(&state.instance.id, q)
        .await?)
}

/// A plan by its id or its slug; `None` when neither names one.
pub async fn find_plan(state: &AppState, id_or_slug: &str) -> CoreResult<Option<Plan>> {
    let ins = &state.instance.id;
    if let Ok(id) = PlanId::parse(id_or_slug) {
        return Ok(state.store.get_billing_plan(ins, &id).await?);
    }
    Ok(state.store.billing_plan_by_slug(ins, id_or_slug).await?)
}

/// What `payer_id` names: a user or an organization of this instance (404 otherwise).
async fn require_payer(state: &AppState, payer_type: PayerType, payer_id: &str) -> CoreResult<()> {
    let ins = &state.instance.id;
    let found = match payer_type {
        PayerType::User => match usher_core::ids::UserId::parse(payer_id) {
            Ok(u) => state.store.get_user(ins, &u).await?.is_some(),
            Err(_) => false,
        },
        PayerType::Org => match usher_core::ids::OrganizationId::parse(payer_id) {
            Ok(o) => state.store.get_organization(ins, &o).await?.is_some(),
            Err(_) => false,
        },
    };
    if found {
        Ok(())
    } else {
        Err(CoreError::NotFound {
            resource: match payer_type {
                PayerType::User => "user",
                PayerType::Org => "organization",
            },
        })
    }
}

/// A payer's subscription: its items (newest first) and the plans they name, or its payer
/// type's default plan when it holds none. The payer must exist.
pub struct Subscription {
    pub payer_id: String,
    pub items: Vec<(SubscriptionItem, Option<Plan>)>,
    /// The default plan the payer holds when no item is active.
    pub default_plan: Option<Plan>,
}

pub async fn subscription(
    state: &AppState,
    payer_type: PayerType,
    payer_id: &str,
) -> CoreResult<Subscription> {
    require_payer(state, payer_type, payer_id).await?;
    let ins = &state.instance.id;
    let items = state
        .store
        .subscription_items_of_payer(ins, payer_id)
        .await?;
    let mut with_plans = Vec::with_capacity(items.len());
    for item in items {
        let plan = state.store.get_billing_plan(ins, &item.plan_id).await?;
        with_plans.push((item, plan));
    }
    let default_plan = if with_plans.iter().any(|(i, _)| i.status.is_active()) {
        None
    } else {
        let q = PlanQuery {
            payer_type: Some(payer_type),
            page: usher_core::users::query::Page {
                limit: 500,
                offset: 0,
            },
        };
        let (plans, _) = state.store.list_billing_plans(ins, &q).await?;
        plans.into_iter().find(|p| p.is_default)
    };
    Ok(Subscription {
        payer_id: payer_id.to_owned(),
        items: with_plans,
        default_plan,
    })
}

/// Assigns the plan (by id or slug) to the payer, ending the item it held; nothing changes
/// when it holds that plan already. Returns the payer's active item and its plan.
pub async fn assign(
    state: &AppState,
    ctx: &RequestContext,
    payer_type: PayerType,
    payer_id: &str,
    plan_ref: &str,
) -> CoreResult<(SubscriptionItem, Plan)> {
    let ins = &state.instance.id;
    with_retry(|| async {
        require_payer(state, payer_type, payer_id).await?;
        let plan =
            find_plan(state, plan_ref)
                .await?
                .ok_or_else(|| CoreError::ParamValueInvalid {
                    param: "plan_id".into(),
                    reason: "names no plan of this instance".into(),
                })?;
        let items = state
            .store
            .subscription_items_of_payer(ins, payer_id)
            .await?;
        let current = items.iter().find(|i| i.status.is_active());
        let Some(assignment) = rules::assign(&plan, payer_type, payer_id, current, state.now())?
        else {
            let held = current.cloned().ok_or(CoreError::Conflict)?;
            return Ok((held, plan));
        };
        let mut change = Change::new(state, ctx);
        if let Some(ended) = &assignment.ended {
            change.write(Write::UpdateSubscriptionItem(ended.clone()));
            let ended_plan = state.store.get_billing_plan(ins, &ended.plan_id).await?;
            change.event(item_event(ended, ended_plan.as_ref()));
        }
        change.write(Write::InsertSubscriptionItem(assignment.item.clone()));
        change.event(item_event(&assignment.item, Some(&plan)));
        change
            .commit(
                "billing.subscription_item.create",
                Some(&assignment.item.id),
            )
            .await?;
        let mut item = assignment.item;
        item.version = 1;
        Ok((item, plan))
    })
    .await
}

pub async fn cancel(
    state: &AppState,
    ctx: &RequestContext,
    id: &SubscriptionItemId,
    end_now: bool,
) -> CoreResult<(SubscriptionItem, Option<Plan>)> {
    let ins = &state.instance.id;
    with_retry(|| async {
        let item = found(
            state.store.get_subscription_item(ins, id).await?,
            SUBSCRIPTION_ITEM,
        )?;
        let canceled = rules::cancel(&item, end_now, state.now())?;
        let plan = state.store.get_billing_plan(ins, &canceled.plan_id).await?;
        let mut change = Change::new(state, ctx);
        change.write(Write::UpdateSubscriptionItem(canceled.clone()));
        change.event(item_event(&canceled, plan.as_ref()));
        change
            .commit("billing.subscription_item.cancel", Some(id))
            .await?;
        let mut canceled = canceled;
        canceled.version += 1;
        Ok((canceled, plan))
    })
    .await
}
