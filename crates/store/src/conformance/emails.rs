//! The email part of the storage suite: messages queued by `commit`, listed newest first (all,
//! or by recipient), the queue oldest first, exclusive and expiring claims, and outcomes.

use std::sync::Arc;

use usher_core::ids::{EmailMessageId, IdentificationId, InstanceId, UserId};
use usher_core::mail::{EmailMessage, EmailStatus, MailTemplate, compose};
use usher_core::store::{Changeset, Store, StoreError, Write};

use super::{Fixture, Outcome, create_instance};

const T0: i64 = 1_900_000_000_000;

fn message(to: &str, code: &str, at: i64) -> EmailMessage {
    let mut m = compose(
        &MailTemplate::VerificationCode {
            code: code.to_owned(),
        },
        Some("fr-FR"),
        "Acme",
        to,
        Some(&IdentificationId::from_stored("idn_conformance")),
        Some(&UserId::from_stored("user_conformance")),
        at,
    );
    m.from_email_name = "no-reply".into();
    m
}

fn ids(v: &[EmailMessage]) -> Vec<&str> {
    v.iter().map(|m| m.id.as_str()).collect()
}

/// An instance with three queued emails: two to Ann (written in two cases), one to Bob.
async fn three_emails(store: &Arc<dyn Store>) -> Fixture<(InstanceId, [EmailMessage; 3])> {
    let ins = create_instance(store).await?.id;
    let a1 = message("Ann@Example.com", "111111", T0);
    let b1 = message("bob@example.com", "222222", T0 + 1);
    let a2 = message("ann@example.com", "333333", T0 + 2);
    for m in [&a1, &b1, &a2] {
        let mut cs = Changeset::default();
        cs.push(Write::InsertEmail(m.clone()));
        store.commit(&ins, cs).await?;
    }
    Ok((ins, [a1, b1, a2]))
}

const CLAIMED_AT: i64 = T0 + 10;

/// `three_emails`, with Ann's first claimed at `CLAIMED_AT` for a second.
async fn ann_first_claimed(store: &Arc<dyn Store>) -> Fixture<(InstanceId, [EmailMessage; 3])> {
    let (ins, emails) = three_emails(store).await?;
    if !store
        .claim_email(&ins, &emails[0].id, CLAIMED_AT, CLAIMED_AT + 1000)
        .await?
    {
        return Err("a queued email can be claimed".into());
    }
    Ok((ins, emails))
}

/// Read back whole.
pub async fn an_email_round_trips(store: Arc<dyn Store>) -> Outcome {
    let (ins, [a1, _, _]) = three_emails(&store).await?;
    let ins = &ins;
    let got = store.get_email(ins, &a1.id).await?;
    assert_eq!(got.as_ref(), Some(&a1), "an email round-trips");
    assert_eq!(
        store
            .get_email(&InstanceId::from_stored("ins_other"), &a1.id)
            .await?,
        None,
        "emails are scoped by instance"
    );
    assert_eq!(
        store
            .get_email(ins, &EmailMessageId::from_stored("ema_missing"))
            .await?,
        None,
        "an unknown id is none"
    );
    Ok(())
}

/// Listing: newest first, paged, by recipient case-insensitively.
pub async fn emails_are_listed_newest_first(store: Arc<dyn Store>) -> Outcome {
    let (ins, [a1, b1, a2]) = three_emails(&store).await?;
    let ins = &ins;
    let (all, total) = store.list_emails(ins, None, 10, 0).await?;
    assert_eq!(
        (ids(&all), total),
        (vec![a2.id.as_str(), b1.id.as_str(), a1.id.as_str()], 3),
        "emails are listed newest first with their total"
    );
    let (page, total) = store.list_emails(ins, None, 1, 1).await?;
    assert_eq!(
        (ids(&page), total),
        (vec![b1.id.as_str()], 3),
        "the listing pages with limit and offset"
    );
    let (ann, total) = store
        .list_emails(ins, Some("ANN@example.COM"), 10, 0)
        .await?;
    assert_eq!(
        (ids(&ann), total),
        (vec![a2.id.as_str(), a1.id.as_str()], 2),
        "the listing filters by recipient, ignoring case"
    );
    assert_eq!(
        ann[1].to_email_address, "Ann@Example.com",
        "the recipient is kept as given"
    );
    let (none, total) = store
        .list_emails(ins, Some("nobody@example.com"), 10, 0)
        .await?;
    assert_eq!(
        (ids(&none), total),
        (vec![], 0),
        "no email for an unknown recipient"
    );
    Ok(())
}

/// A failed changeset queues no email.
pub async fn a_failed_changeset_queues_no_email(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let ins = &ins;
    let lost = message("carl@example.com", "444444", T0 + 3);
    let mut cs = Changeset::default();
    cs.push(Write::InsertEmail(lost.clone()))
        .push(Write::DeleteUser {
            id: UserId::from_stored("user_missing"),
            version: 99,
        });
    assert_eq!(
        store.commit(ins, cs).await,
        Err(StoreError::Stale),
        "a stale write fails the changeset"
    );
    assert_eq!(
        store.get_email(ins, &lost.id).await?,
        None,
        "a failed changeset queues no email"
    );
    Ok(())
}

/// The queue: oldest first.
pub async fn the_queue_is_oldest_first(store: Arc<dyn Store>) -> Outcome {
    let (ins, [a1, b1, a2]) = three_emails(&store).await?;
    let ins = &ins;
    let queue = store.queued_emails(ins, 10).await?;
    assert_eq!(
        ids(&queue),
        [a1.id.as_str(), b1.id.as_str(), a2.id.as_str()],
        "queued emails oldest first"
    );
    assert_eq!(
        ids(&store.queued_emails(ins, 1).await?),
        [a1.id.as_str()],
        "the queue honours its limit"
    );
    Ok(())
}

/// Claims: one worker at a time, until the claim expires or an outcome frees it.
pub async fn claims_are_exclusive_and_expire(store: Arc<dyn Store>) -> Outcome {
    let (ins, [a1, _, _]) = ann_first_claimed(&store).await?;
    let ins = &ins;
    let now = CLAIMED_AT;
    assert!(
        !store.claim_email(ins, &a1.id, now + 1, now + 1001).await?,
        "a claimed email cannot be claimed again",
    );
    assert!(
        store
            .claim_email(ins, &a1.id, now + 1000, now + 2000)
            .await?,
        "an expired claim can be taken over",
    );
    assert!(
        !store
            .claim_email(
                ins,
                &EmailMessageId::from_stored("ema_missing"),
                now,
                now + 1000
            )
            .await?,
        "an unknown email cannot be claimed",
    );
    Ok(())
}

pub async fn outcomes_are_recorded(store: Arc<dyn Store>) -> Outcome {
    let (ins, [a1, b1, a2]) = ann_first_claimed(&store).await?;
    let ins = &ins;
    let now = CLAIMED_AT;
    // A failure that will be retried: queued again, counted, claimable again at once.
    assert!(
        store
            .record_email_outcome(
                ins,
                &a1.id,
                EmailStatus::Queued,
                Some("connection refused"),
                now + 5,
            )
            .await?,
        "an outcome is recorded",
    );
    let got = store
        .get_email(ins, &a1.id)
        .await?
        .ok_or("the email is still there")?;
    assert_eq!(
        (
            got.status,
            got.attempts,
            got.last_error.as_deref(),
            got.updated_at,
            got.created_at,
            &got.body_plain
        ),
        (
            EmailStatus::Queued,
            1,
            Some("connection refused"),
            now + 5,
            a1.created_at,
            &a1.body_plain
        ),
        "a retried email is queued with its attempt and error",
    );
    assert!(
        store.claim_email(ins, &a1.id, now + 6, now + 1006).await?,
        "recording an outcome frees the claim",
    );

    // Final outcomes leave the queue.
    store
        .record_email_outcome(ins, &a1.id, EmailStatus::Sent, None, now + 7)
        .await?;
    store
        .record_email_outcome(ins, &b1.id, EmailStatus::Logged, None, now + 8)
        .await?;
    store
        .record_email_outcome(
            ins,
            &a2.id,
            EmailStatus::Failed,
            Some("550 no such user"),
            now + 9,
        )
        .await?;
    assert_eq!(
        ids(&store.queued_emails(ins, 10).await?),
        Vec::<&str>::new(),
        "sent, logged and failed emails leave the queue",
    );
    assert!(
        !store.claim_email(ins, &a1.id, now + 20, now + 1020).await?,
        "a sent email cannot be claimed",
    );
    let (all, _) = store.list_emails(ins, None, 10, 0).await?;
    let status = |id: &str| {
        all.iter()
            .find(|m| m.id == id)
            .map(|m| (m.status, m.attempts, m.last_error.clone()))
    };
    assert_eq!(
        [status(&a1.id), status(&b1.id), status(&a2.id)],
        [
            Some((EmailStatus::Sent, 2, None)),
            Some((EmailStatus::Logged, 1, None)),
            Some((EmailStatus::Failed, 1, Some("550 no such user".into()))),
        ],
        "the listing shows each email's outcome",
    );
    assert!(
        !store
            .record_email_outcome(
                ins,
                &EmailMessageId::from_stored("ema_missing"),
                EmailStatus::Sent,
                None,
                now
            )
            .await?,
        "an outcome for an unknown email reports it",
    );
    Ok(())
}
