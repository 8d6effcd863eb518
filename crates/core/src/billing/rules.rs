//! The rules on plans and subscription items: what a plan may be called and hold (its slugs
//! travel in every session token, so they are short and the features of one plan fit a fixed
//! share of the token), assigning a plan to a payer, and canceling an item.

use std::collections::HashSet;

use super::model::{Feature, ItemStatus, PayerType, Plan, SubscriptionItem};
use crate::clock::Millis;
use crate::error::{CoreError, CoreResult};
use crate::ids::{FeatureId, PlanId, SubscriptionItemId};
use crate::text;

pub const MAX_NAME_CHARS: usize = 256;
pub const MAX_DESCRIPTION_CHARS: usize = 1000;
pub const MAX_SLUG_CHARS: usize = 32;
/// What one plan's features may add to `fea` (`u:<slug>` each, comma-separated): a user's and an
/// organization's plans together stay well inside the session token's 1.2 KB budget.
pub const MAX_FEATURES_BYTES: usize = 300;

/// A feature as the operator describes it.
#[derive(Debug, Clone, Default)]
pub struct NewFeature {
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
}

/// A plan as the operator describes it.
#[derive(Debug, Clone)]
pub struct NewPlan {
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
    pub for_payer_type: PayerType,
    pub is_default: bool,
    pub publicly_visible: bool,
    pub features: Vec<NewFeature>,
}

fn name(param: &str, value: &str) -> CoreResult<String> {
    text::required_name(param, value, MAX_NAME_CHARS)
}

fn description(param: &str, value: Option<String>) -> CoreResult<Option<String>> {
    if let Some(d) = &value {
        text::at_most(param, d, MAX_DESCRIPTION_CHARS)?;
    }
    Ok(value)
}

/// A plan's or feature's slug: 1 to 32 of `a-z`, `0-9`, `_` and `-`, starting with a letter or a
/// digit, so that it needs no escaping in `pla` and `fea` (whose separators are `,` and `:`).
pub fn slug(param: &str, value: &str) -> CoreResult<String> {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-';
    let starts_well = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !starts_well || value.len() > MAX_SLUG_CHARS || !value.chars().all(ok_char) {
        return Err(CoreError::value(
            param,
            "must be 1 to 32 characters of a-z, 0-9, '_' and '-', starting with a letter or a digit",
        ));
    }
    Ok(value.to_owned())
}

/// A new plan, its features given ids, checked.
pub fn create(input: NewPlan, now: Millis) -> CoreResult<Plan> {
    let mut seen = HashSet::new();
    let mut features = Vec::with_capacity(input.features.len());
    let mut encoded = 0usize;
    for (i, f) in input.features.into_iter().enumerate() {
        let slug = slug(&format!("features[{i}].slug"), &f.slug)?;
        if !seen.insert(slug.clone()) {
            return Err(CoreError::value(
                format!("features[{i}].slug"),
                "is given twice in this plan",
            ));
        }
        encoded += slug.len() + 3;
        features.push(Feature {
            id: FeatureId::new(),
            name: name(&format!("features[{i}].name"), &f.name)?,
            slug,
            description: description(&format!("features[{i}].description"), f.description)?,
        });
    }
    if encoded > MAX_FEATURES_BYTES + 1 {
        return Err(CoreError::value(
            "features",
            "take more than 300 bytes of a session token: use fewer or shorter slugs",
        ));
    }
    Ok(Plan {
        id: PlanId::new(),
        name: name("name", &input.name)?,
        slug: slug("slug", &input.slug)?,
        description: description("description", input.description)?,
        for_payer_type: input.for_payer_type,
        is_default: input.is_default,
        publicly_visible: input.publicly_visible,
        features,
        created_at: now,
        updated_at: now,
        version: 0,
    })
}

/// What assigning a plan to a payer writes: the new active item, and the payer's active one
/// ended. `None` when the payer holds that plan already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub item: SubscriptionItem,
    pub ended: Option<SubscriptionItem>,
}

pub fn assign(
    plan: &Plan,
    payer_type: PayerType,
    payer_id: &str,
    current: Option<&SubscriptionItem>,
    now: Millis,
) -> CoreResult<Option<Assignment>> {
    if plan.for_payer_type != payer_type {
        return Err(CoreError::value(
            "plan_id",
            match plan.for_payer_type {
                PayerType::User => "names a plan for users, not organizations",
                PayerType::Org => "names a plan for organizations, not users",
            },
        ));
    }
    let current = current.filter(|c| c.status == ItemStatus::Active);
    if current.is_some_and(|c| c.plan_id == plan.id) {
        return Ok(None);
    }
    let ended = current.map(|c| end(c, true, now));
    Ok(Some(Assignment {
        item: SubscriptionItem {
            id: SubscriptionItemId::new(),
            payer_type,
            payer_id: payer_id.to_owned(),
            plan_id: plan.id.clone(),
            status: ItemStatus::Active,
            period_start: now,
            canceled_at: None,
            ended_at: None,
            created_at: now,
            updated_at: now,
            version: 0,
        },
        ended,
    }))
}

fn end(item: &SubscriptionItem, end_now: bool, now: Millis) -> SubscriptionItem {
    let mut out = item.clone();
    out.canceled_at = Some(now);
    out.updated_at = now;
    if end_now {
        out.status = ItemStatus::Ended;
        out.ended_at = Some(now);
    } else {
        out.status = ItemStatus::Canceled;
    }
    out
}

/// Cancels an active item (Clerk's `DELETE /billing/subscription_items/{id}`): `end_now` ends it
/// (`ended`), otherwise it is `canceled`. Usher has no billing period to run out, so either way
/// the entitlement stops now and the payer falls back to its default plan.
pub fn cancel(item: &SubscriptionItem, end_now: bool, now: Millis) -> CoreResult<SubscriptionItem> {
    if item.status != ItemStatus::Active {
        return Err(CoreError::NotAllowed {
            reason: "The subscription item is not active: it was canceled or ended already.",
        });
    }
    Ok(end(item, end_now, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(payer: PayerType, features: &[&str]) -> NewPlan {
        NewPlan {
            name: "Pro".into(),
            slug: "pro".into(),
            description: None,
            for_payer_type: payer,
            is_default: false,
            publicly_visible: true,
            features: features
                .iter()
                .map(|s| NewFeature {
                    name: s.to_string(),
                    slug: s.to_string(),
                    description: None,
                })
                .collect(),
        }
    }

    #[test]
    fn slugs_are_short_and_need_no_escaping() {
        assert!(slug("slug", "free_user").is_ok());
        assert!(slug("slug", "team-2").is_ok());
        for bad in ["", "Pro", "a,b", "u:pro", "-x", &"a".repeat(33)] {
            assert!(slug("slug", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn features_are_unique_and_bounded() {
        assert!(create(plan(PayerType::User, &["a", "b"]), 1).is_ok());
        let twice = create(plan(PayerType::User, &["a", "a"]), 1).unwrap_err();
        assert!(
            matches!(twice, CoreError::ParamValueInvalid { param, .. } if param == "features[1].slug")
        );
        let long: Vec<String> = (0..10).map(|i| format!("{i:0>32}")).collect();
        let long: Vec<&str> = long.iter().map(String::as_str).collect();
        assert!(create(plan(PayerType::User, &long), 1).is_err());
    }

    #[test]
    fn assigning_ends_the_active_item_and_checks_the_payer_type() {
        let pro = create(plan(PayerType::User, &[]), 1).unwrap();
        let first = assign(&pro, PayerType::User, "user_x", None, 5)
            .unwrap()
            .unwrap();
        assert!(first.ended.is_none());
        assert_eq!(
            assign(&pro, PayerType::User, "user_x", Some(&first.item), 6).unwrap(),
            None
        );
        let mut team = create(plan(PayerType::User, &[]), 1).unwrap();
        let second = assign(&team, PayerType::User, "user_x", Some(&first.item), 7)
            .unwrap()
            .unwrap();
        let ended = second.ended.unwrap();
        assert_eq!(ended.status, ItemStatus::Ended);
        assert_eq!(ended.ended_at, Some(7));
        team.for_payer_type = PayerType::Org;
        assert!(assign(&team, PayerType::User, "user_x", None, 8).is_err());
    }

    #[test]
    fn cancel_only_an_active_item() {
        let pro = create(plan(PayerType::User, &[]), 1).unwrap();
        let item = assign(&pro, PayerType::User, "user_x", None, 5)
            .unwrap()
            .unwrap()
            .item;
        let canceled = cancel(&item, false, 9).unwrap();
        assert_eq!(canceled.status, ItemStatus::Canceled);
        assert_eq!(canceled.canceled_at, Some(9));
        assert_eq!(canceled.ended_at, None);
        assert!(cancel(&canceled, true, 10).is_err());
        assert_eq!(cancel(&item, true, 9).unwrap().status, ItemStatus::Ended);
    }
}
