//! Dashboard operators: unique email addresses, credentials reset with their sessions ended,
//! TOTP steps used once, sessions found by digest within their instance, removed with their
//! operator; the audit log filtered and paged.

use std::sync::Arc;

use usher_core::audit::AuditEntry;
use usher_core::ids::{AuditId, InstanceId, OperatorId};
use usher_core::operators::{
    AuditQuery, Operator, OperatorCredentials, OperatorSession, Role, token_digest,
};
use usher_core::store::{Changeset, Store, StoreError, Write};
use usher_core::users::model::PasswordDigest;
use usher_core::users::query::Page;

use super::{NOW, Outcome, create_instance, new_instance, one};

fn credentials(email: &str, role: Role) -> OperatorCredentials {
    OperatorCredentials {
        operator: Operator {
            id: OperatorId::new(),
            email: email.into(),
            role,
            disabled: false,
            created_at: NOW,
        },
        password_digest: PasswordDigest(format!("digest-of-{email}")),
        totp_sealed: format!("sealed-{email}"),
        last_totp_step: None,
    }
}

async fn add(
    store: &Arc<dyn Store>,
    ins: &InstanceId,
    c: &OperatorCredentials,
) -> Result<(), StoreError> {
    store
        .commit(ins, one(Write::InsertOperator(c.clone())))
        .await
}

pub async fn operators_are_unique_per_email_and_reset_ends_their_sessions(
    store: Arc<dyn Store>,
) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let ada = credentials("ada@example.com", Role::Admin);
    let mut bob = credentials("bob@example.com", Role::Support);
    // Oldest first: ids made in one millisecond do not sort by creation.
    bob.operator.created_at = NOW + 1;
    add(&store, ins, &ada).await?;
    add(&store, ins, &bob).await?;
    let twin = credentials("ada@example.com", Role::Support);
    assert!(
        matches!(
            add(&store, ins, &twin).await,
            Err(StoreError::KeyTaken { .. })
        ),
        "one operator per email address"
    );
    assert_eq!(
        store.operators(ins).await?,
        vec![ada.operator.clone(), bob.operator.clone()]
    );
    assert_eq!(
        store.operator_by_email(ins, "ada@example.com").await?,
        Some(ada.clone())
    );
    assert_eq!(
        store.operator_credentials(ins, &bob.operator.id).await?,
        Some(bob.clone())
    );

    // A TOTP step is accepted once, and never an older one.
    assert!(
        store
            .use_operator_totp_step(ins, &ada.operator.id, 10)
            .await?
    );
    assert!(
        !store
            .use_operator_totp_step(ins, &ada.operator.id, 10)
            .await?
    );
    assert!(
        !store
            .use_operator_totp_step(ins, &ada.operator.id, 9)
            .await?
    );
    assert!(
        store
            .use_operator_totp_step(ins, &ada.operator.id, 11)
            .await?
    );

    let s = OperatorSession::pending(ada.operator.id.clone(), "tok", NOW, None, None);
    store.insert_operator_session(ins, &s).await?;
    let mut reset = ada.clone();
    reset.password_digest = PasswordDigest("new-digest".into());
    reset.totp_sealed = "new-sealed".into();
    store
        .commit(ins, one(Write::ResetOperator(reset.clone())))
        .await?;
    let got = store.operator_by_email(ins, "ada@example.com").await?;
    assert_eq!(got, Some(reset), "reset forgets the used TOTP step");
    assert_eq!(
        store
            .operator_session_by_digest(ins, &token_digest("tok"))
            .await?,
        None,
        "a reset ends the operator's sessions"
    );

    store
        .commit(ins, one(Write::DeleteOperator(bob.operator.id.clone())))
        .await?;
    assert_eq!(store.operators(ins).await?, vec![ada.operator.clone()]);
    assert!(matches!(
        store
            .commit(ins, one(Write::DeleteOperator(bob.operator.id.clone())))
            .await,
        Err(StoreError::Stale)
    ));
    Ok(())
}

pub async fn operator_sessions_are_found_by_digest_in_their_instance(
    store: Arc<dyn Store>,
) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let ada = credentials("ada@example.com", Role::Admin);
    add(&store, ins, &ada).await?;
    let mut s = OperatorSession::pending(
        ada.operator.id.clone(),
        "token-one",
        NOW,
        Some("192.0.2.1".into()),
        Some("Firefox".into()),
    );
    store.insert_operator_session(ins, &s).await?;
    let digest = token_digest("token-one");
    assert_eq!(
        store.operator_session_by_digest(ins, &digest).await?,
        Some(s.clone())
    );
    let other = new_instance();
    assert_eq!(
        store.operator_session_by_digest(&other.id, &digest).await?,
        None,
        "sessions are per instance"
    );

    // Verified: a new token, a new lifetime.
    s.verified = true;
    s.token_digest = token_digest("token-two");
    s.last_seen = NOW + 5;
    s.expires_at = NOW + 1_000;
    store.update_operator_session(ins, &s).await?;
    assert_eq!(store.operator_session_by_digest(ins, &digest).await?, None);
    assert_eq!(
        store
            .operator_session_by_digest(ins, &token_digest("token-two"))
            .await?,
        Some(s.clone())
    );

    store.delete_operator_session(ins, &s.id).await?;
    store.delete_operator_session(ins, &s.id).await?;
    assert!(matches!(
        store.update_operator_session(ins, &s).await,
        Err(StoreError::Stale)
    ));

    // Sessions go with their operator.
    let again = OperatorSession::pending(ada.operator.id.clone(), "token-3", NOW, None, None);
    store.insert_operator_session(ins, &again).await?;
    store
        .commit(ins, one(Write::DeleteOperator(ada.operator.id.clone())))
        .await?;
    assert_eq!(
        store
            .operator_session_by_digest(ins, &token_digest("token-3"))
            .await?,
        None
    );
    Ok(())
}

pub async fn the_audit_log_is_filtered_and_paged(store: Arc<dyn Store>) -> Outcome {
    let ins = &create_instance(&store).await?.id;
    let mut cs = Changeset::default();
    for (actor, action, target) in [
        ("cli", "user.create", "user_1"),
        ("operator:ada@example.com", "user.ban", "user_1"),
        ("operator:ada@example.com", "user.unban", "user_1"),
        ("operator:bob@example.com", "user.ban", "user_2"),
    ] {
        cs.push(Write::Audit(AuditEntry {
            id: AuditId::new(),
            instance_id: ins.clone(),
            actor: actor.into(),
            action: action.into(),
            target_id: Some(target.into()),
            trace_id: None,
            client_ip: None,
            at: NOW,
            seq: 0,
        }));
    }
    store.commit(ins, cs).await?;
    let actions = |q: AuditQuery| {
        let store = store.clone();
        async move {
            let (entries, total) = store.audit_entries(ins, &q).await?;
            let names: Vec<String> = entries.into_iter().map(|e| e.action).collect();
            Ok::<_, StoreError>((names, total))
        }
    };
    let all = AuditQuery {
        page: Page {
            limit: 10,
            offset: 0,
        },
        ..AuditQuery::default()
    };
    assert_eq!(
        actions(all.clone()).await?,
        (
            vec![
                "user.ban".to_owned(),
                "user.unban".into(),
                "user.ban".into(),
                "user.create".into()
            ],
            4
        ),
        "newest first"
    );
    let by_ada = AuditQuery {
        actor: Some("operator:ada@example.com".into()),
        ..all.clone()
    };
    assert_eq!(
        actions(by_ada).await?,
        (vec!["user.unban".to_owned(), "user.ban".into()], 2)
    );
    let bans_of_user_1 = AuditQuery {
        action: Some("user.ban".into()),
        target_id: Some("user_1".into()),
        ..all.clone()
    };
    assert_eq!(
        actions(bans_of_user_1).await?,
        (vec!["user.ban".to_owned()], 1)
    );
    let second_page = AuditQuery {
        page: Page {
            limit: 2,
            offset: 2,
        },
        ..all
    };
    assert_eq!(
        actions(second_page).await?,
        (vec!["user.ban".to_owned(), "user.create".into()], 4)
    );
    Ok(())
}
