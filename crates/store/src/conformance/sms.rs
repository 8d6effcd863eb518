//! The text message part of the storage suite: messages recorded by `commit`, read back whole,
//! listed newest first (all, or by recipient), per instance.

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
