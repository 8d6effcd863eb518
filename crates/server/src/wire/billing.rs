//! Clerk's billing objects: `commerce_plan` (with its `feature`s), `commerce_subscription_item`
//! and `commerce_subscription`. Usher takes no payments: every amount is zero, and a payer's
//! subscription (`csub_…`) and payer id (`cpayer_…`) are named after the user or organization.

use serde::Serialize;
use usher_core::billing::model::{payer_record_id, subscription_id};
use usher_core::billing::{Feature, Plan, SubscriptionItem};
use usher_core::clock::Millis;
use usher_core::ids::{InstanceId, prefix};

use crate::app::billing::Subscription;

/// `commerce_money`: always nothing, in US dollars.
#[derive(Debug, Serialize)]
pub struct MoneyJson {
    pub amount: i64,
    pub amount_formatted: &'static str,
    pub currency: &'static str,
    pub currency_symbol: &'static str,
}

pub fn free() -> MoneyJson {
    MoneyJson {
        amount: 0,
        amount_formatted: "0.00",
        currency: "USD",
        currency_symbol: "$",
    }
}

#[derive(Debug, Serialize)]
pub struct FeatureJson {
    pub object: &'static str,
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub slug: String,
    pub avatar_url: Option<String>,
}

impl FeatureJson {
    pub fn new(f: &Feature) -> Self {
        Self {
            object: "feature",
            id: f.id.to_string(),
            name: f.name.clone(),
            description: f.description.clone(),
            slug: f.slug.clone(),
            avatar_url: None,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PlanJson {
    pub object: &'static str,
    pub id: String,
    pub name: String,
    pub fee: MoneyJson,
    pub annual_monthly_fee: MoneyJson,
    pub annual_fee: MoneyJson,
    pub description: Option<String>,
    pub product_id: String,
    pub is_default: bool,
    pub is_recurring: bool,
    pub publicly_visible: bool,
    pub has_base_fee: bool,
    pub for_payer_type: &'static str,
    pub slug: String,
    pub avatar_url: Option<String>,
    pub features: Vec<FeatureJson>,
    pub free_trial_enabled: bool,
    pub free_trial_days: Option<i64>,
    pub unit_prices: Vec<()>,
}

impl PlanJson {
    pub fn new(p: &Plan, instance_id: &InstanceId) -> Self {
        Self {
            object: "commerce_plan",
            id: p.id.to_string(),
            name: p.name.clone(),
            fee: free(),
            annual_monthly_fee: free(),
            annual_fee: free(),
            description: p.description.clone(),
            // Deprecated by Clerk; one product per instance.
            product_id: format!(
                "cprod_{}",
                instance_id
                    .strip_prefix(prefix::INSTANCE)
                    .unwrap_or(instance_id)
            ),
            is_default: p.is_default,
            is_recurring: true,
            publicly_visible: p.publicly_visible,
            has_base_fee: false,
            for_payer_type: p.for_payer_type.as_str(),
            slug: p.slug.clone(),
            avatar_url: None,
            features: p.features.iter().map(FeatureJson::new).collect(),
            free_trial_enabled: false,
            free_trial_days: None,
            unit_prices: Vec::new(),
        }
    }
}

/// Clerk's `BillingSubscriptionItemEventPayload`: the item with its subscription and its payer
/// (by id: Usher's payer is the user or organization itself).
pub fn subscription_item_event(
    i: &SubscriptionItem,
    plan: Option<&Plan>,
    instance_id: &InstanceId,
) -> serde_json::Value {
    let mut v = serde_json::to_value(SubscriptionItemJson::new(i, plan, instance_id))
        .unwrap_or(serde_json::Value::Null);
    let mut payer = serde_json::json!({
        "object": "commerce_payer",
        "id": payer_record_id(&i.payer_id),
    });
    let owner = match i.payer_type {
        usher_core::billing::PayerType::User => "user_id",
        usher_core::billing::PayerType::Org => "organization_id",
    };
    payer[owner] = serde_json::json!(i.payer_id);
    v["payer"] = payer;
    v["subscription_id"] = serde_json::json!(subscription_id(&i.payer_id));
    v
}

#[derive(Debug, Serialize)]
pub struct SubscriptionItemJson {
    pub object: &'static str,
    pub id: String,
    pub instance_id: String,
    pub status: &'static str,
    pub plan_id: Option<String>,
    pub plan: Option<PlanJson>,
    pub plan_period: &'static str,
    pub payer_id: String,
    pub is_free_trial: bool,
    pub period_start: Millis,
    pub period_end: Option<Millis>,
    pub canceled_at: Option<Millis>,
    pub past_due_at: Option<Millis>,
    pub ended_at: Option<Millis>,
    pub lifetime_paid: MoneyJson,
    pub next_payment: Option<()>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl SubscriptionItemJson {
    pub fn new(i: &SubscriptionItem, plan: Option<&Plan>, instance_id: &InstanceId) -> Self {
        Self {
            object: "commerce_subscription_item",
            id: i.id.to_string(),
            instance_id: instance_id.to_string(),
            status: i.status.as_str(),
            plan_id: Some(i.plan_id.to_string()),
            plan: plan.map(|p| PlanJson::new(p, instance_id)),
            plan_period: "month",
            payer_id: payer_record_id(&i.payer_id),
            is_free_trial: false,
            period_start: i.period_start,
            period_end: i.ended_at,
            canceled_at: i.canceled_at,
            past_due_at: None,
            ended_at: i.ended_at,
            lifetime_paid: free(),
            next_payment: None,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }

    /// The default plan a payer with no active item holds: an item named after the payer
    /// (`csubi_…`), active since the plan was made.
    pub fn default_for(payer_id: &str, plan: &Plan, instance_id: &InstanceId) -> Self {
        let sub = subscription_id(payer_id);
        Self {
            object: "commerce_subscription_item",
            id: format!(
                "{}{}",
                prefix::SUBSCRIPTION_ITEM,
                &sub[prefix::SUBSCRIPTION.len()..]
            ),
            instance_id: instance_id.to_string(),
            status: "active",
            plan_id: Some(plan.id.to_string()),
            plan: Some(PlanJson::new(plan, instance_id)),
            plan_period: "month",
            payer_id: payer_record_id(payer_id),
            is_free_trial: false,
            period_start: plan.created_at,
            period_end: None,
            canceled_at: None,
            past_due_at: None,
            ended_at: None,
            lifetime_paid: free(),
            next_payment: None,
            created_at: plan.created_at,
            updated_at: plan.updated_at,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SubscriptionJson {
    pub object: &'static str,
    pub id: String,
    pub instance_id: String,
    pub status: &'static str,
    pub payer_id: String,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub active_at: Option<Millis>,
    pub past_due_at: Option<Millis>,
    pub subscription_items: Vec<SubscriptionItemJson>,
    pub next_payment: Option<()>,
    pub eligible_for_free_trial: bool,
}

impl SubscriptionJson {
    /// `None` when the payer has neither an item nor a default plan to hold.
    pub fn new(s: &Subscription, instance_id: &InstanceId) -> Option<Self> {
        let mut items: Vec<SubscriptionItemJson> = s
            .items
            .iter()
            .map(|(i, p)| SubscriptionItemJson::new(i, p.as_ref(), instance_id))
            .collect();
        if let Some(plan) = &s.default_plan {
            items.insert(
                0,
                SubscriptionItemJson::default_for(&s.payer_id, plan, instance_id),
            );
        }
        let created_at = items.iter().map(|i| i.created_at).min()?;
        let updated_at = items
            .iter()
            .map(|i| i.updated_at)
            .max()
            .unwrap_or(created_at);
        let active = items.iter().find(|i| i.status == "active");
        Some(Self {
            object: "commerce_subscription",
            id: subscription_id(&s.payer_id),
            instance_id: instance_id.to_string(),
            status: if active.is_some() { "active" } else { "ended" },
            payer_id: payer_record_id(&s.payer_id),
            created_at,
            updated_at,
            active_at: active.map(|i| i.period_start),
            past_due_at: None,
            subscription_items: items,
            next_payment: None,
            eligible_for_free_trial: false,
        })
    }
}
