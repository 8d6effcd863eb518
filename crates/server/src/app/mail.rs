//! Email: queued with the change that causes it, read back by the Backend API and the CLI.
//!
//! A use case composes a message (`usher_core::mail::compose`) and calls [`queue`] on its
//! [`Change`]: the message and its `email.created` event commit with the rest of the change, or
//! not at all, and the commit wakes the mail worker, which sends it (or logs it without SMTP).

use usher_core::events::DomainEvent;
use usher_core::ids::EmailMessageId;
use usher_core::mail::EmailMessage;
use usher_core::store::Write;
use usher_core::users::query::Page;
use usher_core::{CoreError, CoreResult};

use super::Change;
use crate::state::AppState;

pub const NOT_FOUND: CoreError = CoreError::NotFound { resource: "email" };

/// Adds `msg` to the change, with its `email.created` event. The instance's stored template for
/// it, if any, gives its subject and body; the sender's name and whether the server delivers it
/// (SMTP configured, and the template's delivery on) are filled in from the settings. A message
/// the server does not deliver because its template says so is `delegated`: only the webhook
/// carries it.
pub fn queue(change: &mut Change<'_>, mut msg: EmailMessage) {
    let rt = &change.state.mail;
    let templates = change.state.message_templates();
    let delivered = usher_core::message_templates::apply_to_email(&templates, &mut msg);
    msg.from_email_name = usher_core::message_templates::from_email_name(&templates, &msg.slug)
        .unwrap_or(rt.from_email_name())
        .to_owned();
    msg.delivered_by_server = delivered && rt.smtp_configured();
    if !delivered {
        msg.status = usher_core::mail::EmailStatus::Delegated;
    }
    change.write(Write::InsertEmail(msg.clone()));
    change.event(DomainEvent::EmailCreated(msg));
    change.emails += 1;
}

/// Emails, newest first, to one recipient if given, and the total.
pub async fn list(
    state: &AppState,
    to_email_address: Option<&str>,
    page: &Page,
) -> CoreResult<(Vec<EmailMessage>, i64)> {
    Ok(state
        .store
        .list_emails(
            &state.instance.id,
            to_email_address,
            page.limit,
            page.offset,
        )
        .await?)
}

pub async fn get(state: &AppState, id: &EmailMessageId) -> CoreResult<EmailMessage> {
    state
        .store
        .get_email(&state.instance.id, id)
        .await?
        .ok_or(NOT_FOUND)
}
