//! The identifier part of the storage suite: text messages recorded by `commit`, read back
//! whole, listed newest first (all, or by recipient), per instance; users found by the id of
//! one of their email addresses or phone numbers.

use std::sync::Arc;

use usher_core::ids::{IdentificationId, InstanceId, UserId};
use usher_core::sms::SmsMessage;
use usher_core::store::{Changeset, Store, Write};

use super::{Outcome, create_instance};

const T0: i64 = 1_900_000_000_000;

fn message(to: &str, code: &str, at: i64) -> SmsMessage {
    SmsMessage::verification_code(
        to,
        Some(IdentificationId::from_stored("idn_conformance")),
        Some(UserId::from_stored("user_conformance")),
        "Acme",
        code,
        at,
    )
}

/// Recorded whole, newest first, by recipient, and only for their own instance.
pub async fn sms_messages_are_listed_newest_first(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let a1 = message("+14155550123", "111111", T0);
    let b1 = message("+14155550124", "222222", T0 + 1);
    let a2 = message("+14155550123", "333333", T0 + 2);
    for m in [&a1, &b1, &a2] {
        let mut cs = Changeset::default();
        cs.push(Write::InsertSms(m.clone()));
        store.commit(&ins, cs).await?;
    }
    let (all, total) = store.list_sms_messages(&ins, None, 10, 0).await?;
    assert_eq!(total, 3);
    assert_eq!(all, vec![a2.clone(), b1.clone(), a1.clone()]);
    let (to_a, total) = store
        .list_sms_messages(&ins, Some("+14155550123"), 1, 0)
        .await?;
    assert_eq!((to_a, total), (vec![a2], 2), "paged by recipient");
    let (to_a, _) = store
        .list_sms_messages(&ins, Some("+14155550123"), 1, 1)
        .await?;
    assert_eq!(to_a, vec![a1]);
    let (other, total) = store
        .list_sms_messages(&InstanceId::from_stored("ins_other"), None, 10, 0)
        .await?;
    assert_eq!((other.len(), total), (0, 0), "per instance");
    Ok(())
}

/// A changeset that fails records no message.
pub async fn a_failed_changeset_records_no_sms(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let mut cs = Changeset::default();
    cs.push(Write::InsertSms(message("+14155550123", "111111", T0)));
    cs.push(Write::DeleteUser {
        id: UserId::from_stored("user_missing"),
        version: 1,
    });
    assert!(store.commit(&ins, cs).await.is_err());
    let (all, total) = store.list_sms_messages(&ins, None, 10, 0).await?;
    assert_eq!((all.len(), total), (0, 0));
    Ok(())
}

/// A user is found by one of its email addresses' or phone numbers' ids, added later too, and
/// no longer once it is removed; a taken address is refused to a second user.
pub async fn users_are_found_by_identification_id(store: Arc<dyn Store>) -> Outcome {
    use usher_core::store::StoreError;
    use usher_core::users::Verification;
    use usher_core::users::contacts;
    use usher_core::users::identifiers::IdentifierKind;

    let ins = create_instance(&store).await?.id;
    let mut ann = super::user("ann@example.com", "Ann", T0);
    let bob = super::user("bob@example.com", "Bob", T0);
    for u in [&ann, &bob] {
        let mut cs = Changeset::default();
        cs.push(Write::InsertUser(u.clone()));
        store.commit(&ins, cs).await?;
    }
    ann.version = 1;
    let first = ann.email_addresses[0].id.clone();
    let found = store.user_by_identification_id(&ins, &first).await?;
    assert_eq!(found.map(|u| u.id), Some(ann.id.clone()));

    let phone = contacts::add_phone(
        &mut ann,
        "+14155550123",
        Verification::Admin,
        false,
        false,
        T0,
    )?;
    let mut cs = Changeset::default();
    cs.push(Write::UpdateUser(ann.clone()));
    store.commit(&ins, cs).await?;
    ann.version += 1;
    let found = store.user_by_identification_id(&ins, &phone).await?;
    assert_eq!(
        found.map(|u| u.id),
        Some(ann.id.clone()),
        "a number added later"
    );
    assert_eq!(
        store
            .user_by_identification_id(&InstanceId::from_stored("ins_other"), &phone)
            .await?,
        None,
        "per instance"
    );

    contacts::remove(&mut ann, &phone, T0 + 1)?;
    let mut cs = Changeset::default();
    cs.push(Write::UpdateUser(ann.clone()));
    store.commit(&ins, cs).await?;
    assert_eq!(store.user_by_identification_id(&ins, &phone).await?, None);

    let mut bob = store.get_user(&ins, &bob.id).await?.ok_or("bob vanished")?;
    contacts::add_email(&mut bob, "ANN@example.com", Verification::Admin, false, T0)?;
    let mut cs = Changeset::default();
    cs.push(Write::UpdateUser(bob));
    assert_eq!(
        store.commit(&ins, cs).await,
        Err(StoreError::IdentifierTaken(IdentifierKind::Email))
    );
    Ok(())
}

/// A text the provider delivers is queued (a webhook-only one is not), claimed by one worker
/// until its lease ends, and its attempts recorded: retried, then sent with the provider's id.
pub async fn provider_texts_are_queued_claimed_and_recorded(store: Arc<dyn Store>) -> Outcome {
    use usher_core::sms::SmsOutcome;

    let ins = create_instance(&store).await?.id;
    let webhook_only = message("+14155550123", "111111", T0);
    let mut provider = message("+14155550124", "222222", T0 + 1);
    provider.delivered_by_clerk = true;
    for m in [&webhook_only, &provider] {
        let mut cs = Changeset::default();
        cs.push(Write::InsertSms(m.clone()));
        store.commit(&ins, cs).await?;
    }
    let queued = store.queued_sms(&ins, 10).await?;
    assert_eq!(queued, vec![provider.clone()]);
    assert!(store.claim_sms(&ins, &provider.id, T0, T0 + 1000).await?);
    assert!(
        !store
            .claim_sms(&ins, &provider.id, T0 + 10, T0 + 2000)
            .await?,
        "held by the first claim"
    );
    assert!(
        !store
            .claim_sms(&ins, &webhook_only.id, T0, T0 + 1000)
            .await?,
        "not the worker's"
    );
    let retry = SmsOutcome {
        id: provider.id.clone(),
        status: "queued",
        error: Some("HTTP 500".into()),
        provider_sid: None,
        at: T0 + 20,
    };
    assert!(store.record_sms_outcome(&ins, &retry).await?);
    let again = store.queued_sms(&ins, 10).await?;
    assert_eq!(again[0].attempts, 1);
    assert_eq!(again[0].last_error.as_deref(), Some("HTTP 500"));
    assert_eq!(again[0].updated_at, Some(T0 + 20));
    // The claim was freed with the outcome.
    assert!(
        store
            .claim_sms(&ins, &provider.id, T0 + 30, T0 + 1030)
            .await?
    );
    let sent = SmsOutcome {
        status: "sent",
        error: None,
        provider_sid: Some("SM123".into()),
        at: T0 + 40,
        ..retry
    };
    assert!(store.record_sms_outcome(&ins, &sent).await?);
    assert!(store.queued_sms(&ins, 10).await?.is_empty());
    let (listed, _) = store
        .list_sms_messages(&ins, Some("+14155550124"), 10, 0)
        .await?;
    assert_eq!(listed[0].status, "sent");
    assert_eq!(listed[0].attempts, 2);
    assert_eq!(listed[0].provider_sid.as_deref(), Some("SM123"));
    assert_eq!(listed[0].last_error, None);
    let (listed, _) = store
        .list_sms_messages(&ins, Some("+14155550123"), 10, 0)
        .await?;
    assert_eq!(
        listed[0], webhook_only,
        "the webhook's text is left as it was"
    );
    Ok(())
}
