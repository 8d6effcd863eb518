//! `usher orgs` as an operator runs it, with the server stopped: organizations and members go
//! through the Backend API's use cases, with their events and audit entries.

use std::path::Path;

use crate::common::{fails_in, instance_dir, json, ok_in, runtime};
use usher_core::users::create::NewUser;

/// Two users created the way the Backend API creates them.
fn users(dir: &Path) -> (String, String) {
    runtime().block_on(async {
        let (state, ctx) = crate::common::offline_state(dir).await;
        let mut ids = Vec::new();
        for (email, username) in [("ada@example.com", "ada_l"), ("bob@example.com", "bob_b")] {
            let u = crate::common::passwordless_user(
                &state,
                &ctx,
                NewUser {
                    email_addresses: vec![email.into()],
                    username: Some(username.into()),
                    ..Default::default()
                },
            )
            .await;
            ids.push(u.id.to_string());
        }
        (ids[0].clone(), ids[1].clone())
    })
}

/// Event types and the CLI's audit actions recorded so far.
fn recorded(dir: &Path) -> (Vec<String>, Vec<String>) {
    crate::common::recorded(dir, "organization")
}

#[test]
fn organizations_and_members_are_managed_from_the_cli() {
    let dir = instance_dir();
    let d = dir.path();
    let (ada, bob) = users(d);

    let org = json(&ok_in(
        d,
        "orgs",
        &[
            "create",
            "--name",
            "Acme Inc",
            "--created-by",
            "ada@example.com",
            "--max-members",
            "5",
            "--json",
        ],
    ));
    let id = org["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("org_"));
    assert_eq!(org["slug"], "acme-inc");
    assert_eq!(org["created_by"], ada.as_str());
    assert_eq!(org["max_allowed_memberships"], 5);
    assert_eq!(org["members"]["total_count"], 1);
    assert_eq!(org["members"]["data"][0]["role"], "org:admin");
    assert_eq!(
        org["members"]["data"][0]["public_user_data"]["user_id"],
        ada.as_str()
    );

    let taken = fails_in(
        d,
        "orgs",
        &["create", "--name", "Other", "--slug", "acme-inc"],
    );
    assert!(taken.contains("slug"), "{taken}");
    ok_in(
        d,
        "orgs",
        &["create", "--name", "Globex", "--slug", "globex"],
    );

    let listed = json(&ok_in(d, "orgs", &["list", "--query", "acme", "--json"]));
    assert_eq!(listed["total_count"], 1);
    assert_eq!(listed["data"][0]["id"], id.as_str());
    let text = ok_in(d, "orgs", &["list"]);
    assert!(
        text.contains("acme-inc") && text.contains("globex"),
        "{text}"
    );

    // Users named by username, email or id; the organization by slug or id.
    let added = json(&ok_in(
        d,
        "orgs",
        &["members", "add", "acme-inc", "bob_b", "--json"],
    ));
    assert_eq!(added["role"], "org:member");
    assert_eq!(added["public_user_data"]["user_id"], bob.as_str());
    let again = fails_in(d, "orgs", &["members", "add", &id, &bob]);
    assert!(again.contains("already"), "{again}");
    let bad_role = fails_in(d, "orgs", &["members", "role", &id, &bob, "org:owner"]);
    assert!(bad_role.contains("role"), "{bad_role}");
    let promoted = json(&ok_in(
        d,
        "orgs",
        &[
            "members",
            "role",
            "acme-inc",
            "BOB@example.com",
            "org:admin",
            "--json",
        ],
    ));
    assert_eq!(promoted["role"], "org:admin");
    ok_in(
        d,
        "orgs",
        &["members", "role", "acme-inc", &bob, "org:member"],
    );
    let last_admin = fails_in(d, "orgs", &["members", "remove", "acme-inc", "ada_l"]);
    assert!(last_admin.contains("admin"), "{last_admin}");
    let removed = ok_in(d, "orgs", &["members", "remove", "acme-inc", "bob_b"]);
    assert!(removed.contains(&bob), "{removed}");

    let shown = ok_in(d, "orgs", &["show", &id]);
    assert!(
        shown.contains("ada@example.com") && shown.contains("org:admin"),
        "{shown}"
    );
    assert!(!shown.contains(&bob), "{shown}");

    let unconfirmed = fails_in(d, "orgs", &["delete", "acme-inc"]);
    assert!(unconfirmed.contains("--yes"), "{unconfirmed}");
    ok_in(d, "orgs", &["show", "acme-inc"]);
    let deleted = json(&ok_in(
        d,
        "orgs",
        &["delete", "acme-inc", "--yes", "--json"],
    ));
    assert_eq!(deleted["deleted"], true);
    assert_eq!(deleted["id"], id.as_str());
    let gone = fails_in(d, "orgs", &["show", &id]);
    assert!(gone.contains("not found"), "{gone}");
    let unknown_user = fails_in(
        d,
        "orgs",
        &["members", "add", "globex", "nobody@example.com"],
    );
    assert!(unknown_user.contains("not found"), "{unknown_user}");

    let (events, audit) = recorded(d);
    for t in [
        "organization.created",
        "organizationMembership.created",
        "organizationMembership.updated",
        "organizationMembership.deleted",
        "organization.deleted",
    ] {
        assert!(events.iter().any(|e| e == t), "{t} not in {events:?}");
    }
    for a in [
        "organization.create",
        "organization.membership.create",
        "organization.membership.update",
        "organization.membership.delete",
        "organization.delete",
    ] {
        assert!(audit.iter().any(|x| x == a), "{a} not in {audit:?}");
    }
}
