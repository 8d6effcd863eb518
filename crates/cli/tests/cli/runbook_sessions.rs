//! The runbook's session commands: `usher sessions revoke` by selector (counts, the refusal
//! without a terminal or `--yes`, exactly the sessions each selector names) and `usher users
//! lockout` (locked and signed out as one audited action).

use std::collections::HashMap;
use std::path::Path;

use usher_core::clock::{Clock, SystemClock};
use usher_core::ids::SessionId;
use usher_core::store::{Changeset, Write};
use usher_core::users::create::NewUser;

use crate::common::{audit_log, fails_in, instance_dir, ok_in, runtime, stored};

const DAY: i64 = 86_400_000;

/// Users `ada` and `bob` with sessions started from given addresses, given days ago; returns the
/// sessions by label.
fn sessions(dir: &Path, specs: &[(&str, &str, Option<&str>, i64)]) -> HashMap<String, String> {
    runtime().block_on(async {
        let (state, ctx) = crate::common::offline_state(dir).await;
        let mut out = HashMap::new();
        for (label, who, ip, days_ago) in specs {
            let user = match usher_server::app::users::find(&state, who).await {
                Ok(u) => u,
                Err(_) => {
                    crate::common::passwordless_user(
                        &state,
                        &ctx,
                        NewUser {
                            username: Some((*who).to_owned()),
                            ..Default::default()
                        },
                    )
                    .await
                }
            };
            let mut s = usher_server::app::sessions::create(&state, &ctx, user.id.as_str(), None)
                .await
                .unwrap();
            s.ip_address = ip.map(str::to_owned);
            s.created_at -= days_ago * DAY;
            let mut cs = Changeset::default();
            cs.push(Write::UpdateSession(s.clone()));
            state.store.commit(&state.instance.id, cs).await.unwrap();
            out.insert((*label).to_owned(), s.id.into_string());
        }
        out
    })
}

/// The stored status of each session, by label.
fn statuses(dir: &Path, ids: &HashMap<String, String>) -> HashMap<String, String> {
    runtime().block_on(async {
        let (store, ins) = stored(dir).await;
        let mut out = HashMap::new();
        for (label, id) in ids {
            let s = store
                .get_session(&ins, &SessionId::parse(id).unwrap())
                .await
                .unwrap()
                .unwrap();
            out.insert(label.clone(), s.status.as_str().to_owned());
        }
        out
    })
}

fn revoked(st: &HashMap<String, String>) -> Vec<&str> {
    let mut v: Vec<&str> = st
        .iter()
        .filter(|(_, s)| s.as_str() == "revoked")
        .map(|(l, _)| l.as_str())
        .collect();
    v.sort_unstable();
    v
}

fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[test]
fn sessions_revoke_picks_exactly_what_each_selector_names() {
    let dir = instance_dir();
    let d = dir.path();
    let ids = sessions(
        d,
        &[
            ("ada_old_v4", "ada_l", Some("10.1.2.3"), 2),
            ("ada_v6", "ada_l", Some("2001:db8:1::5"), 1),
            ("ada_new", "ada_l", Some("192.168.0.9"), 0),
            ("bob_old", "bob_b", Some("10.9.9.9"), 3),
            ("bob_no_ip", "bob_b", None, 0),
            ("bob_mapped", "bob_b", Some("::ffff:10.200.0.1"), 0),
        ],
    );
    let revoke = |args: &[&str]| {
        let mut all = vec!["revoke"];
        all.extend_from_slice(args);
        ok_in(d, "sessions", &all)
    };

    // Without a terminal and without --yes: the count, then a refusal; nothing is revoked.
    let out = crate::common::run_in(d, "sessions", &["revoke", "--ip", "10.0.0.0/8"]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("3 live sessions match ip:10.0.0.0/8"),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    assert!(revoked(&statuses(d, &ids)).is_empty());

    // Sessions created before a time: bob's three-day-old one and ada's two-day-old one.
    let cutoff = rfc3339(SystemClock.now_ms() - DAY - DAY / 2);
    let out = revoke(&["--created-before", &cutoff, "--yes"]);
    assert!(out.contains("2 live sessions match"), "{out}");
    assert!(out.contains("2 sessions revoked"), "{out}");
    assert_eq!(revoked(&statuses(d, &ids)), ["ada_old_v4", "bob_old"]);

    // An IPv6 block; then an IPv4 one that also holds an IPv4-mapped address.
    let out = revoke(&["--ip", "2001:db8::/32", "--yes"]);
    assert!(out.contains("1 session revoked"), "{out}");
    let out = revoke(&["--ip", "10.0.0.0/8", "--yes"]);
    assert!(out.contains("1 live session matches"), "{out}");
    assert_eq!(
        revoked(&statuses(d, &ids)),
        ["ada_old_v4", "ada_v6", "bob_mapped", "bob_old"]
    );

    // A user, named by username; then everything that is left.
    let out = revoke(&["--user", "ada_l", "--yes"]);
    assert!(out.contains("1 session revoked"), "{out}");
    let out = revoke(&["--all", "--yes"]);
    assert!(out.contains("1 session revoked"), "{out}");
    assert_eq!(revoked(&statuses(d, &ids)).len(), 6);
    let out = revoke(&["--all"]);
    assert!(out.contains("0 live sessions match"), "{out}");

    // Exactly one selector, and a well-formed one.
    fails_in(
        d,
        "sessions",
        &["revoke", "--all", "--ip", "10.0.0.0/8", "--yes"],
    );
    fails_in(d, "sessions", &["revoke", "--yes"]);
    let err = fails_in(d, "sessions", &["revoke", "--ip", "10.0.0.0/40", "--yes"]);
    assert!(err.contains("CIDR"), "{err}");
    let err = fails_in(d, "sessions", &["revoke", "--created-before", "yesterday"]);
    assert!(err.contains("RFC 3339"), "{err}");

    // Each batch is audited naming its selector; each session has its event.
    let audit = audit_log(d);
    let targets: Vec<&str> = audit
        .iter()
        .filter(|(actor, action, _)| actor == "cli" && action == "sessions.revoke")
        .filter_map(|(_, _, t)| t.as_deref())
        .collect();
    for t in ["ip:2001:db8::/32", "ip:10.0.0.0/8", "all"] {
        assert!(targets.contains(&t), "{targets:?}");
    }
    assert!(targets.iter().any(|t| t.starts_with("created_before:")));
    assert!(targets.iter().any(|t| t.starts_with("user:user_")));
    let events = runtime().block_on(async {
        let (store, ins) = stored(d).await;
        store.events_after(&ins, 0, 1000).await.unwrap()
    });
    let revoked_events: Vec<&str> = events
        .iter()
        .filter(|e| e.event_type == "session.revoked")
        .filter_map(|e| e.data["id"].as_str())
        .collect();
    assert_eq!(revoked_events.len(), 6);
    for id in ids.values() {
        assert!(revoked_events.contains(&id.as_str()), "{id}");
    }
}

#[test]
fn users_lockout_locks_and_signs_out_in_one_audited_action() {
    let dir = instance_dir();
    let d = dir.path();
    let ids = sessions(
        d,
        &[
            ("eve_1", "eve_e", Some("203.0.113.1"), 0),
            ("eve_2", "eve_e", Some("203.0.113.2"), 1),
            ("kim_k", "kim_k", None, 0),
        ],
    );
    let out = ok_in(d, "users", &["lockout", "eve_e"]);
    assert!(out.contains("2 sessions revoked"), "{out}");
    assert!(out.contains("locked=true"), "{out}");
    assert_eq!(revoked(&statuses(d, &ids)), ["eve_1", "eve_2"]);
    let user: serde_json::Value =
        serde_json::from_str(&ok_in(d, "users", &["show", "eve_e", "--json"])).unwrap();
    assert_eq!(user["locked"], true);
    // Indefinitely: far beyond any lockout duration.
    assert!(user["lockout_expires_in_seconds"].as_i64().unwrap() > 100 * 365 * 86_400);
    let lockouts: Vec<_> = audit_log(d)
        .into_iter()
        .filter(|(_, action, _)| action == "user.lockout")
        .collect();
    assert_eq!(lockouts.len(), 1, "one audited action");
    assert_eq!(lockouts[0].0, "cli");
    assert_eq!(lockouts[0].2.as_deref(), Some(user["id"].as_str().unwrap()));

    // Unlocked as any lock is; a lockout with --until ends then.
    let user: serde_json::Value =
        serde_json::from_str(&ok_in(d, "users", &["unlock", "eve_e", "--json"])).unwrap();
    assert_eq!(user["locked"], false);
    let user: serde_json::Value = serde_json::from_str(&ok_in(
        d,
        "users",
        &["lockout", "kim_k", "--until", "2h", "--json"],
    ))
    .unwrap();
    assert_eq!(user["locked"], true);
    let left = user["lockout_expires_in_seconds"].as_i64().unwrap();
    assert!((7_000..=7_200).contains(&left), "{left}");
    assert_eq!(statuses(d, &ids)["kim_k"], "revoked");
    let err = fails_in(
        d,
        "users",
        &["lockout", "kim_k", "--until", "2001-01-01T00:00:00Z"],
    );
    assert!(err.contains("future"), "{err}");
    fails_in(d, "users", &["lockout", "nobody_here"]);
}
