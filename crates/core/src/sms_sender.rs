//! How a text message leaves: the [`SmsSender`] the change that sends one asks for the events it
//! also commits. Apart from `sms` so that the message knows nothing of events: `events` names
//! the message (`sms.created` carries it), and this names both.

use crate::events::DomainEvent;
use crate::sms::SmsMessage;

/// How the instance's text messages leave: what the change that sends one also commits.
pub trait SmsSender: Send + Sync + 'static {
    /// Readies `msg` for delivery and returns the events that carry it out.
    fn dispatch(&self, msg: &mut SmsMessage) -> Vec<DomainEvent>;
}

/// Delivery by the `sms.created` webhook: the application's endpoint sends the text.
#[derive(Debug, Default, Clone, Copy)]
pub struct WebhookSms;

impl SmsSender for WebhookSms {
    fn dispatch(&self, msg: &mut SmsMessage) -> Vec<DomainEvent> {
        msg.delivered_by_clerk = false;
        msg.status = "queued".into();
        vec![DomainEvent::SmsCreated(msg.clone())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::due;

    #[test]
    fn the_webhook_sender_queues_an_sms_created_event() {
        let mut m = SmsMessage::verification_code("+14155550123", None, None, "Acme", "012345", 7);
        assert_eq!(m.message, "012345 is your Acme verification code.");
        let events = WebhookSms.dispatch(&mut m);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].type_name(), "sms.created");
        assert_eq!(m.data["otp_code"], "012345");
        assert!(!due(&m, &[1000], 8), "the webhook delivers it");
    }
}
