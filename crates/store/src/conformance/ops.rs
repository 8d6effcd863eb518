//! The operators' dashboard's reads (`OpsStore`): emails and text messages filtered by status
//! as well as recipient, and webhook attempts counted per hour — each for its own instance only.

use std::sync::Arc;

use usher_core::activity::HOUR_MS;
use usher_core::ids::{IdentificationId, InstanceId, UserId};
use usher_core::mail::{EmailMessage, EmailStatus, MailTemplate, compose};
use usher_core::sms::SmsMessage;
use usher_core::store::{AttemptHour, Changeset, Store, Write};

use super::webhooks::{new_endpoint, outbox, record};
use super::{Outcome, create_instance};

/// On the hour.
const T0: i64 = 1_800_000_000_000;

fn email(to: &str, code: &str, at: i64) -> EmailMessage {
    compose(
        &MailTemplate::VerificationCode {
            code: code.to_owned(),
        },
        None,
        "Acme",
        to,
        Some(&IdentificationId::from_stored("idn_ops")),
        Some(&UserId::from_stored("user_ops")),
        at,
    )
}

fn ids(v: &[EmailMessage]) -> Vec<&str> {
    v.iter().map(|m| m.id.as_str()).collect()
}

/// By status, by recipient and status, and neither; newest first.
pub async fn emails_sent_are_filtered_by_status(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let ins = &ins;
    let a1 = email("ann@example.com", "111111", T0);
    let b1 = email("bob@example.com", "222222", T0 + 1);
    let a2 = email("ann@example.com", "333333", T0 + 2);
    for m in [&a1, &b1, &a2] {
        let mut cs = Changeset::default();
        cs.push(Write::InsertEmail(m.clone()));
        store.commit(ins, cs).await?;
    }
    for (m, status) in [(&a1, EmailStatus::Sent), (&b1, EmailStatus::Failed)] {
        assert!(store.claim_email(ins, &m.id, T0 + 5, T0 + 1000).await?);
        store
            .record_email_outcome(ins, &m.id, status, None, T0 + 6)
            .await?;
    }
    let (sent, total) = store
        .emails_sent(ins, None, Some(EmailStatus::Sent), 10, 0)
        .await?;
    assert_eq!((ids(&sent), total), (vec![a1.id.as_str()], 1), "by status");
    let (queued, total) = store
        .emails_sent(
            ins,
            Some("Ann@Example.com"),
            Some(EmailStatus::Queued),
            10,
            0,
        )
        .await?;
    assert_eq!(
        (ids(&queued), total),
        (vec![a2.id.as_str()], 1),
        "by recipient and status"
    );
    let (all, total) = store.emails_sent(ins, None, None, 2, 0).await?;
    assert_eq!(
        (ids(&all), total),
        (vec![a2.id.as_str(), b1.id.as_str()], 3),
        "newest first, paged"
    );
    let other = store
        .emails_sent(&InstanceId::from_stored("ins_other"), None, None, 10, 0)
        .await?;
    assert_eq!(other, (vec![], 0), "per instance");
    Ok(())
}

/// A provider's text has a delivery status to filter by; a webhook-only text has none.
pub async fn sms_sent_are_filtered_by_status(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let ins = &ins;
    let text =
        |to: &str, at: i64| SmsMessage::verification_code(to, None, None, "Acme", "123456", at);
    let webhook_only = text("+14155550123", T0);
    let mut provider = text("+14155550124", T0 + 1);
    provider.delivered_by_clerk = true;
    for m in [&webhook_only, &provider] {
        let mut cs = Changeset::default();
        cs.push(Write::InsertSms(m.clone()));
        store.commit(ins, cs).await?;
    }
    let (queued, total) = store.sms_sent(ins, None, Some("queued"), 10, 0).await?;
    assert_eq!((queued, total), (vec![provider.clone()], 1));
    let (none, total) = store
        .sms_sent(ins, Some("+14155550123"), Some("queued"), 10, 0)
        .await?;
    assert_eq!((none.len(), total), (0, 0));
    let (all, total) = store.sms_sent(ins, None, None, 10, 0).await?;
    assert_eq!((all, total), (vec![provider, webhook_only], 2));
    Ok(())
}

/// Attempts of every endpoint, grouped by the hour they were made in.
pub async fn webhook_attempts_are_counted_per_hour(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let ins = &ins;
    let ep = new_endpoint(&[])?;
    let events = [
        outbox(ins, "user.created", T0),
        outbox(ins, "user.updated", T0 + 1),
        outbox(ins, "user.deleted", T0 + 2),
    ];
    let mut cs = Changeset::default();
    cs.push(Write::InsertWebhookEndpoint(ep.clone()));
    for e in &events {
        cs.push(Write::Event(e.clone()));
    }
    store.commit(ins, cs).await?;
    let pending = store.pending_webhook_deliveries(ins, &ep.id, 10).await?;
    let later = T0 + HOUR_MS + 5;
    assert!(
        store
            .claim_webhook_endpoint(ins, "w", "node", T0, later + 60_000)
            .await?
            .is_some()
    );
    for (i, (ok, at)) in [(true, T0 + 10), (false, T0 + 20), (true, later)]
        .into_iter()
        .enumerate()
    {
        let r = record(&ep.id, &events[i], pending[i].event.seq, ok, at, None);
        assert!(store.record_webhook_attempt(ins, &ep.id, "w", &r).await?);
    }
    let hours = store
        .webhook_attempt_hours(ins, T0, T0 + 2 * HOUR_MS)
        .await?;
    assert_eq!(
        hours,
        vec![
            AttemptHour {
                hour: T0,
                succeeded: 1,
                failed: 1
            },
            AttemptHour {
                hour: T0 + HOUR_MS,
                succeeded: 1,
                failed: 0
            },
        ]
    );
    let first = store.webhook_attempt_hours(ins, T0, T0 + HOUR_MS).await?;
    assert_eq!(first.len(), 1, "until is exclusive");
    let other = store
        .webhook_attempt_hours(&InstanceId::from_stored("ins_other"), T0, T0 + 2 * HOUR_MS)
        .await?;
    assert!(other.is_empty(), "per instance");
    Ok(())
}
