//! `usher billing` as an operator runs it, with the server stopped: plans created and listed, a
//! plan assigned to a user (by address) and to an organization (by slug), what each holds, each
//! change audited with its `subscriptionItem.*` event.

use std::path::Path;

use crate::common::{fails_in, instance_dir, json, ok_in, runtime};
use usher_core::organizations::rules::NewOrganization;
use usher_core::users::create::NewUser;

/// A user (ada@example.com) and an organization (acme) made as the Backend API makes them.
fn payers(dir: &Path) -> (String, String) {
    runtime().block_on(async {
        let (state, ctx) = crate::common::offline_state(dir).await;
        let user = crate::common::passwordless_user(
            &state,
            &ctx,
            NewUser {
                email_addresses: vec!["ada@example.com".into()],
                ..Default::default()
            },
        )
        .await;
        let org = usher_server::app::organizations::create(
            &state,
            &ctx,
            NewOrganization {
                name: Some("Acme".into()),
                slug: Some("acme".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        (user.id.to_string(), org.id.to_string())
    })
}

/// The billing events raised and the CLI's audit actions, in order.
fn recorded(dir: &Path) -> (Vec<String>, Vec<String>) {
    let (events, mut audit) = crate::common::recorded(dir, "subscriptionItem.");
    audit.sort();
    (events, audit)
}

#[test]
fn plans_are_created_assigned_and_shown_from_the_cli() {
    let dir = instance_dir();
    let d = dir.path();
    let (ada, acme) = payers(d);

    let free = json(&ok_in(
        d,
        "billing",
        &[
            "create-plan",
            "--name",
            "Free",
            "--slug",
            "free",
            "--for",
            "user",
            "--default",
            "--feature",
            "basic",
            "--json",
        ],
    ));
    assert_eq!(free["object"], "commerce_plan");
    assert_eq!(free["is_default"], true);
    assert_eq!(free["features"][0]["slug"], "basic");
    let pro = json(&ok_in(
        d,
        "billing",
        &[
            "create-plan",
            "--name",
            "Pro",
            "--slug",
            "pro",
            "--for",
            "user",
            "--feature",
            "export:Export",
            "--feature",
            "api",
            "--json",
        ],
    ));
    assert_eq!(pro["features"][0]["name"], "Export");
    ok_in(
        d,
        "billing",
        &[
            "create-plan",
            "--name",
            "Team",
            "--slug",
            "team",
            "--for",
            "org",
            "--hidden",
        ],
    );
    let listed = json(&ok_in(d, "billing", &["plans", "--json"]));
    assert_eq!(listed["total_count"], 3);
    let text = ok_in(d, "billing", &["plans"]);
    assert!(
        text.contains("pro  for=user") && text.contains("free  for=user  default"),
        "{text}"
    );

    // Nothing assigned: the default plan.
    let shown = ok_in(d, "billing", &["show", "--user", "ada@example.com"]);
    assert!(shown.contains("holds the default plan free"), "{shown}");

    let item = json(&ok_in(
        d,
        "billing",
        &["assign", "pro", "--user", "ada@example.com", "--json"],
    ));
    assert_eq!(item["status"], "active");
    assert_eq!(item["plan"]["slug"], "pro");
    let sub = json(&ok_in(d, "billing", &["show", "--user", &ada, "--json"]));
    assert_eq!(sub["subscription_items"][0]["id"], item["id"]);
    ok_in(d, "billing", &["assign", "team", "--org", "acme"]);
    let shown = ok_in(d, "billing", &["show", "--org", &acme]);
    assert!(shown.contains("active  team"), "{shown}");

    // Refused: a plan for the other payer type, an unknown plan, no payer, a bad --for.
    let wrong = fails_in(d, "billing", &["assign", "team", "--user", &ada]);
    assert!(wrong.contains("plan"), "{wrong}");
    let unknown = fails_in(d, "billing", &["assign", "nope", "--user", &ada]);
    assert!(unknown.contains("plan_id"), "{unknown}");
    fails_in(d, "billing", &["assign", "pro"]);
    fails_in(
        d,
        "billing",
        &["create-plan", "--name", "X", "--slug", "x", "--for", "team"],
    );
    let taken = fails_in(
        d,
        "billing",
        &[
            "create-plan",
            "--name",
            "Pro 2",
            "--slug",
            "pro",
            "--for",
            "user",
        ],
    );
    assert!(taken.contains("slug") || taken.contains("taken"), "{taken}");

    let (events, audit) = recorded(d);
    assert_eq!(
        events,
        ["subscriptionItem.active", "subscriptionItem.active"]
    );
    assert_eq!(
        audit,
        [
            "billing.plan.create",
            "billing.plan.create",
            "billing.plan.create",
            "billing.subscription_item.create",
            "billing.subscription_item.create",
        ]
    );
}
