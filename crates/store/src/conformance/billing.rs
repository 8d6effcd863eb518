//! Plans and subscription items: plans by id and slug (unique per instance), listed per payer
//! type, one default per payer type; one active item per payer, versioned updates; the plan a
//! token carries (the active item's, else the default) read alone and with the session; items
//! gone with their user.

use std::sync::Arc;

use usher_core::billing::rules::{self, NewFeature, NewPlan};
use usher_core::billing::{Entitlement, PayerType, Plan, PlanQuery, SubscriptionItem};
use usher_core::sessions::Client;
use usher_core::store::{Changeset, Store, StoreError, Write};
use usher_core::users::query::Page;

use super::{NOW, Outcome, create_instance, delete_stored_user, one, session, user};

fn plan(slug: &str, payer: PayerType, is_default: bool, features: &[&str], at: i64) -> Plan {
    let input = NewPlan {
        name: slug.to_uppercase(),
        slug: slug.into(),
        description: None,
        for_payer_type: payer,
        is_default,
        publicly_visible: true,
        features: features
            .iter()
            .map(|f| NewFeature {
                name: f.to_string(),
                slug: f.to_string(),
                description: None,
            })
            .collect(),
    };
    match rules::create(input, at) {
        Ok(p) => p,
        Err(e) => panic!("an invalid plan fixture: {e}"),
    }
}

fn assigned(
    p: &Plan,
    payer: PayerType,
    payer_id: &str,
    current: Option<&SubscriptionItem>,
) -> (SubscriptionItem, Option<SubscriptionItem>) {
    match rules::assign(p, payer, payer_id, current, NOW) {
        Ok(Some(a)) => (a.item, a.ended),
        other => panic!("an invalid assignment fixture: {other:?}"),
    }
}

pub async fn billing_plans_have_unique_slugs_and_one_default(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let free = plan("free_user", PayerType::User, true, &["basic"], NOW);
    let pro = plan("pro", PayerType::User, false, &["export", "api"], NOW + 1);
    let team = plan("team", PayerType::Org, true, &[], NOW + 2);
    for p in [&free, &pro, &team] {
        store
            .commit(ins, one(Write::InsertBillingPlan(p.clone())))
            .await?;
    }
    let got = store.get_billing_plan(ins, &pro.id).await?.ok_or("pro")?;
    assert_eq!((got.slug.as_str(), got.version), ("pro", 1));
    assert_eq!(got.features, pro.features);
    let by_slug = store
        .billing_plan_by_slug(ins, "free_user")
        .await?
        .ok_or("free")?;
    assert_eq!(by_slug.id, free.id);
    assert!(by_slug.is_default);

    let taken = plan("pro", PayerType::Org, false, &[], NOW + 3);
    let refused = store
        .commit(ins, one(Write::InsertBillingPlan(taken)))
        .await;
    assert!(matches!(refused, Err(StoreError::SlugTaken)), "{refused:?}");

    let q = |payer_type, limit| PlanQuery {
        payer_type,
        page: Page { limit, offset: 0 },
    };
    let (users, total) = store
        .list_billing_plans(ins, &q(Some(PayerType::User), 1))
        .await?;
    assert_eq!((users.len(), total), (1, 2));
    assert_eq!(users[0].id, pro.id, "newest first");
    let (all, total) = store.list_billing_plans(ins, &q(None, 10)).await?;
    assert_eq!((all.len(), total), (3, 3));

    // A new default for users: the previous one steps down; the organizations' stays.
    let starter = plan("starter", PayerType::User, true, &[], NOW + 4);
    store
        .commit(ins, one(Write::InsertBillingPlan(starter.clone())))
        .await?;
    let free = store.get_billing_plan(ins, &free.id).await?.ok_or("free")?;
    assert!(!free.is_default);
    assert!(
        store
            .get_billing_plan(ins, &team.id)
            .await?
            .ok_or("team")?
            .is_default
    );
    let held = store
        .payer_entitlement(ins, PayerType::User, "user_none")
        .await?;
    assert_eq!(
        held,
        Some(Entitlement {
            plan: "starter".into(),
            features: vec![]
        })
    );
    Ok(())
}

pub async fn subscription_items_are_active_once_per_payer(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let u = user("payer@example.com", "Pay", NOW);
    let client = Client::new(None, NOW);
    let s = session(&u.id, &client.id, NOW, NOW + 1_000_000);
    let mut cs = Changeset::default();
    cs.push(Write::InsertUser(u.clone()))
        .push(Write::InsertClient(client))
        .push(Write::InsertSession(s.clone()));
    store.commit(ins, cs).await?;
    let token_plan = |t: Option<usher_core::store::SessionForToken>| t.and_then(|t| t.user_plan);
    assert_eq!(token_plan(store.session_for_token(ins, &s.id).await?), None);

    let free = plan("free_user", PayerType::User, true, &["basic"], NOW);
    let pro = plan("pro", PayerType::User, false, &["export", "api"], NOW + 1);
    for p in [&free, &pro] {
        store
            .commit(ins, one(Write::InsertBillingPlan(p.clone())))
            .await?;
    }
    let basic = Entitlement::from_stored("free_user".into(), "basic");
    assert_eq!(
        token_plan(store.session_for_token(ins, &s.id).await?),
        Some(basic.clone())
    );

    let (item, _) = assigned(&pro, PayerType::User, &u.id, None);
    store
        .commit(ins, one(Write::InsertSubscriptionItem(item.clone())))
        .await?;
    let export = Entitlement::from_stored("pro".into(), "export,api");
    assert_eq!(
        store.payer_entitlement(ins, PayerType::User, &u.id).await?,
        Some(export.clone())
    );
    assert_eq!(
        token_plan(store.session_for_token(ins, &s.id).await?),
        Some(export)
    );

    // A second active item for the payer is refused; so is one for a payer that is not there.
    let (twice, _) = assigned(&free, PayerType::User, &u.id, None);
    let refused = store
        .commit(ins, one(Write::InsertSubscriptionItem(twice)))
        .await;
    assert!(matches!(refused, Err(StoreError::Stale)), "{refused:?}");
    let (nobody, _) = assigned(
        &pro,
        PayerType::User,
        "user_2aaaaaaaaaaaaaaaaaaaaaaaaaa",
        None,
    );
    let refused = store
        .commit(ins, one(Write::InsertSubscriptionItem(nobody)))
        .await;
    assert!(matches!(refused, Err(StoreError::Stale)), "{refused:?}");

    // Canceled, by version: the default plan again; a stale cancel is refused.
    let stored = store
        .get_subscription_item(ins, &item.id)
        .await?
        .ok_or("item")?;
    assert_eq!(stored.version, 1);
    let canceled = rules::cancel(&stored, false, NOW + 5)?;
    store
        .commit(ins, one(Write::UpdateSubscriptionItem(canceled.clone())))
        .await?;
    let refused = store
        .commit(ins, one(Write::UpdateSubscriptionItem(canceled)))
        .await;
    assert!(matches!(refused, Err(StoreError::Stale)), "{refused:?}");
    assert_eq!(
        token_plan(store.session_for_token(ins, &s.id).await?),
        Some(basic)
    );
    let (again, _) = assigned(&pro, PayerType::User, &u.id, None);
    store
        .commit(ins, one(Write::InsertSubscriptionItem(again.clone())))
        .await?;
    let items = store.subscription_items_of_payer(ins, &u.id).await?;
    let ids: Vec<_> = items.iter().map(|i| i.id.clone()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&again.id) && ids.contains(&item.id));

    // Gone with their user.
    delete_stored_user(&store, ins, &u.id).await?;
    assert!(
        store
            .subscription_items_of_payer(ins, &u.id)
            .await?
            .is_empty()
    );
    assert!(store.get_subscription_item(ins, &again.id).await?.is_none());
    Ok(())
}
