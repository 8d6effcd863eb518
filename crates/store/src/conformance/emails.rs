//! The email part of the storage suite: messages queued by `commit`, listed newest first (all,
//! or by recipient), the queue oldest first, exclusive and expiring claims, and outcomes.

use std::sync::Arc;

use usher_core::mail::{EmailMessage, EmailStatus, MailTemplate, compose};
use usher_core::store::{Changeset, Store, StoreError, Write};

use super::check;

const T0: i64 = 1_900_000_000_000;

fn message(to: &str, code: &str, at: i64) -> EmailMessage {
    let mut m = compose(
        &MailTemplate::VerificationCode {
            code: code.to_owned(),
        },
        Some("fr-FR"),
        "Acme",
        to,
        Some("idn_conformance"),
        Some("user_conformance"),
        at,
    );
    m.from_email_name = "no-reply".into();
    m
}

fn ids(v: &[EmailMessage]) -> Vec<&str> {
    v.iter().map(|m| m.id.as_str()).collect()
}

pub async fn run(store: &Arc<dyn Store>, ins: &str) -> Result<(), String> {
    let e = |e: StoreError| e.to_string();

    let a1 = message("Ann@Example.com", "111111", T0);
    let b1 = message("bob@example.com", "222222", T0 + 1);
    let a2 = message("ann@example.com", "333333", T0 + 2);
    for m in [&a1, &b1, &a2] {
        let mut cs = Changeset::default();
        cs.push(Write::InsertEmail(m.clone()));
        store.commit(ins, cs).await.map_err(e)?;
    }

    // Read back whole.
    let got = store.get_email(ins, &a1.id).await.map_err(e)?;
    check(got.as_ref() == Some(&a1), "an email round-trips")?;
    check(
        store
            .get_email("ins_other", &a1.id)
            .await
            .map_err(e)?
            .is_none()
            && store
                .get_email(ins, "ema_missing")
                .await
                .map_err(e)?
                .is_none(),
        "emails are scoped by instance; an unknown id is none",
    )?;

    // Listing: newest first, paged, by recipient case-insensitively.
    let (all, total) = store.list_emails(ins, None, 10, 0).await.map_err(e)?;
    check(
        total == 3 && ids(&all) == [a2.id.as_str(), b1.id.as_str(), a1.id.as_str()],
        "emails are listed newest first with their total",
    )?;
    let (page, total) = store.list_emails(ins, None, 1, 1).await.map_err(e)?;
    check(
        total == 3 && ids(&page) == [b1.id.as_str()],
        "the listing pages with limit and offset",
    )?;
    let (ann, total) = store
        .list_emails(ins, Some("ANN@example.COM"), 10, 0)
        .await
        .map_err(e)?;
    check(
        total == 2 && ids(&ann) == [a2.id.as_str(), a1.id.as_str()],
        "the listing filters by recipient, ignoring case",
    )?;
    check(
        ann[1].to_email_address == "Ann@Example.com",
        "the recipient is kept as given",
    )?;
    let (none, total) = store
        .list_emails(ins, Some("nobody@example.com"), 10, 0)
        .await
        .map_err(e)?;
    check(
        none.is_empty() && total == 0,
        "no email for an unknown recipient",
    )?;

    // A failed changeset queues no email.
    let lost = message("carl@example.com", "444444", T0 + 3);
    let mut cs = Changeset::default();
    cs.push(Write::InsertEmail(lost.clone()))
        .push(Write::DeleteUser {
            id: "user_missing".into(),
            version: 99,
        });
    check(
        store.commit(ins, cs).await == Err(StoreError::Stale),
        "a stale write fails the changeset",
    )?;
    check(
        store.get_email(ins, &lost.id).await.map_err(e)?.is_none(),
        "a failed changeset queues no email",
    )?;

    // The queue: oldest first.
    let queue = store.queued_emails(ins, 10).await.map_err(e)?;
    check(
        ids(&queue) == [a1.id.as_str(), b1.id.as_str(), a2.id.as_str()],
        "queued emails oldest first",
    )?;
    check(
        ids(&store.queued_emails(ins, 1).await.map_err(e)?) == [a1.id.as_str()],
        "the queue honours its limit",
    )?;

    // Claims: one worker at a time, until the claim expires or an outcome frees it.
    let now = T0 + 10;
    check(
        store
            .claim_email(ins, &a1.id, now, now + 1000)
            .await
            .map_err(e)?,
        "a queued email can be claimed",
    )?;
    check(
        !store
            .claim_email(ins, &a1.id, now + 1, now + 1001)
            .await
            .map_err(e)?,
        "a claimed email cannot be claimed again",
    )?;
    check(
        store
            .claim_email(ins, &a1.id, now + 1000, now + 2000)
            .await
            .map_err(e)?,
        "an expired claim can be taken over",
    )?;
    check(
        !store
            .claim_email(ins, "ema_missing", now, now + 1000)
            .await
            .map_err(e)?,
        "an unknown email cannot be claimed",
    )?;

    // A failure that will be retried: queued again, counted, claimable again at once.
    check(
        store
            .record_email_outcome(
                ins,
                &a1.id,
                EmailStatus::Queued,
                Some("connection refused"),
                now + 5,
            )
            .await
            .map_err(e)?,
        "an outcome is recorded",
    )?;
    let got = store
        .get_email(ins, &a1.id)
        .await
        .map_err(e)?
        .ok_or("the email is still there")?;
    check(
        got.status == EmailStatus::Queued
            && got.attempts == 1
            && got.last_error.as_deref() == Some("connection refused")
            && got.updated_at == now + 5
            && got.created_at == a1.created_at
            && got.body_plain == a1.body_plain,
        "a retried email is queued with its attempt and error",
    )?;
    check(
        store
            .claim_email(ins, &a1.id, now + 6, now + 1006)
            .await
            .map_err(e)?,
        "recording an outcome frees the claim",
    )?;

    // Final outcomes leave the queue.
    store
        .record_email_outcome(ins, &a1.id, EmailStatus::Sent, None, now + 7)
        .await
        .map_err(e)?;
    store
        .record_email_outcome(ins, &b1.id, EmailStatus::Logged, None, now + 8)
        .await
        .map_err(e)?;
    store
        .record_email_outcome(
            ins,
            &a2.id,
            EmailStatus::Failed,
            Some("550 no such user"),
            now + 9,
        )
        .await
        .map_err(e)?;
    check(
        store.queued_emails(ins, 10).await.map_err(e)?.is_empty(),
        "sent, logged and failed emails leave the queue",
    )?;
    check(
        !store
            .claim_email(ins, &a1.id, now + 20, now + 1020)
            .await
            .map_err(e)?,
        "a sent email cannot be claimed",
    )?;
    let (all, _) = store.list_emails(ins, None, 10, 0).await.map_err(e)?;
    let status = |id: &str| {
        all.iter()
            .find(|m| m.id == id)
            .map(|m| (m.status, m.attempts, m.last_error.clone()))
    };
    check(
        status(&a1.id) == Some((EmailStatus::Sent, 2, None))
            && status(&b1.id) == Some((EmailStatus::Logged, 1, None))
            && status(&a2.id) == Some((EmailStatus::Failed, 1, Some("550 no such user".into()))),
        "the listing shows each email's outcome",
    )?;
    check(
        !store
            .record_email_outcome(ins, "ema_missing", EmailStatus::Sent, None, now)
            .await
            .map_err(e)?,
        "an outcome for an unknown email reports it",
    )?;
    Ok(())
}
