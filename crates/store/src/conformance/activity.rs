//! The diagnostics and incident part of the storage suite: hourly activity counters added to
//! in batches (concurrent batches lose nothing), read by hour range and per instance; the audit
//! log and the outbox read by time, oldest first; the database's own report.

use std::sync::Arc;

use serde_json::json;
use usher_core::activity::{ActivityCount, ActivityKind, HOUR_MS, hour_of};
use usher_core::audit::AuditEntry;
use usher_core::diagnostics::DatabaseHealth;
use usher_core::events::OutboxEvent;
use usher_core::ids::{AuditId, EventId, InstanceId};
use usher_core::store::{Changeset, Store, Write};

use super::{NOW, Outcome, create_instance};

fn count(hour: i64, kind: ActivityKind, count: i64) -> ActivityCount {
    ActivityCount { hour, kind, count }
}

/// Counts add up per hour and kind, from batches that run at once, and stay in their instance.
pub async fn activity_counters_add_up_per_hour(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let h0 = hour_of(NOW);
    let h1 = h0 + HOUR_MS;
    store
        .add_activity(
            &ins,
            &[
                count(h0, ActivityKind::SignInFailure, 3),
                count(h0, ActivityKind::SignIn, 1),
            ],
        )
        .await?;
    store.add_activity(&ins, &[]).await?;
    let mut batches = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        let ins = ins.clone();
        batches.push(tokio::spawn(async move {
            store
                .add_activity(
                    &ins,
                    &[
                        count(h0, ActivityKind::SignInFailure, 2),
                        count(h1, ActivityKind::TokenRefresh, 5),
                    ],
                )
                .await
        }));
    }
    for b in batches {
        b.await??;
    }
    let all = store.activity(&ins, h0, h1 + HOUR_MS).await?;
    assert_eq!(
        all,
        vec![
            count(h0, ActivityKind::SignIn, 1),
            count(h0, ActivityKind::SignInFailure, 19),
            count(h1, ActivityKind::TokenRefresh, 40),
        ],
        "oldest hour first, each kind added up"
    );
    assert_eq!(
        store.activity(&ins, h1, h1 + HOUR_MS).await?,
        vec![count(h1, ActivityKind::TokenRefresh, 40)],
        "from the hour given"
    );
    assert!(
        store.activity(&ins, h0, h0).await?.is_empty(),
        "until is exclusive"
    );
    let other = InstanceId::from_stored("ins_other");
    assert!(store.activity(&other, h0, h1 + HOUR_MS).await?.is_empty());
    Ok(())
}

fn audit(ins: &InstanceId, action: &str, at: i64) -> Write {
    Write::Audit(AuditEntry {
        id: AuditId::new(),
        instance_id: ins.clone(),
        actor: "cli".into(),
        action: action.into(),
        target_id: None,
        trace_id: None,
        client_ip: None,
        at,
        seq: 0,
    })
}

fn event(ins: &InstanceId, kind: &str, at: i64) -> Write {
    Write::Event(OutboxEvent {
        id: EventId::new(),
        instance_id: ins.clone(),
        event_type: kind.into(),
        data: json!({"n": kind}),
        attributes: json!({}),
        created_at: at,
        seq: 0,
    })
}

/// What a window holds, oldest first: `since` included, `until` not, at most `limit`.
pub async fn the_audit_log_and_events_are_read_by_time(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let at = |n: i64| NOW + n * 1000;
    for (n, name) in [(0, "a"), (1, "b"), (2, "c"), (3, "d")] {
        let mut cs = Changeset::default();
        cs.push(audit(&ins, &format!("x.{name}"), at(n)));
        cs.push(event(&ins, &format!("e.{name}"), at(n)));
        store.commit(&ins, cs).await?;
    }
    let actions: Vec<String> = store
        .audit_between(&ins, at(1), at(3), 100)
        .await?
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["x.b", "x.c"]);
    let events = store.events_between(&ins, at(0), at(9), 3).await?;
    let types: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["e.a", "e.b", "e.c"], "commit order, limited");
    assert_eq!(events[1].data, json!({"n": "e.b"}));
    assert_eq!(events[1].created_at, at(1));
    let other = InstanceId::from_stored("ins_other");
    assert!(store.audit_between(&other, 0, at(9), 100).await?.is_empty());
    assert!(
        store
            .events_between(&other, 0, at(9), 100)
            .await?
            .is_empty()
    );
    Ok(())
}

/// The database describes itself and tells its time.
pub async fn the_database_reports_its_health_and_clock(store: Arc<dyn Store>) -> Outcome {
    create_instance(&store).await?;
    let report = store.database_report().await?;
    match &report.health {
        DatabaseHealth::Sqlite {
            journal_mode,
            page_size,
            page_count,
            freelist_count,
            quick_check,
        } => {
            assert_eq!(journal_mode, "wal");
            assert!(*page_size >= 512 && *page_count > 0 && *freelist_count >= 0);
            assert_eq!(quick_check, "ok");
        }
        DatabaseHealth::Postgres {
            version,
            connections_in_use,
            pool_size,
            server_connections,
        } => {
            assert!(!version.is_empty());
            assert!(*connections_in_use <= *pool_size && *pool_size > 0);
            assert!(*server_connections >= 1);
        }
    }
    #[allow(clippy::disallowed_methods)] // the database's clock against this machine's
    let here = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis() as i64;
    assert!(
        (report.now - here).abs() < 60_000,
        "the database's clock ({}) is the wall clock ({here})",
        report.now
    );
    Ok(())
}
