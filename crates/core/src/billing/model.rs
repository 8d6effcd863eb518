//! The domain shapes of plans, features and subscription items.

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::ids::{FeatureId, OrganizationId, PlanId, SubscriptionItemId, UserId, prefix};
use crate::users::query::Page;

/// Who a plan is for, and who holds a subscription: Clerk's `for_payer_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PayerType {
    User,
    Org,
}

impl PayerType {
    pub fn as_str(self) -> &'static str {
        match self {
            PayerType::User => "user",
            PayerType::Org => "org",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "user" => Some(PayerType::User),
            "org" => Some(PayerType::Org),
            _ => None,
        }
    }

    /// The scope letter of a session token's `pla` and `fea` entries (`u:pro`, `o:team`).
    pub fn scope(self) -> &'static str {
        match self {
            PayerType::User => "u",
            PayerType::Org => "o",
        }
    }
}

/// A feature a plan includes: `has({ feature: slug })`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feature {
    pub id: FeatureId,
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
}

/// A plan: `has({ plan: slug })`. Usher keeps no prices; a plan is free of charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub id: PlanId,
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
    pub for_payer_type: PayerType,
    /// The plan every payer of its type holds when none is assigned; one per payer type.
    pub is_default: bool,
    pub publicly_visible: bool,
    pub features: Vec<Feature>,
    pub created_at: Millis,
    pub updated_at: Millis,
    #[serde(default)]
    pub version: i64,
}

impl Plan {
    /// The feature slugs, comma-separated, as the store keeps them for the token's read.
    pub fn feature_slugs(&self) -> String {
        self.features
            .iter()
            .map(|f| f.slug.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A subscription item's status. Usher has no billing periods: an item is active until it is
/// canceled or ended, and either stops its entitlement at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemStatus {
    Active,
    Canceled,
    Ended,
}

impl ItemStatus {
    pub fn is_active(self) -> bool {
        self == ItemStatus::Active
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Active => "active",
            ItemStatus::Canceled => "canceled",
            ItemStatus::Ended => "ended",
        }
    }
}

/// A plan held by a user or an organization (Clerk's `commerce_subscription_item`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriptionItem {
    pub id: SubscriptionItemId,
    pub payer_type: PayerType,
    /// The user or organization id.
    pub payer_id: String,
    pub plan_id: PlanId,
    pub status: ItemStatus,
    pub period_start: Millis,
    pub canceled_at: Option<Millis>,
    pub ended_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
    #[serde(default)]
    pub version: i64,
}

/// A page of the instance's plans, of one payer type or both.
#[derive(Debug, Clone, Default)]
pub struct PlanQuery {
    pub payer_type: Option<PayerType>,
    pub page: Page,
}

/// The payer a user or organization id names, if it names one of them.
pub fn payer_type_of(payer_id: &str) -> Option<PayerType> {
    if UserId::parse(payer_id).is_ok() {
        Some(PayerType::User)
    } else if OrganizationId::parse(payer_id).is_ok() {
        Some(PayerType::Org)
    } else {
        None
    }
}

/// The part of a user or organization id after its prefix: a payer's subscription (`csub_`) and
/// the payer itself (`cpayer_`) are named after it, so both are stable without being stored.
fn suffix(payer_id: &str) -> &str {
    payer_id
        .strip_prefix(prefix::USER)
        .or_else(|| payer_id.strip_prefix(prefix::ORGANIZATION))
        .unwrap_or(payer_id)
}

/// The id of a payer's subscription (`csub_…`).
pub fn subscription_id(payer_id: &str) -> String {
    format!("{}{}", prefix::SUBSCRIPTION, suffix(payer_id))
}

/// The id of a payer (`cpayer_…`).
pub fn payer_record_id(payer_id: &str) -> String {
    format!("{}{}", prefix::PAYER, suffix(payer_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_keep_the_payer_suffix() {
        let user = UserId::new();
        let tail = &user.as_str()[prefix::USER.len()..];
        assert_eq!(subscription_id(&user), format!("csub_{tail}"));
        assert_eq!(payer_record_id(&user), format!("cpayer_{tail}"));
        let org = OrganizationId::new();
        assert_eq!(payer_type_of(&org), Some(PayerType::Org));
        assert_eq!(payer_type_of(&user), Some(PayerType::User));
        assert_eq!(payer_type_of("sess_x"), None);
    }
}
